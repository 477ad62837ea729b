/// The SASL mechanisms the relay can use to authenticate to an upstream server (RFC 4954).
public enum SASLMechanism: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case plain = "PLAIN"
    case login = "LOGIN"
    case cramMD5 = "CRAM-MD5"
    case scramSHA1 = "SCRAM-SHA-1"
    case scramSHA256 = "SCRAM-SHA-256"

    /// Matches a mechanism name case-insensitively, as SASL names are (RFC 4422 §3.1).
    public init?(name: some StringProtocol) {
        guard let mechanism = Self.allCases.first(where: { $0.rawValue.utf8.elementsEqual(name.uppercased().utf8) })
        else {
            return nil
        }
        self = mechanism
    }

    public var description: String { rawValue }

    /// Whether the password crosses the wire recoverably, so the mechanism needs an encrypted connection.
    public var sendsPasswordInClear: Bool {
        self == .plain || self == .login
    }

    /// Whether a successful exchange also proves the server knows the credentials (SCRAM, RFC 5802 §3).
    public var authenticatesServer: Bool {
        self == .scramSHA1 || self == .scramSHA256
    }

    /// Preference when nothing is configured: the strongest first.
    public static let preferenceOrder: [SASLMechanism] = [.scramSHA256, .scramSHA1, .cramMD5, .plain, .login]

    /// Chooses the mechanism for an exchange.
    ///
    /// - A configured mechanism is used as-is and must be offered: silently falling back to another
    ///   mechanism would defeat the point of configuring one.
    /// - Otherwise the strongest offered mechanism in ``preferenceOrder`` wins.
    /// - PLAIN and LOGIN are refused when `isEncrypted` is false unless `allowInsecureAuth` is set,
    ///   as RFC 4954 §4 warns against exposing passwords on unprotected connections.
    ///
    /// - Parameter offered: the server's mechanism names, from `AUTH` or the obsolete `AUTH=`
    ///   EHLO keyword; compared case-insensitively.
    public static func select(
        configured: SASLMechanism?,
        offered: [String],
        isEncrypted: Bool,
        allowInsecureAuth: Bool
    ) throws(SASLError) -> SASLMechanism {
        let available = Set(offered.compactMap { SASLMechanism(name: $0) })
        let permitted = { (mechanism: SASLMechanism) in
            isEncrypted || allowInsecureAuth || !mechanism.sendsPasswordInClear
        }
        if let configured {
            guard available.contains(configured) else {
                throw .mechanismNotOffered(configured, offered: offered)
            }
            guard permitted(configured) else {
                throw .insecureMechanismRefused(configured)
            }
            return configured
        }
        let candidates = preferenceOrder.filter(available.contains)
        guard let strongest = candidates.first else {
            throw .noSupportedMechanism(offered: offered)
        }
        guard let choice = candidates.first(where: permitted) else {
            throw .insecureMechanismRefused(strongest)
        }
        return choice
    }
}
