import Foundation
import NIOSSL

/// Starts fake kube-apiservers for tests.
///
/// ```swift
/// let server = try await KubeTestServer.start()
/// defer { Task { await server.shutdown() } }
/// let kubeconfig = try server.kubeconfig()
/// ```
public enum KubeTestServer {
    /// TLS material, as PEM files.
    public struct TLS: Sendable {
        public var certificateChainPath: String
        public var privateKeyPath: String
        /// Client certificates signed by this CA authenticate their CN as the user.
        public var clientCAPath: String?
        /// The CA that signed the server certificate, written into kubeconfigs.
        public var serverCAPath: String?

        public init(
            certificateChainPath: String,
            privateKeyPath: String,
            clientCAPath: String? = nil,
            serverCAPath: String? = nil
        ) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.clientCAPath = clientCAPath
            self.serverCAPath = serverCAPath
        }

        /// Server TLS from generated test certificates, accepting client certificates of the same CA.
        public init(_ certificates: TestCertificates) {
            self.init(
                certificateChainPath: certificates.serverCertificatePath,
                privateKeyPath: certificates.serverKeyPath,
                clientCAPath: certificates.caCertificatePath,
                serverCAPath: certificates.caCertificatePath
            )
        }
    }

    public struct Configuration: Sendable {
        /// Always a loopback address in tests.
        public var host = "127.0.0.1"
        /// 0 lets the OS pick a free port.
        public var port = 0
        /// How many events the watch history keeps (older watches get 410 Gone).
        public var historySize = 1000
        public var tls: TLS?
        /// Accepted bearer tokens and the user each authenticates.
        public var tokens: [String: String] = [:]
        /// How often watches with `allowWatchBookmarks=true` receive a BOOKMARK.
        public var bookmarkInterval: Duration = .seconds(1)

        public init(port: Int = 0, historySize: Int = 1000, tls: TLS? = nil, tokens: [String: String] = [:]) {
            self.port = port
            self.historySize = historySize
            self.tls = tls
            self.tokens = tokens
        }
    }

    public static func start(_ configuration: Configuration = Configuration()) async throws -> RunningServer {
        var context: NIOSSLContext?
        if let tls = configuration.tls {
            var settings = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificateChainPath).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem))
            )
            if let clientCA = tls.clientCAPath {
                settings.certificateVerification = .optionalVerification
                settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            }
            context = try NIOSSLContext(configuration: settings)
        }
        let cluster = KubeCluster(historySize: configuration.historySize)
        let authenticator = Authenticator(
            tokens: configuration.tokens,
            acceptsClientCertificates: configuration.tls?.clientCAPath != nil
        )
        let scheme = configuration.tls == nil ? "http" : "https"
        // The handler needs the address for discovery; the port is known only after binding, and
        // `serverAddressByClientCIDRs` is informational, so the host alone is enough there.
        let handler = APIServerHandler(
            cluster: cluster,
            serverAddress: configuration.host,
            bookmarkInterval: configuration.bookmarkInterval
        )
        let server = try await HTTPServer.start(
            host: configuration.host,
            port: configuration.port,
            tls: context,
            authenticator: authenticator,
            handler: handler
        )
        return RunningServer(
            url: "\(scheme)://\(configuration.host):\(server.port)",
            port: server.port,
            cluster: cluster,
            server: server,
            configuration: configuration
        )
    }
}

/// A started server. Call ``shutdown()`` when done.
public final class RunningServer: Sendable {
    /// `http://127.0.0.1:PORT` or `https://...`.
    public let url: String
    public let port: Int
    /// Direct access to the cluster state, for seeding and inspecting without HTTP.
    public let cluster: KubeCluster
    public let configuration: KubeTestServer.Configuration
    private let server: HTTPServer

    init(url: String, port: Int, cluster: KubeCluster, server: HTTPServer, configuration: KubeTestServer.Configuration)
    {
        self.url = url
        self.port = port
        self.cluster = cluster
        self.server = server
        self.configuration = configuration
    }

    public func shutdown() async { await server.shutdown() }

    /// Every request served so far.
    public var requests: [RequestRecord] { cluster.requests }

    public func setHistorySize(_ size: Int) { cluster.setHistorySize(size) }

    public func appendLog(namespace: String, pod: String, container: String, line: String) {
        cluster.appendLog(namespace: namespace, pod: pod, container: container, line: line)
    }

    public func closeLog(namespace: String, pod: String, container: String? = nil) {
        cluster.closeLog(namespace: namespace, pod: pod, container: container)
    }

    /// Writes a kubeconfig for this server and returns its path. Pass a token, or a client
    /// certificate and key, for servers with authentication.
    public func kubeconfig(
        token: String? = nil,
        clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil,
        namespace: String = "default",
        directory: URL = FileManager.default.temporaryDirectory
    ) throws -> URL {
        var cluster: JSONValue = ["server": .string(url)]
        if let ca = configuration.tls?.serverCAPath { cluster["certificate-authority"] = .string(ca) }
        var user: JSONValue = .object([:])
        if let token { user["token"] = .string(token) }
        if let clientCertificatePath { user["client-certificate"] = .string(clientCertificatePath) }
        if let clientKeyPath { user["client-key"] = .string(clientKeyPath) }
        let config: JSONValue = [
            "apiVersion": "v1", "kind": "Config", "current-context": "kube-test-server",
            "clusters": [["name": "kube-test-server", "cluster": cluster]],
            "users": [["name": "kube-test-user", "user": user]],
            "contexts": [
                [
                    "name": "kube-test-server",
                    "context": [
                        "cluster": "kube-test-server", "user": "kube-test-user", "namespace": .string(namespace),
                    ],
                ]
            ],
        ]
        let file = directory.appendingPathComponent("kubeconfig-\(port)-\(UUID().uuidString.prefix(8))")
        try YAMLDocuments.render(config).write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
