/// An SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    /// The RFC 3463 code that prefixed the text, if any. It is not repeated in ``lines``.
    public var enhancedStatusCode: SMTPEnhancedStatusCode?
    /// The text of each line, without code, separator or enhanced status code. Empty for a reply
    /// that is just a code, such as `250`, which RFC 5321 §4.2 allows.
    public var lines: [String]

    public init(code: Int, enhancedStatusCode: SMTPEnhancedStatusCode? = nil, lines: [String] = []) {
        self.code = code
        self.enhancedStatusCode = enhancedStatusCode
        self.lines = lines
    }

    /// A one-line reply, the common case for a server.
    public init(code: Int, _ enhancedStatusCode: SMTPEnhancedStatusCode? = nil, _ text: String) {
        self.init(code: code, enhancedStatusCode: enhancedStatusCode, lines: [text])
    }

    /// 2yz: the requested action completed.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 3yz: the server awaits more data (`354` for DATA, `334` for AUTH).
    public var isPositiveIntermediate: Bool { (300..<400).contains(code) }
    /// 4yz: the action failed but may succeed if retried.
    public var isTransientNegative: Bool { (400..<500).contains(code) }
    /// 5yz: the action failed and must not be retried as-is.
    public var isPermanentNegative: Bool { (500..<600).contains(code) }

    /// Writes the reply in wire form: `code-text` for all lines but the last, `code text` for the
    /// last, each ending in CRLF (RFC 5321 §4.2.1). The enhanced status code prefixes every line,
    /// as RFC 2034 §4 asks.
    public func encode(into buffer: inout [UInt8]) {
        for line in wireLines {
            buffer.append(contentsOf: line.utf8)
            buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        }
    }

    /// The wire form of ``encode(into:)``.
    public var encoded: [UInt8] {
        var buffer: [UInt8] = []
        encode(into: &buffer)
        return buffer
    }

    public var description: String {
        wireLines.joined(separator: "\n")
    }

    private var wireLines: [String] {
        let texts = lines.isEmpty ? [""] : lines
        let prefix = enhancedStatusCode.map { "\($0)" }
        return texts.enumerated().map { index, text in
            let isLast = index == texts.count - 1
            let body = [prefix, text.isEmpty ? nil : text].compactMap { $0 }.joined(separator: " ")
            let separator = isLast ? (body.isEmpty ? "" : " ") : "-"
            return "\(code)\(separator)\(body)"
        }
    }
}
