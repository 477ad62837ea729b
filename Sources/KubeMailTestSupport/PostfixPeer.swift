import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A private Postfix with Cyrus SASL (hack/peers/postfix.sh) as the upstream of a test: a plain
/// port (STARTTLS offered), a STARTTLS-required port and an implicit-TLS port, delivering every
/// accepted message to a file.
public struct PostfixPeer: Sendable {
    public let directory: URL
    public let plainPort: Int
    public let startTLSPort: Int
    public let tlsPort: Int
    /// Where each accepted message becomes one file.
    public let maildir: URL
    /// The self-signed certificate (CN=localhost, SAN localhost and 127.0.0.1).
    public let certificate: URL
    public let username: String
    public let password: String

    static var script: URL { ExternalProcess.repositoryRoot.appendingPathComponent("hack/peers/postfix.sh") }

    /// Starts an instance on free ports. `relayDomains` maps a domain to `HOST:PORT` to relay to.
    public static func start(relayDomains: [String: String] = [:]) async throws -> PostfixPeer {
        _ = try ExternalProcess.systemTool("postfix")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kubemail-postfix-\(UUID().uuidString.prefix(8))"
        )
        var lastFailure = ""
        for _ in 0..<3 {
            let ports = try freePorts(3)
            let arguments =
                [
                    "start", directory.path, "--plain-port", "\(ports[0])", "--starttls-port", "\(ports[1])",
                    "--tls-port", "\(ports[2])",
                ]
                + relayDomains.sorted { $0.key < $1.key }.flatMap { ["--relay-domain", "\($0.key)=\($0.value)"] }
            let result = try await ExternalProcess.run(script, arguments, timeout: .seconds(30))
            guard result.status == 0 else {
                lastFailure = result.standardOutput + result.standardError
                continue
            }
            var values: [String: String] = [:]
            for line in result.standardOutput.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
            return PostfixPeer(
                directory: directory,
                plainPort: ports[0],
                startTLSPort: ports[1],
                tlsPort: ports[2],
                maildir: URL(
                    fileURLWithPath: values["MAILDIR"] ?? directory.appendingPathComponent("mail/inbox/new").path
                ),
                certificate: URL(
                    fileURLWithPath: values["CERT"] ?? directory.appendingPathComponent("tls/cert.pem").path
                ),
                username: values["USER"] ?? "kubemail",
                password: values["PASSWORD"] ?? "s3cret-Pa55"
            )
        }
        throw ExternalProcess.MissingTool(
            name: "a working Postfix (hack/peers/postfix.sh start failed: \(lastFailure))",
            lookedAt: [script.path]
        )
    }

    public func stop() async throws {
        _ = try await ExternalProcess.run(Self.script, ["stop", directory.path], timeout: .seconds(30))
        try? FileManager.default.removeItem(at: directory)
    }

    /// The delivered messages, oldest first, each without the headers Postfix put on top
    /// (Return-Path, X-Original-To, Delivered-To and its Received), with Postfix's LF line ends.
    public func deliveredMessages() throws -> [DeliveredMessage] {
        let files =
            (try? FileManager.default.contentsOfDirectory(
                at: maildir,
                includingPropertiesForKeys: [.contentModificationDateKey]
            )) ?? []
        return try files.sorted { $0.lastPathComponent < $1.lastPathComponent }.map {
            try DeliveredMessage(Data(contentsOf: $0))
        }
    }

    /// Waits (bounded) until `count` messages have been delivered.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [DeliveredMessage] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let messages = try deliveredMessages()
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try deliveredMessages()
    }

    public struct DeliveredMessage: Sendable {
        /// The headers Postfix added on delivery, each with its continuation lines.
        public var addedHeaders: [String]
        /// The message as the client sent it, with LF line ends.
        public var content: [UInt8]

        init(_ data: Data) {
            var headers: [String] = []
            var rest = Substring(decoding: data, as: UTF8.self)
            let added = ["Return-Path:", "X-Original-To:", "Delivered-To:", "Received:"]
            while let prefix = added.first(where: { rest.hasPrefix($0) }) {
                var end = rest.firstIndex(of: "\n").map { rest.index(after: $0) } ?? rest.endIndex
                while end < rest.endIndex, rest[end] == "\t" || rest[end] == " " {
                    end = rest[end...].firstIndex(of: "\n").map { rest.index(after: $0) } ?? rest.endIndex
                }
                headers.append(String(rest[..<end]))
                rest = rest[end...]
                if prefix == "Received:" { break }
            }
            addedHeaders = headers
            content = Array(rest.utf8)
        }
    }

    /// `count` TCP ports free on 127.0.0.1 right now (held while choosing, so they differ).
    static func freePorts(_ count: Int) throws -> [Int] {
        let held = try (0..<count).map { _ in try RefusingPort() }
        return held.map(\.port)
    }
}

/// A port on 127.0.0.1 that refuses connections for as long as this value lives: bound, never
/// listened on, so no other test can take it over the way a closed port can be reused.
public final class RefusingPort: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw ExternalProcess.MissingTool(name: "a free port", lookedAt: []) }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { _ = close(descriptor) }
}
