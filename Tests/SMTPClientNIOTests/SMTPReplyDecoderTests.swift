import NIOCore
import NIOEmbedded
import SMTP
import Testing

@testable import SMTPClientNIO

@Suite("SMTPReplyDecoder")
struct SMTPReplyDecoderTests {
    static func decode(_ text: String) throws -> [SMTPReply] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(string: text))
        var replies: [SMTPReply] = []
        while let reply = try channel.readInbound(as: SMTPReply.self) {
            replies.append(reply)
        }
        return replies
    }

    @Test func decodesMultiLineRepliesSplitAnywhere() throws {
        let replies = try Self.decode(
            "250-mx.example greets you\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n220 2.0.0 Ready\r\n"
        )
        #expect(replies.count == 2)
        #expect(replies.first?.lines == ["mx.example greets you", "PIPELINING", "AUTH PLAIN"])
        #expect(replies.last?.enhancedStatusCode == SMTPEnhancedStatusCode(2, 0, 0))
    }

    @Test func rejectsOverlongLinesWithoutBufferingThem() {
        #expect(throws: SMTPClientError.self) {
            _ = try Self.decode("250 " + String(repeating: "x", count: 600))
        }
        #expect(throws: SMTPClientError.self) {
            _ = try Self.decode("250 " + String(repeating: "x", count: 600) + "\r\n")
        }
    }

    @Test func rejectsBareLFAndGarbage() {
        #expect(throws: SMTPClientError.self) { _ = try Self.decode("250 OK\n") }
        #expect(throws: SMTPClientError.self) { _ = try Self.decode("hello\r\n") }
    }

    @Test func rejectsRepliesWithTooManyLines() {
        let text = String(repeating: "250-x\r\n", count: 1001) + "250 end\r\n"
        #expect(throws: SMTPClientError.self) { _ = try Self.decode(text) }
    }
}
