import SMTP

/// What the client needs to authenticate with AUTH (RFC 4954).
///
/// `description` never shows the password, so the value can be logged.
public struct SMTPAuthentication: Hashable, Sendable, CustomStringConvertible {
    public var credentials: SASLCredentials
    /// The mechanism to use exactly; `nil` picks the strongest the server offers
    /// (see `SASLMechanism.select(configured:offered:isEncrypted:allowInsecureAuth:)`).
    public var mechanism: SASLMechanism?
    /// Allows PLAIN and LOGIN over a connection without TLS (RFC 4954 §4 warns against it).
    public var allowInsecureAuth: Bool

    public init(credentials: SASLCredentials, mechanism: SASLMechanism? = nil, allowInsecureAuth: Bool = false) {
        self.credentials = credentials
        self.mechanism = mechanism
        self.allowInsecureAuth = allowInsecureAuth
    }

    public init(username: String, password: String, mechanism: SASLMechanism? = nil, allowInsecureAuth: Bool = false) {
        self.init(
            credentials: SASLCredentials(username: username, password: password),
            mechanism: mechanism,
            allowInsecureAuth: allowInsecureAuth
        )
    }

    public var description: String {
        "SMTPAuthentication(\(credentials), mechanism: \(mechanism?.description ?? "strongest offered"), "
            + "allowInsecureAuth: \(allowInsecureAuth))"
    }
}
