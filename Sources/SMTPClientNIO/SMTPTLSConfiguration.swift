import NIOCore
import NIOSSL

/// How the client verifies the server's certificate.
///
/// Verification uses the system trust store (`TLSConfiguration.makeClientConfiguration()`) plus
/// ``additionalTrustRoots``; the certificate must name ``serverName`` (or the host connected to).
public struct SMTPTLSConfiguration: Hashable, Sendable {
    /// Certificates trusted in addition to the system store, e.g. a private CA or a test certificate.
    public var additionalTrustRoots: [NIOSSLAdditionalTrustRoots]
    /// Accepts any certificate (`certificateVerification = .none`). The connection is then
    /// encrypted but not authenticated: anyone on the path can impersonate the server.
    public var insecureSkipVerify: Bool
    /// The name sent with SNI and checked against the certificate; `nil` uses the configured host
    /// unless that is an IP address, which SNI cannot carry (RFC 6066 §3).
    public var serverName: String?

    public init(
        additionalTrustRoots: [NIOSSLAdditionalTrustRoots] = [],
        insecureSkipVerify: Bool = false,
        serverName: String? = nil
    ) {
        self.additionalTrustRoots = additionalTrustRoots
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }

    /// Trusts the certificates in the given PEM files in addition to the system store.
    public static func trusting(pemFiles: [String], serverName: String? = nil) -> SMTPTLSConfiguration {
        SMTPTLSConfiguration(additionalTrustRoots: pemFiles.map { .file($0) }, serverName: serverName)
    }

    /// Builds the NIOSSL context; loading the system trust store is costly, so build it once per
    /// connection attempt at most.
    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.additionalTrustRoots = additionalTrustRoots
        if insecureSkipVerify {
            configuration.certificateVerification = .none
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The SNI and verification name for a connection to `host`.
    func hostname(connectingTo host: String) -> String? {
        if let serverName { return serverName }
        let isIPAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return isIPAddress ? nil : host
    }
}
