import Crypto
import SMTP

/// Which connections are interchangeable: same server, same protection, same TLS settings, same
/// identity. Credentials are kept only as a SHA-256 digest, so the key can sit in the pool's
/// tables (and in a debugger or crash dump) without carrying the password; it is never logged.
struct SMTPConnectionPoolKey: Hashable, Sendable {
    var host: String
    var port: Int
    var security: SMTPClientConfiguration.Security
    var tls: SMTPTLSConfiguration
    var localAddress: String?
    var clientHostname: String
    var mechanism: SASLMechanism?
    var allowInsecureAuth: Bool
    var credentialsDigest: [UInt8]?

    init(_ configuration: SMTPClientConfiguration) {
        host = configuration.host.lowercased()
        port = configuration.port
        security = configuration.security
        tls = configuration.tls
        localAddress = configuration.localAddress
        clientHostname = configuration.clientHostname
        mechanism = configuration.authentication?.mechanism
        allowInsecureAuth = configuration.authentication?.allowInsecureAuth ?? false
        credentialsDigest = configuration.authentication.map { authentication in
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            let username = Array(authentication.credentials.username.utf8)
            let password = Array(authentication.credentials.password.utf8)
            var input = withUnsafeBytes(of: UInt64(username.count).bigEndian, Array.init)
            input += username + password
            return Array(SHA256.hash(data: input))
        }
    }
}
