import KubeMailTestSupport
import NIOCore
import SMTP
import SMTPClientNIO
import Testing

@Suite("SMTPClientConnection transactions", .timeLimit(.minutes(1)))
struct SMTPClientConnectionTests {
    /// Lines starting with '.', 8-bit and UTF-8 text, and no final CRLF; split so that a dot at a
    /// line start falls at the start of a chunk.
    static let messageChunks: [[UInt8]] = [
        Array("Subject: Grüße ✓\r\n\r\n.leading dot\r\n..two dots\r\n".utf8),
        Array(".".utf8),
        Array("split dot\r\nLatin-1 byte: ".utf8) + [0xE9, 0xFF],
        Array("\r\nlast line without CRLF".utf8),
    ]

    static let expectedWire: [UInt8] =
        Array("Subject: Grüße ✓\r\n\r\n..leading dot\r\n...two dots\r\n..split dot\r\nLatin-1 byte: ".utf8)
        + [0xE9, 0xFF] + Array("\r\nlast line without CRLF\r\n.\r\n".utf8)

    @Test func deliversExactBytesInLockStep() async throws {
        try await withFakeServer { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            #expect(await connection.greeting.code == 220)
            #expect(await connection.capabilities.supportsPipelining)
            #expect(await connection.isEncrypted == false)

            let mail = try await connection.mail(
                from: TestSupport.sender,
                parameters: SMTPMailParameters(body: .eightBitMIME)
            )
            #expect(mail.code == 250)
            #expect(try await connection.recipient(.mailbox(TestSupport.mailbox("one"))).code == 250)
            #expect(try await connection.data().code == 354)
            for chunk in Self.messageChunks {
                try await connection.sendBody(chunk)
            }
            let final = try await connection.finishBody()
            #expect(final.code == 250)
            #expect(await connection.isUsable)
            let quit = try await connection.quit()
            #expect(quit.code == 221)
            #expect(await connection.isUsable == false)

            let session = try #require(server.sessions.first)
            #expect(session.messages == [Self.expectedWire])
            #expect(
                session.commands == [
                    "EHLO client.test", "MAIL FROM:<app@example.org> BODY=8BITMIME", "RCPT TO:<one@example.net>",
                    "DATA", "QUIT",
                ]
            )
        }
    }

    @Test func emptyMessageAndMessageEndingInCRLF() async throws {
        try await withFakeServer { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            let envelope = SMTPEnvelope(sender: nil, recipients: [.init(TestSupport.mailbox("one"))])
            let first = try await connection.send(envelope: envelope, message: [])
            let second = try await connection.send(envelope: envelope, message: Array("a\r\n".utf8))
            #expect(first.isDelivered && second.isDelivered)
            await connection.close()
            #expect(server.sessions.first?.messages == [Array(".\r\n".utf8), Array("a\r\n.\r\n".utf8)])
            #expect(server.allCommands.contains("MAIL FROM:<>"))
        }
    }

    @Test func returnsPerRecipientRejectionsInLockStep() async throws {
        var script = FakeSMTPServer.Script()
        script.recipientReply = { argument in
            argument.contains("bad@")
                ? SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 1, 1), "No such user")
                : SMTPReply(code: 250, SMTPEnhancedStatusCode(2, 1, 5), "OK")
        }
        try await withFakeServer(script) { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            _ = try await connection.mail(from: TestSupport.sender)
            let replies = [
                try await connection.recipient(.mailbox(TestSupport.mailbox("good1"))),
                try await connection.recipient(.mailbox(TestSupport.mailbox("bad"))),
                try await connection.recipient(.mailbox(TestSupport.mailbox("good2"))),
            ]
            #expect(replies.map(\.code) == [250, 550, 250])
            #expect(replies[1].enhancedStatusCode == SMTPEnhancedStatusCode(5, 1, 1))
            #expect(replies[1].lines == ["No such user"])
            #expect(try await connection.reset().code == 250)
            #expect(await connection.isUsable)
            await connection.close()
        }
    }

    @Test(arguments: [true, false])
    func sendsEnvelopePipelinedOnlyWhenOffered(pipelining: Bool) async throws {
        var script = FakeSMTPServer.Script()
        script.extensions = pipelining ? ["PIPELINING", "8BITMIME"] : ["8BITMIME"]
        script.recipientReply = { argument in
            argument.contains("bad@")
                ? SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 1, 1), "No such user")
                : SMTPReply(code: 250, SMTPEnhancedStatusCode(2, 1, 5), "OK")
        }
        try await withFakeServer(script) { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            let envelope = SMTPEnvelope(
                sender: TestSupport.sender,
                recipients: [
                    .init(TestSupport.mailbox("one")), .init(TestSupport.mailbox("bad")),
                    .init(TestSupport.mailbox("two")),
                ]
            )
            let result = try await connection.send(envelope: envelope, body: ChunkSequence(chunks: Self.messageChunks))
            #expect(result.mail.code == 250)
            #expect(result.recipients.map(\.reply.code) == [250, 550, 250])
            #expect(result.data?.code == 354)
            #expect(result.message?.code == 250)
            #expect(result.isDelivered)
            #expect(
                result.acceptedRecipients.map(\.address) == [
                    .mailbox(TestSupport.mailbox("one")), .mailbox(TestSupport.mailbox("two")),
                ]
            )
            await connection.close()

            let session = try #require(server.sessions.first)
            #expect(session.messages == [Self.expectedWire])
            let reads = session.reads.map { String(decoding: $0, as: UTF8.self) }
            let groupedRead = reads.first { $0.contains("MAIL FROM:") }
            let expectedGroup =
                "MAIL FROM:<app@example.org>\r\nRCPT TO:<one@example.net>\r\nRCPT TO:<bad@example.net>\r\n"
                + "RCPT TO:<two@example.net>\r\nDATA\r\n"
            if pipelining {
                #expect(groupedRead == expectedGroup)
            } else {
                #expect(groupedRead == "MAIL FROM:<app@example.org>\r\n")
                #expect(reads.filter { $0.hasPrefix("RCPT TO:") }.count == 3)
            }
        }
    }

    @Test(arguments: [true, false])
    func skipsTheBodyWhenEveryRecipientIsRefused(pipelining: Bool) async throws {
        var script = FakeSMTPServer.Script()
        script.extensions = pipelining ? ["PIPELINING"] : []
        script.recipientReply = { _ in SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 1, 1), "No such user") }
        // A server that (wrongly) accepts DATA anyway must get an empty message, not the real one.
        try await withFakeServer(script) { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            let envelope = SMTPEnvelope(sender: TestSupport.sender, recipients: [.init(TestSupport.mailbox("bad"))])
            let result = try await connection.send(envelope: envelope, message: Array("secret\r\n".utf8))
            #expect(result.recipients.map(\.reply.code) == [550])
            #expect(result.isDelivered == false)
            #expect(await connection.isUsable)
            await connection.close()
            let session = try #require(server.sessions.first)
            #expect(session.messages == (pipelining ? [Array(".\r\n".utf8)] : []))
            #expect(session.commands.contains("DATA") == pipelining)
            // Without pipelining the transaction is reset; with it, the server ended it by
            // answering the empty message.
            #expect(session.commands.contains("RSET") == !pipelining)
        }
    }

    @Test func sendsFromTheConfiguredLocalAddress() async throws {
        try await withFakeServer { server in
            var configuration = TestSupport.configuration(server)
            configuration.localAddress = "127.0.0.2"
            let connection = try await TestSupport.connect(configuration)
            #expect(connection.localAddress?.ipAddress == "127.0.0.2")
            await connection.close()
            #expect(server.sessions.first?.remoteAddress?.ipAddress == "127.0.0.2")
        }
    }

    @Test func refusesCommandsOutOfOrder() async throws {
        try await withFakeServer { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            let error = await TestSupport.clientError {
                _ = try await connection.recipient(.mailbox(TestSupport.mailbox("one")))
            }
            #expect(error?.kind == .invalidUse)
            let dataError = await TestSupport.clientError { try await connection.sendBody(Array("x".utf8)) }
            #expect(dataError?.kind == .invalidUse)
            #expect(await connection.isUsable)
            #expect(try await connection.noop().code == 250)
            await connection.close()
            #expect(!server.allCommands.contains { $0.hasPrefix("RCPT") })
        }
    }

    @Test func rejectedGreetingIsAnError() async throws {
        var script = FakeSMTPServer.Script()
        script.greeting = SMTPReply(code: 554, SMTPEnhancedStatusCode(5, 3, 2), "No service")
        try await withFakeServer(script) { server in
            let error = await TestSupport.clientError {
                _ = try await TestSupport.connect(TestSupport.configuration(server))
            }
            #expect(error?.kind == .greetingRejected)
            #expect(error?.reply?.code == 554)
            #expect(error?.suggestedReply.code == 451)
            #expect(!server.allCommands.contains { $0.hasPrefix("EHLO") })
        }
    }

    @Test func serverDroppingTheConnectionMidDataIsThrown() async throws {
        var script = FakeSMTPServer.Script()
        script.closeAfterMessageBytes = 100
        try await withFakeServer(script) { server in
            let connection = try await TestSupport.connect(TestSupport.configuration(server))
            _ = try await connection.mail(from: TestSupport.sender)
            _ = try await connection.recipient(.mailbox(TestSupport.mailbox("one")))
            #expect(try await connection.data().code == 354)
            let error = await TestSupport.clientError {
                for _ in 0..<50 {
                    try await connection.sendBody(Array(repeating: UInt8(ascii: "x"), count: 1000) + Array("\r\n".utf8))
                }
                _ = try await connection.finishBody()
            }
            #expect(error == .serverClosedConnection)
            #expect(error?.suggestedReply.enhancedStatusCode == SMTPEnhancedStatusCode(4, 4, 2))
            #expect(await connection.isUsable == false)
            // Every later call fails the same way instead of talking to a dead server.
            let later = await TestSupport.clientError { _ = try await connection.noop() }
            #expect(later == .serverClosedConnection)
            await connection.close()
        }
    }

    @Test func unreachableServerIsConnectFailed() async throws {
        // A port that is bound but not listened on refuses, and no other test can take it over.
        let refusing = try RefusingPort()
        let configuration = SMTPClientConfiguration(host: "127.0.0.1", port: refusing.port, security: .plain)
        let error = await TestSupport.clientError { _ = try await TestSupport.connect(configuration) }
        withExtendedLifetime(refusing) {}
        #expect(error?.kind == .connectFailed)
        #expect(error?.suggestedReply.enhancedStatusCode == SMTPEnhancedStatusCode(4, 4, 1))
    }
}
