import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SMTP
import SMTPServerNIO
import ServiceLifecycle
import Synchronization

/// A message as the test delegate received it.
struct ReceivedMessage: Sendable, Equatable {
    var sender: String?
    var recipients: [String]
    var parameters: SMTPMailParameters
    var body: [UInt8]
}

/// Accepts everything (except what it is told to refuse) and records complete messages.
final class RecordingDelegate: SMTPServerDelegate {
    struct Settings: Sendable {
        var refuseConnections: String?
        var rejectedRecipients: Set<String> = []
        /// Store bodies (off for load tests, which only count).
        var keepBodies = true
    }

    let settings: Settings
    private let storage = Mutex(Storage())

    struct Storage {
        var messages: [ReceivedMessage] = []
        var messageCount = 0
        var byteCount = 0
        var aborted = 0
        var closed = 0
        var connections: [SMTPConnectionInfo] = []
        var sizes: Set<Int> = []
        /// The distinct message bodies after the header section (load tests compare them).
        var bodies: Set<[UInt8]> = []
    }

    init(_ settings: Settings = Settings()) {
        self.settings = settings
    }

    var messages: [ReceivedMessage] { storage.withLock { $0.messages } }
    var messageCount: Int { storage.withLock { $0.messageCount } }
    var byteCount: Int { storage.withLock { $0.byteCount } }
    var abortedCount: Int { storage.withLock { $0.aborted } }
    var closedCount: Int { storage.withLock { $0.closed } }
    var connections: [SMTPConnectionInfo] { storage.withLock { $0.connections } }
    var messageSizes: Set<Int> { storage.withLock { $0.sizes } }
    var distinctBodies: Set<[UInt8]> { storage.withLock { $0.bodies } }

    func openSession(_ connection: SMTPConnectionInfo) async -> SMTPSessionDecision {
        storage.withLock { $0.connections.append(connection) }
        if let reason = settings.refuseConnections { return .refuse(reason: reason) }
        return .accept(Session(owner: self))
    }

    fileprivate func record(_ message: ReceivedMessage) {
        storage.withLock {
            $0.messageCount += 1
            $0.byteCount += message.body.count
            $0.sizes.insert(message.body.count)
            if let end = message.body.firstRange(of: Array("\r\n\r\n".utf8)) {
                $0.bodies.insert(Array(message.body[end.upperBound...]))
            }
            if settings.keepBodies { $0.messages.append(message) }
        }
    }

    fileprivate func noteAbort() { storage.withLock { $0.aborted += 1 } }
    fileprivate func noteClose() { storage.withLock { $0.closed += 1 } }

    final class Session: SMTPSessionDelegate {
        let owner: RecordingDelegate
        private let transaction = Mutex<ReceivedMessage?>(nil)

        init(owner: RecordingDelegate) { self.owner = owner }

        func mail(from sender: SMTPMailbox?, parameters: SMTPMailParameters) async -> SMTPReply {
            transaction.withLock {
                $0 = ReceivedMessage(sender: sender?.description, recipients: [], parameters: parameters, body: [])
            }
            return SMTPReply(code: 250, .init(2, 1, 0), "Ok")
        }

        func recipient(_ recipient: SMTPRecipient, parameters: [SMTPParameter]) async -> SMTPReply {
            if owner.settings.rejectedRecipients.contains(recipient.description) {
                return SMTPReply(code: 550, .init(5, 1, 1), "Recipient rejected")
            }
            transaction.withLock { $0?.recipients.append(recipient.description) }
            return SMTPReply(code: 250, .init(2, 1, 5), "Ok")
        }

        func data() async -> SMTPReply { SMTPReply(code: 354, lines: ["End data with <CR><LF>.<CR><LF>"]) }

        func messageData(_ chunk: ByteBuffer) async {
            transaction.withLock { $0?.body.append(contentsOf: chunk.readableBytesView) }
        }

        func messageComplete() async -> SMTPReply {
            if let message = transaction.withLock({ state -> ReceivedMessage? in
                defer { state = nil }
                return state
            }) {
                owner.record(message)
            }
            return SMTPReply(code: 250, .init(2, 0, 0), "Ok: queued")
        }

        func abortTransaction() async {
            transaction.withLock { $0 = nil }
            owner.noteAbort()
        }

        func close() async { owner.noteClose() }
    }
}

/// An SMTP server on 127.0.0.1 and an OS-chosen port, run in a ServiceGroup like production.
struct RunningServer {
    let server: SMTPServer
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let port: Int

    static func start(
        delegate: RecordingDelegate,
        configure: (inout SMTPServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        var configuration = SMTPServerConfiguration(host: "127.0.0.1", port: 0, hostname: "relay.test")
        configure(&configuration)
        var logger = Logger(label: "test.smtp")
        logger.logLevel = .warning
        let server = try SMTPServer(configuration: configuration, delegate: delegate, logger: logger)
        let group = ServiceGroup(
            services: [server],
            gracefulShutdownSignals: [],
            cancellationSignals: [],
            logger: logger
        )
        let task = Task { try await group.run() }
        guard let port = await server.localAddress()?.port else { throw TestFailure("the server did not bind") }
        return RunningServer(server: server, group: group, task: task, port: port)
    }

    /// Graceful shutdown, waiting for `run` to return.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A self-signed certificate for `localhost`, made with openssl.
enum TestCertificate {
    static func make() throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kubemail-cert-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out",
            directory.appendingPathComponent("cert.pem").path,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl failed") }
        return (
            try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8),
            try String(contentsOf: directory.appendingPathComponent("key.pem"), encoding: .utf8)
        )
    }

    static func serverTLS() throws -> TLSConfiguration {
        let (certificate, key) = try make()
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
        )
    }
}
