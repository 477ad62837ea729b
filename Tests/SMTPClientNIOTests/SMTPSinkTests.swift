import Foundation
import KubeMailTestSupport
import SMTP
import SMTPClientNIO
import Testing

/// Delivery through Postfix's `smtp-sink`, a real SMTP server implementation. A missing
/// smtp-sink fails the test with how to install it.
@Suite("smtp-sink", .timeLimit(.minutes(1)))
struct SMTPSinkTests {
    @Test func deliversThroughSMTPSink() async throws {
        let path = try ExternalProcess.systemTool("smtp-sink").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // smtp-sink drops to the postfix user before writing its dumps.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)

        var sink: Process?
        var connection: SMTPClientConnection?
        defer {
            // smtp-sink does not exit on SIGTERM while it has no client; end it by its PID.
            if let sink {
                kill(sink.processIdentifier, SIGKILL)
                sink.waitUntilExit()
            }
        }
        // A port released by a probe can be taken by a parallel test before smtp-sink binds it;
        // then smtp-sink exits and another port is tried.
        for _ in 0..<3 where connection == nil {
            let probe = try await FakeSMTPServer.start(FakeSMTPServer.Script())
            let port = probe.port
            await probe.stop()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments =
                (geteuid() == 0 ? ["-u", "postfix"] : []) + [
                    "-a", "-d", directory.path + "/%M.", "127.0.0.1:\(port)", "256",
                ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: port, security: .plain)
            configuration.timeouts = .uniform(.seconds(10))
            for _ in 0..<100 where connection == nil && process.isRunning {
                connection = try? await TestSupport.connect(configuration)
                if connection == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            if connection == nil {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            } else {
                sink = process
            }
        }
        let client = try #require(connection, "smtp-sink did not start listening")
        #expect(await client.capabilities.supportsPipelining)

        let envelope = SMTPEnvelope(
            sender: TestSupport.sender,
            recipients: [.init(TestSupport.mailbox("one")), .init(TestSupport.mailbox("two"))]
        )
        let message = Array("Subject: sink test\r\n\r\n.dot line\r\nGrüße\r\nend".utf8)
        let result = try await client.send(envelope: envelope, message: message)
        #expect(result.isDelivered)
        #expect(result.recipients.map(\.reply.code) == [250, 250])
        #expect(try await client.quit().code == 221)

        // The dump holds the envelope and the unstuffed message.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let file = try #require(files.first)
        let dump = try String(decoding: Data(contentsOf: directory.appendingPathComponent(file)), as: UTF8.self)
        #expect(dump.contains("one@example.net"))
        #expect(dump.contains("two@example.net"))
        #expect(dump.contains("\r\n.dot line\r\n") || dump.contains("\n.dot line\n"))
        #expect(dump.contains("Grüße"))
    }
}
