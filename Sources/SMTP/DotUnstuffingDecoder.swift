/// A DATA-phase protocol violation found by ``DotUnstuffingDecoder``.
public enum SMTPDataViolation: Error, Hashable, Sendable, CustomStringConvertible {
    /// A CR not followed by LF. RFC 5321 §2.3.8 forbids bare CR in SMTP; accepting it is what
    /// makes "SMTP smuggling" possible when servers disagree on where DATA ends.
    case bareCR
    /// An LF not preceded by CR (RFC 5321 §2.3.8); see ``bareCR``.
    case bareLF
    /// A line longer than the limit, CRLF included (RFC 5321 §4.5.3.1.6).
    case lineTooLong(limit: Int)

    /// The reply a server sends. Bare line endings get `550 5.6.11` (invalid line ending in the
    /// content); after it the server should close the connection, because it cannot know where the
    /// client thinks the message ended. A long line gets `550 5.5.6` (RFC 3463 §3.6 "syntax error",
    /// detail 6 as in "500 5.5.6 Line too long"), after which the session can go on.
    public var reply: SMTPReply {
        switch self {
        case .bareCR:
            SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 6, 11), "Bare CR received; lines must end with CRLF")
        case .bareLF:
            SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 6, 11), "Bare LF received; lines must end with CRLF")
        case .lineTooLong(let limit):
            SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 5, 6), "Message line longer than \(limit) octets")
        }
    }

    public var description: String { reply.lines[0] }
}

/// Decodes the DATA phase on a server: removes dot-stuffing and finds the end of data
/// (RFC 5321 §4.5.2), reading chunks of any size.
///
/// The end is recognized only as CRLF `.` CRLF, where the first CRLF may be the one ending the
/// DATA command — so a body that is just `.` CRLF is empty. Bare CR or LF anywhere is a thrown
/// ``SMTPDataViolation``, so forms like LF `.` LF or CR `.` CR can never end the message.
///
/// A line over the limit is not thrown: from there on no body is produced, the decoder keeps
/// looking for the end of data, and ``violation`` reports the problem, so the server can reject the
/// message after the terminator and keep the session. Between chunks only a state enum and a line
/// length counter are kept.
public struct DotUnstuffingDecoder: Sendable {
    /// The result of feeding a chunk.
    public enum Progress: Hashable, Sendable {
        case needMoreData
        /// The end of data was seen; `leftover` holds the bytes after it (pipelined commands).
        case complete(leftover: [UInt8])
    }

    private enum State: Sendable {
        case lineStart
        case lineStartDot
        case lineStartDotCR
        case inLine
        case inLineCR
        case complete
        case failed(SMTPDataViolation)
    }

    /// The longest allowed line including CRLF.
    public let maximumLineLength: Int
    /// A non-fatal violation seen so far; the message must then be rejected with its ``SMTPDataViolation/reply``.
    public private(set) var violation: SMTPDataViolation?

    private var state = State.lineStart
    private var lineLength = 0

    public init(maximumLineLength: Int = SMTPLimits.textLineLength) {
        self.maximumLineLength = maximumLineLength
    }

    /// Appends the unstuffed body octets of `chunk` to `body`.
    ///
    /// - Throws: ``SMTPDataViolation/bareCR`` or ``SMTPDataViolation/bareLF``; the decoder then
    ///   stays failed, and the connection should be closed.
    public mutating func decode(
        _ chunk: some Collection<UInt8>,
        into body: inout [UInt8]
    ) throws(SMTPDataViolation) -> Progress {
        var index = chunk.startIndex
        while index != chunk.endIndex {
            let byte = chunk[index]
            chunk.formIndex(after: &index)
            switch (state, byte) {
            case (.failed(let violation), _):
                throw violation
            case (.complete, _):
                preconditionFailure("DotUnstuffingDecoder fed after the end of data")
            case (.lineStart, UInt8(ascii: ".")):
                state = .lineStartDot
            case (.lineStartDot, UInt8(ascii: "\r")):
                state = .lineStartDotCR
            case (.lineStartDotCR, UInt8(ascii: "\n")):
                state = .complete
                return .complete(leftover: Array(chunk[index...]))
            case (.lineStart, UInt8(ascii: "\r")), (.inLine, UInt8(ascii: "\r")):
                state = .inLineCR
            case (.inLineCR, UInt8(ascii: "\n")):
                emit(UInt8(ascii: "\r"), into: &body)
                emit(UInt8(ascii: "\n"), into: &body)
                state = .lineStart
                lineLength = 0
            case (.inLineCR, _), (.lineStartDotCR, _):
                return try fail(.bareCR)
            case (_, UInt8(ascii: "\n")):
                return try fail(.bareLF)
            default:
                // RFC 5321 §4.5.2: a leading dot followed by other text is deleted, stuffed or not.
                lineLength += 1
                if lineLength + 2 > maximumLineLength, violation == nil {
                    violation = .lineTooLong(limit: maximumLineLength)
                }
                emit(byte, into: &body)
                state = .inLine
            }
        }
        if case .failed(let violation) = state {
            throw violation
        }
        return .needMoreData
    }

    /// ``decode(_:into:)`` returning the body octets of this chunk.
    public mutating func decode(
        _ chunk: some Collection<UInt8>
    ) throws(SMTPDataViolation) -> (body: [UInt8], progress: Progress) {
        var body: [UInt8] = []
        let progress = try decode(chunk, into: &body)
        return (body, progress)
    }

    private func emit(_ byte: UInt8, into body: inout [UInt8]) {
        if violation == nil {
            body.append(byte)
        }
    }

    private mutating func fail(_ violation: SMTPDataViolation) throws(SMTPDataViolation) -> Progress {
        state = .failed(violation)
        self.violation = violation
        throw violation
    }
}
