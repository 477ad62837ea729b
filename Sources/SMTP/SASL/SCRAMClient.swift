import Crypto
import Foundation

/// The client side of SCRAM (RFC 5802), used for SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 7677),
/// without channel binding.
///
/// The exchange succeeds only once the server's `v=` has been verified: SCRAM authenticates the
/// server too, and a `235` without that proof may come from an impostor.
struct SCRAMClient<H: HashFunction>: Sendable {
    private enum State: Sendable {
        case initial
        case sentClientFirst
        case sentClientFinal(serverSignature: [UInt8])
        case verified
        case failed
    }

    private let password: [UInt8]
    private let clientNonce: String
    private let clientFirstBare: String
    private var state = State.initial

    init(credentials: SASLCredentials, nonce: String?) throws(SASLError) {
        let nonce = nonce ?? SCRAM.randomNonce()
        guard !nonce.isEmpty, nonce.utf8.allSatisfy(SCRAM.isNonceCharacter) else { throw .invalidNonce }
        clientNonce = nonce
        clientFirstBare = "n=\(try SCRAM.saslName(credentials.username)),r=\(nonce)"
        password = Array(credentials.password.utf8)
    }

    var isServerVerified: Bool {
        if case .verified = state { return true }
        return false
    }

    mutating func initialResponse() -> [UInt8]? {
        state = .sentClientFirst
        return Array((SCRAM.gs2Header + clientFirstBare).utf8)
    }

    mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        let current = state
        state = .failed
        switch current {
        case .initial:
            guard challenge.isEmpty else { throw .unexpectedChallenge }
            return initialResponse()!
        case .sentClientFirst:
            let (response, serverSignature) = try clientFinal(serverFirst: challenge)
            state = .sentClientFinal(serverSignature: serverSignature)
            return response
        case .sentClientFinal(let serverSignature):
            try verify(serverFinal: challenge, expected: serverSignature)
            state = .verified
            return []
        case .verified:
            state = .verified
            throw .unexpectedChallenge
        case .failed:
            throw .unexpectedChallenge
        }
    }

    private func clientFinal(
        serverFirst message: [UInt8]
    ) throws(SASLError) -> (response: [UInt8], serverSignature: [UInt8]) {
        guard let serverFirst = String(validating: message, as: UTF8.self) else { throw .malformedServerMessage }
        var attributes = try SCRAM.attributes(serverFirst)[...]
        guard let nonce = attributes.popFirst(expecting: "r") else { throw .missingAttribute("r") }
        guard let salt = attributes.popFirst(expecting: "s") else { throw .missingAttribute("s") }
        guard let iterations = attributes.popFirst(expecting: "i") else { throw .missingAttribute("i") }

        guard nonce.utf8.count > clientNonce.utf8.count, nonce.utf8.starts(with: clientNonce.utf8),
            nonce.utf8.allSatisfy(SCRAM.isNonceCharacter)
        else { throw .serverNonceMismatch }
        guard let saltBytes = Base64.decode(salt), !saltBytes.isEmpty else { throw .invalidSalt }
        guard iterations.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw .invalidIterationCount
        }
        guard let count = Int(iterations) else {
            // All digits but unrepresentable: certainly beyond the limit.
            throw iterations.isEmpty ? .invalidIterationCount : .iterationCountTooLarge(limit: SCRAM.maximumIterations)
        }
        guard count > 0 else { throw .invalidIterationCount }
        guard count <= SCRAM.maximumIterations else { throw .iterationCountTooLarge(limit: SCRAM.maximumIterations) }

        let withoutProof = "c=\(Base64.encode(SCRAM.gs2Header.utf8)),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let saltedPassword = SymmetricKey(data: PBKDF2<H>.hi(password, salt: saltBytes, iterations: count))
        let clientKey = Array(HMAC<H>.authenticationCode(for: Array("Client Key".utf8), using: saltedPassword))
        let storedKey = SymmetricKey(data: Array(H.hash(data: clientKey)))
        let clientSignature = HMAC<H>.authenticationCode(for: authMessage, using: storedKey)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = SymmetricKey(
            data: Array(HMAC<H>.authenticationCode(for: Array("Server Key".utf8), using: saltedPassword))
        )
        let serverSignature = Array(HMAC<H>.authenticationCode(for: authMessage, using: serverKey))
        return (Array("\(withoutProof),p=\(Base64.encode(proof))".utf8), serverSignature)
    }

    private func verify(serverFinal message: [UInt8], expected: [UInt8]) throws(SASLError) {
        guard let serverFinal = String(validating: message, as: UTF8.self), !serverFinal.isEmpty else {
            throw .malformedServerMessage
        }
        let attributes = try SCRAM.attributes(serverFinal)
        switch attributes.first?.name {
        case "e":
            throw .serverError(attributes[0].value)
        case "v":
            guard let signature = Base64.decode(attributes[0].value) else { throw .malformedServerMessage }
            guard SCRAM.constantTimeEquals(signature, expected) else { throw .serverSignatureMismatch }
        default:
            throw .malformedServerMessage
        }
    }
}

/// The generic-free parts of SCRAM.
enum SCRAM {
    /// Bounds the PBKDF2 work a hostile server can demand of the client.
    static let maximumIterations = 1_000_000

    /// RFC 5802 §7: gs2-header `n,,` — no channel binding support, no authzid.
    static let gs2Header = "n,,"

    /// Splits a SCRAM message into `name=value` pairs (RFC 5802 §7 `attr-val`).
    ///
    /// Attribute names are single ASCII letters and values are non-empty. `m=` anywhere fails the
    /// exchange (RFC 5802 §5.1); other unknown attributes are left for the caller, which ignores
    /// them in the `extensions` position.
    fileprivate static func attributes(_ message: String) throws(SASLError) -> [Attribute] {
        var result: [Attribute] = []
        for field in message.split(separator: ",", omittingEmptySubsequences: false) {
            let utf8 = field.utf8
            guard utf8.count >= 3, let first = utf8.first, isASCIILetter(first),
                utf8.dropFirst().first == UInt8(ascii: "=")
            else { throw .malformedServerMessage }
            let name = Character(Unicode.Scalar(first))
            guard name != "m" else { throw .mandatoryExtension }
            result.append(Attribute(name: name, value: String(field.dropFirst(2))))
        }
        return result
    }

    /// RFC 5802 §5.1 `saslname`: `=` and `,` are escaped as `=3D` and `=2C`. Full SASLprep
    /// (RFC 4013) is not implemented; control characters, which it prohibits, are rejected.
    static func saslName(_ username: String) throws(SASLError) -> String {
        guard !username.isEmpty,
            !username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .invalidUsername }
        var escaped = ""
        for character in username {
            switch character {
            case "=": escaped += "=3D"
            case ",": escaped += "=2C"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// RFC 5802 §7 `printable`: %x21-2B / %x2D-7E.
    static func isNonceCharacter(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: ",")
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Compares in time independent of where the inputs differ, so the expected signature
    /// cannot be learned byte by byte.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

private struct Attribute {
    var name: Character
    var value: String
}

extension ArraySlice<Attribute> {
    /// Takes the next attribute if it has the given name: SCRAM fixes the order of mandatory attributes.
    fileprivate mutating func popFirst(expecting name: Character) -> String? {
        guard first?.name == name else { return nil }
        return popFirst()?.value
    }
}
