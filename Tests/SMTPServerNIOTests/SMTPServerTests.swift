import NIOCore
import SMTP
import Testing

@testable import SMTPServerNIO

/// The server over real sockets, driven byte by byte.
@Suite(.timeLimit(.minutes(1)))
struct SMTPServerTests {
    @Test func deliversTheUnstuffedMessage() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        let client = try await RawSMTPClient.connect(port: server.port)
        #expect(try await client.reply()?.lines.first == "relay.test ESMTP kube-mail")
        try await client.send("EHLO client.test\r\n")
        let ehlo = try #require(try await client.reply())
        #expect(
            ehlo.lines == ["relay.test", "PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]
        )
        try await client.send("MAIL FROM:<app@shop.test> BODY=8BITMIME\r\nRCPT TO:<a@example.com>\r\nDATA\r\n")
        #expect(try await client.codes(3) == ["250 2.1.0", "250 2.1.5", "354"])
        try await client.send("Subject: dots\r\n\r\n..leading dot\r\n.\r\n")
        #expect(try await client.codes(1) == ["250 2.0.0"])
        try await client.send("QUIT\r\n")
        #expect(try await client.codes(2) == ["221 2.0.0", "closed"])
        #expect(
            delegate.messages == [
                ReceivedMessage(
                    sender: "app@shop.test",
                    recipients: ["a@example.com"],
                    parameters: .init(body: .eightBitMIME),
                    body: Array("Subject: dots\r\n\r\n.leading dot\r\n".utf8)
                )
            ]
        )
        #expect(delegate.connections.first?.clientAddress == "127.0.0.1")
        try await server.stop()
        #expect(delegate.closedCount == 1)
    }

    /// RFC 2920: a burst of commands gets its replies in order.
    @Test func pipelinedCommandsAreAnsweredInOrder() async throws {
        let delegate = RecordingDelegate(.init(rejectedRecipients: ["no@example.com"]))
        let server = try await RunningServer.start(delegate: delegate)
        let client = try await RawSMTPClient.connect(port: server.port)
        _ = try await client.reply()
        try await client.send(
            "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@example.com>\r\nRCPT TO:<no@example.com>\r\nRCPT TO:<y@example.com>\r\nDATA\r\n"
        )
        #expect(try await client.codes(6) == ["250", "250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "354"])
        try await client.send("hello\r\n.\r\nRSET\r\nQUIT\r\n")
        #expect(try await client.codes(4) == ["250 2.0.0", "250 2.0.0", "221 2.0.0", "closed"])
        #expect(delegate.messages.map(\.recipients) == [["x@example.com", "y@example.com"]])
        try await server.stop()
    }

    @Test func dataEndsOnlyOnCRLFDotCRLF() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        let client = try await RawSMTPClient.connect(port: server.port)
        _ = try await client.reply()
        try await client.send("EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n")
        #expect(try await client.codes(4) == ["250", "250 2.1.0", "250 2.1.5", "354"])
        // A lone dot inside a line, and `.` split over writes, end nothing.
        try await client.send("a.\r\n. not the end\r\n")
        try await client.send("\r\n.")
        try await client.send("\r")
        try await client.send("\nNOOP\r\n")
        #expect(try await client.codes(2) == ["250 2.0.0", "250 2.0.0"])
        #expect(delegate.messages.first?.body == Array("a.\r\n not the end\r\n\r\n".utf8))
        try await server.stop()
    }

    /// SMTP smuggling: a bare LF must neither end a line nor end the data.
    @Test func bareLineFeedsAreRefused() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate)
        let command = try await RawSMTPClient.connect(port: server.port)
        _ = try await command.reply()
        try await command.send("EHLO c\nMAIL FROM:<a@b.test>\r\n")
        #expect(try await command.codes(2) == ["500 5.5.2", "closed"])

        let data = try await RawSMTPClient.connect(port: server.port)
        _ = try await data.reply()
        try await data.send("EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n")
        #expect(try await data.codes(4) == ["250", "250 2.1.0", "250 2.1.5", "354"])
        try await data.send("hello\n.\nMAIL FROM:<evil@b.test>\r\n")
        #expect(try await data.codes(2) == ["550 5.6.11", "closed"])
        #expect(delegate.messages.isEmpty)
        #expect(delegate.abortedCount >= 1)
        try await server.stop()
    }

    @Test func longLinesAreAnsweredAndSkipped() async throws {
        let server = try await RunningServer.start(delegate: RecordingDelegate())
        let client = try await RawSMTPClient.connect(port: server.port)
        _ = try await client.reply()
        try await client.send("NOOP " + String(repeating: "x", count: 600) + "\r\nNOOP\r\n")
        #expect(try await client.codes(2) == ["500 5.5.6", "250 2.0.0"])
        try await server.stop()
    }

    @Test func sizeLimits() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate) { $0.maximumMessageSize = 100 }
        let client = try await RawSMTPClient.connect(port: server.port)
        _ = try await client.reply()
        try await client.send(
            "EHLO c\r\nMAIL FROM:<a@b.test> SIZE=101\r\nMAIL FROM:<a@b.test> SIZE=50\r\nRCPT TO:<x@example.com>\r\nDATA\r\n"
        )
        #expect(try await client.codes(5) == ["250", "552 5.3.4", "250 2.1.0", "250 2.1.5", "354"])
        try await client.send(String(repeating: "0123456789", count: 20) + "\r\n.\r\n")
        #expect(try await client.codes(1) == ["552 5.3.4"])
        #expect(delegate.messages.isEmpty)
        try await server.stop()
    }

    @Test func refusedConnectionsGet554AndOnlyQuit() async throws {
        let delegate = RecordingDelegate(.init(refuseConnections: "unknown client 127.0.0.1"))
        let server = try await RunningServer.start(delegate: delegate)
        let client = try await RawSMTPClient.connect(port: server.port)
        let greeting = try #require(try await client.reply())
        #expect(greeting.code == 554 && greeting.lines == ["unknown client 127.0.0.1"])
        try await client.send("EHLO c\r\nMAIL FROM:<a@b.test>\r\nDATA\r\nQUIT\r\n")
        #expect(try await client.codes(5) == ["503 5.7.1", "503 5.7.1", "503 5.7.1", "221 2.0.0", "closed"])
        // Without QUIT, a refused connection is closed after the timeout.
        try await server.stop()
        let quick = try await RunningServer.start(delegate: delegate) {
            $0.refusedConnectionTimeout = .milliseconds(200)
        }
        let silent = try await RawSMTPClient.connect(port: quick.port)
        _ = try await silent.reply()
        #expect(try await silent.waitForClose(timeout: .seconds(3)))
        try await quick.stop()
    }

    @Test func connectionLimit() async throws {
        let server = try await RunningServer.start(delegate: RecordingDelegate()) { $0.maximumConnections = 1 }
        let first = try await RawSMTPClient.connect(port: server.port)
        #expect(try await first.codes(1) == ["220"])
        let second = try await RawSMTPClient.connect(port: server.port)
        #expect(try await second.codes(2) == ["421 4.3.2", "closed"])
        await first.close()
        try await server.stop()
    }

    @Test func idleTimeout() async throws {
        let server = try await RunningServer.start(delegate: RecordingDelegate()) {
            $0.idleTimeout = .milliseconds(300)
        }
        let client = try await RawSMTPClient.connect(port: server.port)
        #expect(try await client.codes(3) == ["220", "421 4.4.2", "closed"])
        try await server.stop()
    }

    @Test func startTLSForgetsEHLOAndRefusesInjectedPlaintext() async throws {
        let tls = try TestCertificate.serverTLS()
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate) { $0.tls = tls }
        let client = try await RawSMTPClient.connect(port: server.port)
        _ = try await client.reply()
        try await client.send("EHLO c\r\n")
        #expect(try await client.reply()?.lines.contains("STARTTLS") == true)
        try await client.send("STARTTLS\r\n")
        #expect(try await client.codes(1) == ["220 2.0.0"])
        try await client.startTLS()
        try await client.send("MAIL FROM:<a@b.test>\r\nEHLO c\r\n")
        #expect(try await client.codes(1) == ["503 5.5.1"])
        let ehlo = try #require(try await client.reply())
        #expect(!ehlo.lines.contains("STARTTLS"))
        try await client.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@example.com>\r\nDATA\r\nover TLS\r\n.\r\n")
        #expect(try await client.codes(4) == ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"])
        #expect(delegate.messages.first?.body == Array("over TLS\r\n".utf8))

        // CVE-2011-0411: commands sent behind STARTTLS before the handshake are not executed.
        let injector = try await RawSMTPClient.connect(port: server.port)
        _ = try await injector.reply()
        try await injector.send("EHLO c\r\n")
        _ = try await injector.reply()
        try await injector.send("STARTTLS\r\nMAIL FROM:<evil@b.test>\r\n")
        #expect(try await injector.codes(1) == ["closed"])
        try await server.stop()
    }

    /// Shutdown: idle connections get 421 at once; an open transaction finishes first.
    @Test func gracefulDrain() async throws {
        let delegate = RecordingDelegate()
        let server = try await RunningServer.start(delegate: delegate) {
            // Long enough for a loaded machine; the test ends when the transaction does.
            $0.drainGracePeriod = .seconds(60)
            $0.hostname = "drain.test"
        }
        let idle = try await RawSMTPClient.connect(port: server.port)
        _ = try await idle.reply()
        let busy = try await RawSMTPClient.connect(port: server.port)
        _ = try await busy.reply()
        try await busy.send("EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n")
        #expect(try await busy.codes(4) == ["250", "250 2.1.0", "250 2.1.5", "354"])
        try await busy.send("first half\r\n")

        await server.group.triggerGracefulShutdown()
        #expect(try await idle.codes(2) == ["421 4.3.2", "closed"])
        try await busy.send("second half\r\n.\r\n")
        #expect(try await busy.codes(3) == ["250 2.0.0", "421 4.3.2", "closed"])
        #expect(delegate.messages.first?.body == Array("first half\r\nsecond half\r\n".utf8))
        try await server.task.value
        // The port is closed now; a parallel test may have taken it, but never this server.
        if let late = try? await RawSMTPClient.connect(port: server.port) {
            #expect(try await late.reply()?.lines.first?.hasPrefix("drain.test") != true)
            await late.close()
        }
    }

    @Test func drainGracePeriodEndsStuckTransactions() async throws {
        let server = try await RunningServer.start(delegate: RecordingDelegate()) {
            $0.drainGracePeriod = .milliseconds(300)
        }
        let stuck = try await RawSMTPClient.connect(port: server.port)
        _ = try await stuck.reply()
        try await stuck.send("EHLO c\r\nMAIL FROM:<a@b.test>\r\n")
        #expect(try await stuck.codes(2) == ["250", "250 2.1.0"])
        await server.group.triggerGracefulShutdown()
        #expect(try await stuck.codes(2) == ["421 4.3.2", "closed"])
        try await server.task.value
    }
}

struct SMTPServerFramerTests {
    @Test(arguments: [
        ("DATA", true), ("data", true), ("DaTa  ", true), ("STARTTLS", true), ("starttls ", true), ("DATA x", false),
        ("DAT", false), ("DATAX", false), ("MAIL FROM:<a@b>", false), ("", false), ("STARTTLSX", false),
    ])
    func holdsInputAfterDataAndStartTLS(line: String, holds: Bool) {
        #expect(SMTPServerFramer.holdsInput(after: Array(line.utf8)) == holds)
    }
}
