import NIOCore
import NIOSSL
import SMTP
import SMTPClientNIO
import Testing

@Suite("SMTPClientConnection TLS", .timeLimit(.minutes(1)))
struct SMTPClientTLSTests {
    static func startTLSScript(extensions: [String] = ["STARTTLS", "PIPELINING"]) async throws -> FakeSMTPServer.Script
    {
        var script = FakeSMTPServer.Script()
        script.tls = try await TestCertificate.load().serverContext()
        script.extensions = extensions
        // AUTH only after TLS, as real submission servers do.
        script.extensionsAfterTLS = ["PIPELINING", "AUTH PLAIN LOGIN"]
        script.authentication = FakeSASLServer(username: "user", password: "pencil", mechanism: .plain)
        return script
    }

    @Test func startTLSRequiredButNotOfferedSendsNothingElse() async throws {
        try await withFakeServer(try await Self.startTLSScript(extensions: ["PIPELINING", "AUTH PLAIN"])) { server in
            let configuration = TestSupport.configuration(
                server,
                security: .startTLS,
                tls: try await TestSupport.trustingTestCertificate(),
                authentication: SMTPAuthentication(username: "user", password: "pencil")
            )
            let error = await TestSupport.clientError { _ = try await TestSupport.connect(configuration) }
            #expect(error == .startTLSNotOffered)
            #expect(error?.suggestedReply.code == 451)
            let commands = server.allCommands
            #expect(commands.first == "EHLO client.test")
            #expect(commands.allSatisfy { $0 == "EHLO client.test" || $0 == "QUIT" })
        }
    }

    @Test func startTLSThenEHLOAgainUsesTheNewCapabilities() async throws {
        try await withFakeServer(try await Self.startTLSScript()) { server in
            let configuration = TestSupport.configuration(
                server,
                security: .startTLS,
                tls: try await TestSupport.trustingTestCertificate(),
                authentication: SMTPAuthentication(username: "user", password: "pencil")
            )
            let connection = try await TestSupport.connect(configuration)
            #expect(await connection.isEncrypted)
            #expect(await connection.capabilities.supportsStartTLS == false)
            #expect(await connection.capabilities.authMechanisms == ["PLAIN", "LOGIN"])
            #expect(await connection.authenticatedMechanism == .plain)
            let envelope = SMTPEnvelope(sender: TestSupport.sender, recipients: [.init(TestSupport.mailbox("one"))])
            let result = try await connection.send(envelope: envelope, message: Array("Hello\r\n.dot\r\n".utf8))
            #expect(result.isDelivered)
            await connection.close()

            let session = try #require(server.sessions.first)
            #expect(session.isTLS && session.authenticated)
            #expect(
                Array(session.commands.prefix(4)) == [
                    "EHLO client.test", "STARTTLS", "EHLO client.test",
                    "AUTH PLAIN \(TestSupport.base64([0] + Array("user".utf8) + [0] + Array("pencil".utf8)))",
                ]
            )
            #expect(session.messages == [Array("Hello\r\n..dot\r\n.\r\n".utf8)])
        }
    }

    @Test func untrustedCertificateFailsUnlessVerificationIsSkipped() async throws {
        try await withFakeServer(try await Self.startTLSScript()) { server in
            let untrusted = TestSupport.configuration(
                server,
                security: .startTLS,
                tls: SMTPTLSConfiguration(serverName: "localhost")
            )
            let error = await TestSupport.clientError { _ = try await TestSupport.connect(untrusted) }
            #expect(error?.kind == .tlsFailed)
            #expect(!server.allCommands.contains { $0.hasPrefix("MAIL") || $0.hasPrefix("AUTH") })

            let skipping = TestSupport.configuration(
                server,
                security: .startTLS,
                tls: SMTPTLSConfiguration(insecureSkipVerify: true, serverName: "localhost")
            )
            let connection = try await TestSupport.connect(skipping)
            #expect(await connection.isEncrypted)
            await connection.close()
        }
    }

    @Test func certificateForAnotherNameFails() async throws {
        try await withFakeServer(try await Self.startTLSScript()) { server in
            var tls = try await TestSupport.trustingTestCertificate()
            tls.serverName = "mail.example.com"
            let error = await TestSupport.clientError {
                _ = try await TestSupport.connect(TestSupport.configuration(server, security: .startTLS, tls: tls))
            }
            #expect(error?.kind == .tlsFailed)
        }
    }

    @Test func trustRootsFromAPEMFile() async throws {
        try await withFakeServer(try await Self.startTLSScript()) { server in
            let tls = SMTPTLSConfiguration.trusting(
                pemFiles: [try await TestCertificate.load().certificatePath],
                serverName: "localhost"
            )
            let connection = try await TestSupport.connect(
                TestSupport.configuration(server, security: .startTLS, tls: tls)
            )
            #expect(await connection.isEncrypted)
            await connection.close()
        }
    }

    @Test func plaintextAfterTheStartTLSReplyIsRefused() async throws {
        var script = try await Self.startTLSScript()
        script.injectAfterStartTLS = "250 injected\r\n"
        try await withFakeServer(script) { server in
            let configuration = TestSupport.configuration(
                server,
                security: .startTLS,
                tls: try await TestSupport.trustingTestCertificate()
            )
            let error = await TestSupport.clientError { _ = try await TestSupport.connect(configuration) }
            #expect(error?.kind == .protocolViolation)
        }
    }

    @Test func implicitTLS() async throws {
        var script = FakeSMTPServer.Script()
        script.tls = try await TestCertificate.load().serverContext()
        script.implicitTLS = true
        try await withFakeServer(script) { server in
            let configuration = TestSupport.configuration(
                server,
                security: .implicitTLS,
                tls: try await TestSupport.trustingTestCertificate()
            )
            let connection = try await TestSupport.connect(configuration)
            #expect(await connection.isEncrypted)
            let envelope = SMTPEnvelope(sender: TestSupport.sender, recipients: [.init(TestSupport.mailbox("one"))])
            #expect(try await connection.send(envelope: envelope, message: Array("Hi\r\n".utf8)).isDelivered)
            await connection.close()
            let session = try #require(server.sessions.first)
            #expect(session.isTLS)
            #expect(session.commands.first == "EHLO client.test")
            #expect(session.messages == [Array("Hi\r\n.\r\n".utf8)])

            let untrusted = TestSupport.configuration(
                server,
                security: .implicitTLS,
                tls: SMTPTLSConfiguration(serverName: "localhost")
            )
            let error = await TestSupport.clientError { _ = try await TestSupport.connect(untrusted) }
            #expect(error?.kind == .tlsFailed)
            // The untrusted session never got a byte of SMTP through.
            #expect(server.sessions.count == 2 && server.sessions[1].commands.isEmpty)
        }
    }
}
