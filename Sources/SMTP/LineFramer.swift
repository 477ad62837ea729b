/// A failure to frame a command line.
public enum LineFramingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A CR not followed by LF (RFC 5321 §2.3.8).
    case bareCR
    /// An LF not preceded by CR (RFC 5321 §2.3.8).
    case bareLF
    /// A line longer than the limit, CRLF included (RFC 5321 §4.5.3.1.4). The line has been
    /// consumed through its CRLF, so the session can go on.
    case lineTooLong(limit: Int)

    /// The reply a server sends: `500 5.5.6` for a long line (RFC 5321 §4.5.3.1.10 suggests
    /// "500 Line too long"), `500 5.5.2` for bare line endings, after which the server should close
    /// the connection: the framer stays failed, since it cannot tell where the client thinks the
    /// line ended.
    public var reply: SMTPReply {
        switch self {
        case .bareCR:
            SMTPReply(code: 500, SMTPEnhancedStatusCode(5, 5, 2), "Bare CR received; lines must end with CRLF")
        case .bareLF:
            SMTPReply(code: 500, SMTPEnhancedStatusCode(5, 5, 2), "Bare LF received; lines must end with CRLF")
        case .lineTooLong: SMTPReply(code: 500, SMTPEnhancedStatusCode(5, 5, 6), "Line too long")
        }
    }

    public var description: String { reply.lines[0] }
}

/// Splits received bytes into CRLF-terminated lines, for commands on a server or replies on a client.
///
/// Only CRLF ends a line; a bare CR or LF is an error rather than a line ending, because servers
/// that disagree with their peers about line endings are what SMTP smuggling exploits.
///
/// Lines are pulled one at a time, so the caller can stop after DATA or STARTTLS and take the rest
/// with ``takeBufferedBytes()`` — after STARTTLS, bytes already buffered must be discarded, not
/// executed (the CVE-2011-0411 command injection). Memory stays bounded when the caller drains
/// ``nextLine()`` before appending more: a partial line over the limit is dropped rather than kept.
public struct LineFramer: Sendable {
    /// The longest accepted line including CRLF; raise it to ``SMTPLimits/authLineLength`` while
    /// reading SASL responses.
    public var maximumLineLength: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var isDiscarding = false
    private var discardedCR = false
    private var failure: LineFramingError?

    public init(maximumLineLength: Int = SMTPLimits.commandLineLength) {
        self.maximumLineLength = maximumLineLength
    }

    /// The bytes received but not yet returned as lines.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes; drain ``nextLine()`` before appending more to keep memory bounded.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete line without its CRLF, or `nil` when more bytes are needed.
    public mutating func nextLine() throws(LineFramingError) -> [UInt8]? {
        if let failure { throw failure }
        if isDiscarding {
            while readIndex < buffer.count {
                let byte = buffer[readIndex]
                readIndex += 1
                if discardedCR, byte == UInt8(ascii: "\n") {
                    isDiscarding = false
                    discardedCR = false
                    throw .lineTooLong(limit: maximumLineLength)
                }
                discardedCR = byte == UInt8(ascii: "\r")
            }
            return nil
        }
        var index = readIndex
        while index < buffer.count {
            if index - readIndex > maximumLineLength - 2 {
                isDiscarding = true
                discardedCR = false
                readIndex = index
                return try nextLine()
            }
            switch buffer[index] {
            case UInt8(ascii: "\n"):
                return try fail(.bareLF)
            case UInt8(ascii: "\r"):
                guard index + 1 < buffer.count else { return waitForMore() }
                guard buffer[index + 1] == UInt8(ascii: "\n") else { return try fail(.bareCR) }
                defer { readIndex = index + 2 }
                return Array(buffer[readIndex..<index])
            default:
                index += 1
            }
        }
        return waitForMore()
    }

    /// Removes and returns everything buffered, e.g. to feed a ``DotUnstuffingDecoder`` after DATA.
    public mutating func takeBufferedBytes() -> [UInt8] {
        defer {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return Array(buffer[readIndex...])
    }

    /// Starts discarding once the partial line can no longer fit, so an endless line costs no memory.
    private mutating func waitForMore() -> [UInt8]? {
        let pendingCR = buffer.last == UInt8(ascii: "\r")
        if bufferedByteCount - (pendingCR ? 1 : 0) + 2 > maximumLineLength {
            isDiscarding = true
            discardedCR = pendingCR
            readIndex = buffer.count
        }
        return nil
    }

    private mutating func fail(_ error: LineFramingError) throws(LineFramingError) -> [UInt8]? {
        failure = error
        throw error
    }
}
