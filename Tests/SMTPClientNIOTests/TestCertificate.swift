import Foundation
import NIOPosix
import NIOSSL

/// A self-signed certificate for `CN=localhost` (with a matching subjectAltName), made with
/// `openssl` once per test run in a temporary directory.
struct TestCertificate: Sendable {
    let directory: URL
    let certificatePath: String
    let keyPath: String
    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey

    /// Made once, on NIO's blocking thread pool: waiting for `openssl` on a thread of the
    /// cooperative pool would stall every other test (and the client's own async work).
    static func load() async throws -> TestCertificate {
        try await cache.value()
    }

    private static let cache = Cache()

    private actor Cache {
        private var task: Task<TestCertificate, any Error>?

        func value() async throws -> TestCertificate {
            if let task { return try await task.value }
            let task = Task { try await NIOThreadPool.singleton.runIfActive { try TestCertificate.generate() } }
            self.task = task
            return try await task.value
        }
    }

    /// The server side of TLS with this certificate.
    func serverContext() throws -> NIOSSLContext {
        try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [.certificate(certificate)],
                privateKey: .privateKey(privateKey)
            )
        )
    }

    private static func generate() throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-client-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", keyPath, "-out", certificatePath, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl req failed"])
        }
        return TestCertificate(
            directory: directory,
            certificatePath: certificatePath,
            keyPath: keyPath,
            certificate: try NIOSSLCertificate(
                bytes: Array(Data(contentsOf: URL(fileURLWithPath: certificatePath))),
                format: .pem
            ),
            privateKey: try NIOSSLPrivateKey(file: keyPath, format: .pem)
        )
    }
}
