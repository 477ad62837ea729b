import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SMTP
import SMTPClientNIO

enum TestSupport {
    static let group = MultiThreadedEventLoopGroup.singleton
    static let logger = Logger(label: "smtp-client-tests")
    static let sender = SMTPMailbox(localPart: "app", domain: "example.org")

    static func mailbox(_ localPart: String) -> SMTPMailbox {
        SMTPMailbox(localPart: localPart, domain: "example.net")
    }

    /// A configuration for `server` with short timeouts, so a hanging test fails quickly.
    static func configuration(
        _ server: FakeSMTPServer,
        security: SMTPClientConfiguration.Security = .plain,
        tls: SMTPTLSConfiguration = SMTPTLSConfiguration(),
        authentication: SMTPAuthentication? = nil,
        timeouts: SMTPClientTimeouts = .uniform(.seconds(20))
    ) -> SMTPClientConfiguration {
        SMTPClientConfiguration(
            host: "127.0.0.1",
            port: server.port,
            security: security,
            tls: tls,
            clientHostname: "client.test",
            authentication: authentication,
            timeouts: timeouts
        )
    }

    /// TLS settings that trust the test certificate and expect it to name `localhost`.
    static func trustingTestCertificate() async throws -> SMTPTLSConfiguration {
        let certificate = try await TestCertificate.load()
        return SMTPTLSConfiguration(
            additionalTrustRoots: [.certificates([certificate.certificate])],
            serverName: "localhost"
        )
    }

    static func connect(_ configuration: SMTPClientConfiguration) async throws -> SMTPClientConnection {
        try await SMTPClientConnection.connect(to: configuration, on: group, logger: logger)
    }

    /// Runs `body` expecting it to throw an ``SMTPClientError`` and returns the error.
    static func clientError(_ body: () async throws -> Void) async -> SMTPClientError? {
        do {
            try await body()
            return nil
        } catch let error as SMTPClientError {
            return error
        } catch {
            return nil
        }
    }

    static func base64(_ text: String) -> String {
        Array(text.utf8).base64
    }

    static func base64(_ bytes: [UInt8]) -> String {
        bytes.base64
    }
}

extension Array where Element == UInt8 {
    /// RFC 4648 base64 from Foundation, so the tests don't borrow the encoder under test.
    var base64: String { Data(self).base64EncodedString() }
}

/// An async sequence of buffers, for streaming a body in pieces.
struct ChunkSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [[UInt8]]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<[UInt8]>

        mutating func next() async -> ByteBuffer? {
            remaining.popFirst().map { ByteBuffer(bytes: $0) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: chunks[...])
    }
}
