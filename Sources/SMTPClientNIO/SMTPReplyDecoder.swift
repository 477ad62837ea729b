import NIOCore
import SMTP

/// Turns the bytes a server sends into ``SMTP/SMTPReply`` values.
///
/// Memory stays bounded whatever the server sends: a line longer than 512 octets including
/// CRLF (RFC 5321 §4.5.3.1.5) is an error as soon as 512 octets have arrived without a line end,
/// and `SMTPReplyParser` limits a reply to ``maximumLineCount`` lines. Only CRLF ends a line
/// (RFC 5321 §2.3.8); a bare LF is an error rather than a guess.
///
/// A class, not a struct, so ``SMTPReplyHandler`` can ask whether anything is buffered: after the
/// `220` to STARTTLS, any byte the server sent behind it came in plaintext and must not be read
/// as if it came through TLS (RFC 3207 §6, the client side of CVE-2011-0411).
final class SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    private var parser: SMTPReplyParser
    /// Bytes received but not yet part of a returned reply (a partial line or reply).
    private(set) var bufferedByteCount = 0

    init(maximumLineCount: Int = 1000) {
        parser = SMTPReplyParser(maximumLineCount: maximumLineCount)
    }

    /// Whether bytes or lines of an unfinished reply are held.
    var hasPendingInput: Bool { bufferedByteCount > 0 || parser.isInsideReply }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        defer { bufferedByteCount = buffer.readableBytes }
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes >= SMTPLimits.replyLineLength {
                throw SMTPClientError.protocolViolation("reply line longer than \(SMTPLimits.replyLineLength) octets")
            }
            return .needMoreData
        }
        let length = newline - view.startIndex + 1
        guard length <= SMTPLimits.replyLineLength else {
            throw SMTPClientError.protocolViolation("reply line longer than \(SMTPLimits.replyLineLength) octets")
        }
        guard length >= 2, view[newline - 1] == UInt8(ascii: "\r") else {
            throw SMTPClientError.protocolViolation("reply line ends in a bare LF")
        }
        guard let line = buffer.readBytes(length: length) else { return .needMoreData }
        let reply: SMTPReply?
        do {
            reply = try parser.parse(line: Array(line.dropLast(2)))
        } catch {
            throw SMTPClientError.protocolViolation("malformed reply: \(error)")
        }
        if let reply {
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Complete replies before the close still count (a 421 just before closing, say); a partial
        // line cannot be finished any more and is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
