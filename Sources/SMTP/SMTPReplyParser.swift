/// Why a reply line was rejected.
public enum SMTPReplyParseError: Error, Hashable, Sendable {
    /// The line does not start with a reply code (RFC 5321 §4.2: `%x32-35 %x30-35 %x30-39`)
    /// followed by end of line, SP or `-`.
    case malformedLine(String)
    /// A continuation line carries a different code than the first line (RFC 5321 §4.2.1).
    case codeMismatch(expected: Int, found: Int)
    /// The reply has more lines than the parser accepts.
    case tooManyLines(limit: Int)
}

/// Assembles ``SMTPReply`` values from reply lines, one line at a time.
///
/// Lines are given without their CRLF, as a ``LineFramer`` yields them. Continuation lines use
/// `code-`, the last line `code SP` or the bare code (RFC 5321 §4.2.1). After an error the parser
/// starts afresh with the next line.
public struct SMTPReplyParser: Sendable {
    /// Bounds how many lines one reply may collect, so a hostile server cannot grow it forever.
    public var maximumLineCount: Int

    private var code: Int?
    private var lines: [String] = []

    public init(maximumLineCount: Int = 1000) {
        self.maximumLineCount = maximumLineCount
    }

    /// Whether a multi-line reply has started but not ended.
    public var isInsideReply: Bool { code != nil }

    /// Parses one line; returns the reply once its last line has been seen.
    public mutating func parse(line: some StringProtocol) throws(SMTPReplyParseError) -> SMTPReply? {
        try parse(line: Array(line.utf8))
    }

    /// Parses one line of bytes; text that is not UTF-8 is decoded with replacement characters.
    public mutating func parse(line: [UInt8]) throws(SMTPReplyParseError) -> SMTPReply? {
        guard line.count >= 3,
            (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(line[0]),
            (UInt8(ascii: "0")...UInt8(ascii: "5")).contains(line[1]),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[2]),
            line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-"),
            !line.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") })
        else {
            reset()
            throw .malformedLine(String(decoding: line, as: UTF8.self))
        }
        let lineCode = line[0..<3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        if let code, code != lineCode {
            reset()
            throw .codeMismatch(expected: code, found: lineCode)
        }
        guard lines.count < maximumLineCount else {
            reset()
            throw .tooManyLines(limit: maximumLineCount)
        }
        code = lineCode
        lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard line.count == 3 || line[3] == UInt8(ascii: " ") else { return nil }
        defer { reset() }
        var reply = Self.reply(code: lineCode, lines: lines)
        if reply.lines == [""] {
            reply.lines = []
        }
        return reply
    }

    private mutating func reset() {
        code = nil
        lines = []
    }

    /// Lifts an enhanced status code off the first line when it is followed by SP or the end of
    /// the line and its class matches the reply code's (RFC 3463 §2); later lines carrying the
    /// same prefix, as RFC 2034 §4 asks, lose it too.
    private static func reply(code: Int, lines: [String]) -> SMTPReply {
        guard let first = lines.first,
            let token = first.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).first,
            let enhanced = SMTPEnhancedStatusCode(token),
            enhanced.statusClass == code / 100
        else { return SMTPReply(code: code, lines: lines) }
        let prefix = enhanced.description
        let stripped = lines.map { line -> String in
            guard line.hasPrefix(prefix) else { return line }
            let rest = line.dropFirst(prefix.count)
            if rest.isEmpty { return "" }
            return rest.first == " " ? String(rest.dropFirst()) : line
        }
        return SMTPReply(code: code, enhancedStatusCode: enhanced, lines: stripped)
    }
}
