import Foundation
import KubeMailTestSupport
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SMTP
import SMTPClientNIO
import SMTPServerNIO
import ServiceLifecycle
import Testing

/// The client against a real Postfix with Cyrus SASL (hack/peers/postfix.sh): every port, every
/// mechanism, and the exact bytes in the file Postfix wrote.
@Suite(.timeLimit(.minutes(3)))
struct PostfixClientTests {
    enum Port: String, CaseIterable, Sendable {
        case plain, startTLSRequired, implicitTLS
    }

    static func configuration(
        _ peer: PostfixPeer,
        port: Port,
        mechanism: SASLMechanism?,
        password: String? = nil
    ) -> SMTPClientConfiguration {
        let tls = SMTPTLSConfiguration.trusting(pemFiles: [peer.certificate.path], serverName: "localhost")
        let authentication = SMTPAuthentication(
            username: peer.username,
            password: password ?? peer.password,
            mechanism: mechanism,
            allowInsecureAuth: port == .plain
        )
        switch port {
        case .plain:
            return SMTPClientConfiguration(
                host: "127.0.0.1",
                port: peer.plainPort,
                security: .plain,
                tls: tls,
                clientHostname: "client.test",
                authentication: authentication
            )
        case .startTLSRequired:
            return SMTPClientConfiguration(
                host: "127.0.0.1",
                port: peer.startTLSPort,
                security: .startTLS,
                tls: tls,
                clientHostname: "client.test",
                authentication: authentication
            )
        case .implicitTLS:
            return SMTPClientConfiguration(
                host: "127.0.0.1",
                port: peer.tlsPort,
                security: .implicitTLS,
                tls: tls,
                clientHostname: "client.test",
                authentication: authentication
            )
        }
    }

    /// A message Postfix adds nothing to (it has Date, From and Message-ID), with lines that start
    /// with a dot, 8-bit and UTF-8 text, and no final CRLF.
    static func message(id: String) -> String {
        "Date: Wed, 25 Nov 2026 07:00:00 +0000\r\nFrom: <app@shop.test>\r\nTo: <user@example.test>\r\n"
            + "Message-ID: <\(id)@kubemail.test>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + ".one dot\r\n..two dots\r\n.\r\nGrüße aus Köln ✉️\r\nlast line without CRLF"
    }

    @Test func deliversThroughEveryPortWithEveryMechanism() async throws {
        let peer = try await PostfixPeer.start()
        var sent: [String] = []
        do {
            for port in Port.allCases {
                for mechanism in SASLMechanism.allCases {
                    let id = "\(port.rawValue)-\(mechanism.rawValue)"
                    let connection = try await SMTPClientConnection.connect(
                        to: Self.configuration(peer, port: port, mechanism: mechanism),
                        on: MultiThreadedEventLoopGroup.singleton
                    )
                    #expect(await connection.authenticatedMechanism == mechanism, "\(id)")
                    #expect(await connection.isEncrypted == (port != .plain), "\(id)")
                    let envelope = SMTPEnvelope(
                        sender: SMTPMailbox("app@shop.test"),
                        mailParameters: SMTPMailParameters(body: .eightBitMIME),
                        recipients: [.init(SMTPMailbox("user@example.test")!)]
                    )
                    let result = try await connection.send(
                        envelope: envelope,
                        message: Array(Self.message(id: id).utf8)
                    )
                    #expect(result.isDelivered, "\(id): \(result)")
                    _ = try? await connection.quit()
                    await connection.close()
                    sent.append(id)
                }
            }
            let delivered = try await peer.waitForMessages(sent.count)
            #expect(delivered.count == sent.count)
            for id in sent {
                let expected = Self.message(id: id).replacingOccurrences(of: "\r\n", with: "\n") + "\n"
                let message = delivered.first {
                    String(decoding: $0.content, as: UTF8.self).contains("<\(id)@kubemail.test>")
                }
                #expect(message.map { String(decoding: $0.content, as: UTF8.self) } == expected, "\(id)")
                #expect(message?.addedHeaders.count == 4, "\(id): exactly Postfix's own delivery headers on top")
            }
        } catch {
            try await peer.stop()
            throw error
        }
        try await peer.stop()
    }

    @Test func wrongPasswordSurfacesPostfixsReply() async throws {
        let peer = try await PostfixPeer.start()
        do {
            for mechanism in SASLMechanism.allCases {
                do {
                    let connection = try await SMTPClientConnection.connect(
                        to: Self.configuration(
                            peer,
                            port: .implicitTLS,
                            mechanism: mechanism,
                            password: "not-the-password"
                        ),
                        on: MultiThreadedEventLoopGroup.singleton
                    )
                    await connection.close()
                    Issue.record("\(mechanism): authentication with a wrong password succeeded")
                } catch let error as SMTPClientError {
                    #expect(error.kind == .authenticationFailed, "\(mechanism): \(error)")
                    #expect(
                        error.reply?.code == 535 && error.reply?.enhancedStatusCode?.description == "5.7.8",
                        "\(mechanism): \(error)"
                    )
                    #expect(!"\(error)".contains("not-the-password"), "the password must never appear in an error")
                }
            }
        } catch {
            try await peer.stop()
            throw error
        }
        try await peer.stop()
    }

    /// Against a server without AUTH and without STARTTLS (kube-mail's own, discarding).
    @Test func requiredMechanismAndSTARTTLSFailClearlyAndSendNothing() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let delegate = DiscardingDelegate()
        let server = try SMTPServer(
            configuration: SMTPServerConfiguration(host: "127.0.0.1", port: 0, hostname: "plain.test"),
            delegate: delegate,
            logger: logger
        )
        let group = ServiceGroup(
            services: [server],
            gracefulShutdownSignals: [],
            cancellationSignals: [],
            logger: logger
        )
        let running = Task { try await group.run() }
        let port = try #require(await server.localAddress()?.port)

        let withMechanism = SMTPClientConfiguration(
            host: "127.0.0.1",
            port: port,
            security: .plain,
            authentication: SMTPAuthentication(username: "u", password: "p", mechanism: .scramSHA256)
        )
        await #expect(throws: SMTPClientError.self) {
            _ = try await SMTPClientConnection.connect(to: withMechanism, on: MultiThreadedEventLoopGroup.singleton)
        }
        do {
            _ = try await SMTPClientConnection.connect(to: withMechanism, on: MultiThreadedEventLoopGroup.singleton)
        } catch let error as SMTPClientError {
            #expect(error.kind == .mechanismNotOffered, "\(error)")
            #expect("\(error)".contains("SCRAM-SHA-256"), "the error names the mechanism: \(error)")
        }

        let startTLS = SMTPClientConfiguration(host: "127.0.0.1", port: port, security: .startTLS)
        do {
            _ = try await SMTPClientConnection.connect(to: startTLS, on: MultiThreadedEventLoopGroup.singleton)
            Issue.record("connected without STARTTLS")
        } catch let error as SMTPClientError {
            #expect(error.kind == .startTLSNotOffered, "\(error)")
        }
        #expect(delegate.totals.messages == 0 && delegate.totals.recipients == 0)
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
