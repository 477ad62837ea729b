import Foundation
import KubeMailTestSupport
import SMTPServerNIO
import Testing

/// Real clients nobody here wrote drive the server: swaks and Postfix's smtp-source.
@Suite(.timeLimit(.minutes(3)))
struct RealClientTests {
    struct Output {
        var status: Int32
        var transcript: String
    }

    /// Runs a peer program; a missing one fails the test with how to install it.
    static func run(_ program: String, _ arguments: [String]) async throws -> Output {
        let result = try await ExternalProcess.run(try ExternalProcess.systemTool(program), arguments)
        return Output(status: result.status, transcript: result.standardOutput + result.standardError)
    }

    static func swaks(port: Int, _ arguments: [String]) async throws -> Output {
        try await run(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", String(port), "--from", "app@shop.test", "--to", "user@example.com",
                "--timeout", "10",
            ]
                + arguments
        )
    }

    @Test func swaksPipelinedDelivery() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        let output = try await Self.swaks(
            port: server.port,
            ["--pipeline", "--to", "a@example.com,b@example.com", "--data", "Subject: hi\r\n\r\nbody"]
        )
        #expect(output.status == 0, "\(output.transcript)")
        #expect(output.transcript.contains("PIPELINING"))
        #expect(delegate.messages.map(\.recipients) == [["a@example.com", "b@example.com"]])
        #expect(delegate.messages.first?.body == Array("Subject: hi\r\n\r\nbody\r\n".utf8), "swaks adds the final CRLF")
        try await server.stop()
    }

    @Test func swaksStartTLS() async throws {
        let tls = try TestCertificate.serverTLS()
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate) { $0.tls = tls }
        let output = try await Self.swaks(port: server.port, ["--tls", "--data", "Subject: tls\r\n\r\nsecret"])
        #expect(output.status == 0, "\(output.transcript)")
        #expect(output.transcript.contains("TLS started"))
        #expect(delegate.messages.first?.body == Array("Subject: tls\r\n\r\nsecret\r\n".utf8))
        try await server.stop()
    }

    /// Lines that start with a dot arrive unstuffed; 8-bit and UTF-8 content passes unchanged.
    @Test func swaksDotLinesAnd8BitContent() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        // swaks ends the data with CRLF itself, so the data given here has no final CRLF.
        let data = "Subject: =?UTF-8?B?w6TDtsO8?=\r\n\r\n.one dot\r\n..two dots\r\n.\tdot tab\r\nGrüße aus Köln ✉️"
        let output = try await Self.swaks(port: server.port, ["--data", data])
        #expect(output.status == 0, "\(output.transcript)")
        #expect(delegate.messages.first.map { String(decoding: $0.body, as: UTF8.self) } == data + "\r\n")
        try await server.stop()
    }

    @Test func swaksMessageOverTheSizeLimit() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate) { $0.maximumMessageSize = 1000 }
        let output = try await Self.swaks(
            port: server.port,
            ["--data", "Subject: big\r\n\r\n" + String(repeating: "x", count: 2000) + "\r\n"]
        )
        #expect(output.status != 0)
        #expect(output.transcript.contains("552 5.3.4"))
        #expect(output.transcript.contains("SIZE 1000"))
        #expect(delegate.messages.isEmpty)
        try await server.stop()
    }

    @Test func swaksBareLineFeedIsRejected() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        let output = try await Self.swaks(
            port: server.port,
            ["--no-data-fixup", "--data", "Subject: x\n\nsmuggled\n.\n"]
        )
        #expect(output.status != 0)
        #expect(output.transcript.contains("550 5.6.11"))
        #expect(delegate.messages.isEmpty)
        try await server.stop()
    }

    /// RFC 6531 §3.4: without SMTPUTF8, a UTF-8 address is refused rather than mangled.
    @Test func swaksUTF8AddressWithoutSMTPUTF8() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        let output = try await Self.swaks(port: server.port, ["--from", "jörg@bücher.de", "--data", "x\r\n"])
        #expect(output.status != 0)
        #expect(output.transcript.contains("553 5.6.7"))
        #expect(output.transcript.contains("SMTPUTF8"))
        try await server.stop()
    }

    /// Load: 20 concurrent sessions send 2,000 messages, all received intact.
    @Test func smtpSourceLoad() async throws {
        let delegate = RecordingDelegate(.init(keepBodies: false))
        let server = try await RunningServer.start(delegate: delegate)
        let output = try await Self.run(
            "smtp-source",
            [
                "-s", "20", "-m", "2000", "-l", "1024", "-f", "load@shop.test", "-t", "sink@example.com",
                "127.0.0.1:\(server.port)",
            ]
        )
        #expect(output.status == 0, "\(output.transcript)")
        #expect(delegate.messageCount == 2000)
        // Headers differ (Date, Message-Id); the bodies must all be the same, and complete.
        #expect(delegate.distinctBodies.count == 1)
        #expect((delegate.distinctBodies.first?.count ?? 0) >= 1024)
        try await server.stop()
    }
}
