/// A failure while choosing a SASL mechanism or running a client exchange.
///
/// Modelled on async-http-client's `HTTPClientError`: a struct over a private code, so new
/// cases can be added without breaking callers that compare against the static members.
/// Descriptions never contain the password (nor any data derived from it).
public struct SASLError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case mechanismNotOffered(SASLMechanism, offered: [String])
        case noSupportedMechanism(offered: [String])
        case insecureMechanismRefused(SASLMechanism)
        case invalidUsername
        case invalidPassword
        case invalidNonce
        case invalidChallengeEncoding
        case unexpectedChallenge
        case emptyChallenge
        case malformedServerMessage
        case missingAttribute(Character)
        case serverNonceMismatch
        case invalidIterationCount
        case iterationCountTooLarge(limit: Int)
        case invalidSalt
        case mandatoryExtension
        case serverSignatureMismatch
        case serverError(String)
        case serverNotVerified
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// A mechanism was configured but the server's EHLO `AUTH` list does not contain it.
    public static func mechanismNotOffered(_ mechanism: SASLMechanism, offered: [String]) -> SASLError {
        SASLError(.mechanismNotOffered(mechanism, offered: offered))
    }

    /// None of the server's mechanisms is one this client implements.
    public static func noSupportedMechanism(offered: [String]) -> SASLError {
        SASLError(.noSupportedMechanism(offered: offered))
    }

    /// PLAIN or LOGIN would send the password in the clear over an unencrypted connection.
    public static func insecureMechanismRefused(_ mechanism: SASLMechanism) -> SASLError {
        SASLError(.insecureMechanismRefused(mechanism))
    }

    /// The username cannot be represented in the mechanism (NUL for PLAIN, control characters for SCRAM).
    public static let invalidUsername = SASLError(.invalidUsername)
    /// The password cannot be represented in the mechanism (NUL for PLAIN).
    public static let invalidPassword = SASLError(.invalidPassword)
    /// An injected SCRAM client nonce is empty or contains characters outside printable ASCII minus `,`.
    public static let invalidNonce = SASLError(.invalidNonce)
    /// The text of a `334` reply is not valid base64 (RFC 4954 §4).
    public static let invalidChallengeEncoding = SASLError(.invalidChallengeEncoding)
    /// The server sent a challenge the mechanism does not expect at this point.
    public static let unexpectedChallenge = SASLError(.unexpectedChallenge)
    /// The server sent an empty challenge where the mechanism needs data (CRAM-MD5).
    public static let emptyChallenge = SASLError(.emptyChallenge)
    /// A SCRAM server message does not follow the RFC 5802 §7 grammar.
    public static let malformedServerMessage = SASLError(.malformedServerMessage)
    /// A SCRAM server message lacks a mandatory attribute, such as `r`, `s` or `i`.
    public static func missingAttribute(_ name: Character) -> SASLError {
        SASLError(.missingAttribute(name))
    }
    /// The server nonce does not extend the client nonce (RFC 5802 §5.1).
    public static let serverNonceMismatch = SASLError(.serverNonceMismatch)
    /// The SCRAM iteration count is not a positive decimal integer.
    public static let invalidIterationCount = SASLError(.invalidIterationCount)
    /// The SCRAM iteration count exceeds the client's limit.
    public static func iterationCountTooLarge(limit: Int) -> SASLError {
        SASLError(.iterationCountTooLarge(limit: limit))
    }
    /// The SCRAM salt is empty or not valid base64.
    public static let invalidSalt = SASLError(.invalidSalt)
    /// The server used the reserved `m=` attribute, which RFC 5802 §5.1 says must fail.
    public static let mandatoryExtension = SASLError(.mandatoryExtension)
    /// The server's `v=` does not prove knowledge of the password.
    public static let serverSignatureMismatch = SASLError(.serverSignatureMismatch)
    /// The server ended the SCRAM exchange with `e=`; the value is its error text.
    public static func serverError(_ message: String) -> SASLError {
        SASLError(.serverError(message))
    }
    /// The server reported success before proving its identity with a verified `v=`.
    public static let serverNotVerified = SASLError(.serverNotVerified)

    public var description: String {
        switch code {
        case .mechanismNotOffered(let mechanism, let offered):
            "SASL mechanism \(mechanism) is configured but the server offers only \(Self.list(offered))"
        case .noSupportedMechanism(let offered):
            "the server offers no supported SASL mechanism (offered: \(Self.list(offered)))"
        case .insecureMechanismRefused(let mechanism):
            "refusing \(mechanism) on an unencrypted connection; enable TLS or allow insecure authentication"
        case .invalidUsername:
            "the username contains characters that the SASL mechanism cannot transmit"
        case .invalidPassword:
            "the password contains characters that the SASL mechanism cannot transmit"
        case .invalidNonce:
            "the SCRAM client nonce must be non-empty printable ASCII without ','"
        case .invalidChallengeEncoding:
            "the server's SASL challenge is not valid base64"
        case .unexpectedChallenge:
            "the server sent a SASL challenge the mechanism did not expect"
        case .emptyChallenge:
            "the server sent an empty SASL challenge"
        case .malformedServerMessage:
            "the server's SCRAM message is malformed"
        case .missingAttribute(let name):
            "the server's SCRAM message lacks the '\(name)' attribute"
        case .serverNonceMismatch:
            "the server's SCRAM nonce does not extend the client nonce"
        case .invalidIterationCount:
            "the server's SCRAM iteration count is not a positive integer"
        case .iterationCountTooLarge(let limit):
            "the server's SCRAM iteration count exceeds the limit of \(limit)"
        case .invalidSalt:
            "the server's SCRAM salt is not valid base64"
        case .mandatoryExtension:
            "the server requires an unsupported SCRAM extension (m=)"
        case .serverSignatureMismatch:
            "the server's SCRAM signature is wrong; the server does not know the credentials"
        case .serverError(let message):
            "the server rejected SCRAM authentication: \(message)"
        case .serverNotVerified:
            "the server reported success without proving its identity (no verified SCRAM v=)"
        }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "nothing" : names.joined(separator: " ")
    }
}
