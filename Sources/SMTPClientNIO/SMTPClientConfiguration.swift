/// Where and how an ``SMTPClientConnection`` connects, secures and authenticates a session.
public struct SMTPClientConfiguration: Hashable, Sendable {
    /// How the session is protected.
    public enum Security: String, Hashable, Sendable {
        /// No TLS. AUTH with PLAIN or LOGIN is then refused unless ``SMTPAuthentication/allowInsecureAuth``.
        case plain
        /// TLS from the first byte (RFC 8314 §3.3, "submissions", port 465).
        case implicitTLS
        /// STARTTLS (RFC 3207), required: a server that does not offer it is an error, because
        /// silently continuing in plaintext is exactly what a downgrade attacker wants.
        case startTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var tls: SMTPTLSConfiguration
    /// The local IP address to send from; `nil` lets the system choose.
    public var localAddress: String?
    /// The name the client gives in EHLO (RFC 5321 §4.1.1.1): its FQDN or an address literal.
    public var clientHostname: String
    /// Credentials for AUTH after EHLO (and after TLS); `nil` skips AUTH.
    public var authentication: SMTPAuthentication?
    public var timeouts: SMTPClientTimeouts

    public init(
        host: String,
        port: Int,
        security: Security = .startTLS,
        tls: SMTPTLSConfiguration = SMTPTLSConfiguration(),
        localAddress: String? = nil,
        clientHostname: String = "localhost",
        authentication: SMTPAuthentication? = nil,
        timeouts: SMTPClientTimeouts = SMTPClientTimeouts()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.tls = tls
        self.localAddress = localAddress
        self.clientHostname = clientHostname
        self.authentication = authentication
        self.timeouts = timeouts
    }
}
