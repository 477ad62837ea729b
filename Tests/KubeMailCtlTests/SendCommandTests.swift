import Foundation
import KubeMailTestSupport
import Testing

/// `kubemailctl send` against a real Postfix with SASL.
@Suite(.timeLimit(.minutes(2)))
struct SendCommandTests {
    var kubemailctl: URL { TestSupport.productsDirectory.appendingPathComponent("kubemailctl") }

    @Test func sendsThroughPostfixWithStartTLSAndAuthentication() async throws {
        let peer = try await PostfixPeer.start()
        let directory = try TestSupport.temporaryDirectory()
        let passwordFile = directory.appendingPathComponent("password")
        try peer.password.write(to: passwordFile, atomically: true, encoding: .utf8)
        do {
            let sent = try await TestSupport.run(
                kubemailctl,
                [
                    "send", "--server", "127.0.0.1:\(peer.startTLSPort)", "--connect", "starttls", "--ca-file",
                    peer.certificate.path,
                    "--user", peer.username, "--password-file", passwordFile.path, "--auth", "SCRAM-SHA-256",
                    "--from", "app@shop.test", "--to", "user@example.test", "--subject", "Grüße", "--body",
                    ".dot\nsecond line",
                ]
            )
            #expect(sent.status == 0, "\(sent.standardOutput)\(sent.standardError)")
            #expect(sent.standardOutput.contains("RCPT TO:    <user@example.test>  250 2.1.5"))
            #expect(sent.standardOutput.contains("end of data: 250 2.0.0"))
            #expect(!(sent.standardOutput + sent.standardError).contains(peer.password))
            let delivered = try await peer.waitForMessages(1)
            let text = delivered.first.map { String(decoding: $0.content, as: UTF8.self) } ?? ""
            #expect(text.contains("Subject: Grüße\n"))
            #expect(text.hasSuffix("\n\n.dot\nsecond line\n"))

            try "wrong".write(to: passwordFile, atomically: true, encoding: .utf8)
            let refused = try await TestSupport.run(
                kubemailctl,
                [
                    "send", "--server", "127.0.0.1:\(peer.tlsPort)", "--connect", "ssl", "--ca-file",
                    peer.certificate.path,
                    "--user", peer.username, "--password-file", passwordFile.path, "--to", "user@example.test",
                ]
            )
            #expect(refused.status == 1)
            #expect(refused.standardOutput.contains("535 5.7.8"))
            let usage = try await TestSupport.run(kubemailctl, ["send", "--server", "127.0.0.1:\(peer.plainPort)"])
            #expect(usage.status == 2, "no recipient is a usage error")
        } catch {
            try await peer.stop()
            throw error
        }
        try await peer.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
