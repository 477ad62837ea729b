/// A username and password for SASL authentication.
///
/// `description` redacts the password so credentials can appear in logs safely.
public struct SASLCredentials: Hashable, Sendable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String {
        "SASLCredentials(username: \(username), password: <redacted>)"
    }
}
