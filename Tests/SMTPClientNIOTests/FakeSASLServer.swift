import Crypto
import Foundation
import SMTP

/// The server side of the SASL mechanisms, written independently of the client in the SMTP core
/// so the two check each other: PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195) and SCRAM
/// (RFC 5802, RFC 7677) computed with swift-crypto.
struct FakeSASLServer: Sendable {
    enum Mechanism: Sendable {
        case plain
        case login
        case cramMD5(challenge: String)
        case scramSHA1(ScramOptions)
        case scramSHA256(ScramOptions)
    }

    struct ScramOptions: Sendable {
        enum ServerFinal: Sendable {
            /// `334 v=…` with the correct signature, then `235` after the client's empty response.
            case valid
            /// `235` right after the client-final message, without proving anything.
            case omitted
            /// `334 v=…` with a wrong signature.
            case wrong
        }

        var serverNonce = "3rfcNHYJY1ZVvWVs7j"
        var salt: [UInt8] = Array(Data(base64Encoded: "QSXCR+Q6sek8bf92") ?? Data())
        var iterations = 4096
        var serverFinal = ServerFinal.valid
    }

    /// What the SMTP server does next.
    enum Step: Equatable, Sendable {
        /// Send `334` with this base64 text.
        case challenge(String)
        /// Send this reply; the exchange is over.
        case done(SMTPReply)
    }

    private enum State: Sendable {
        case awaitingInitial
        case plain
        case loginUsername
        case loginPassword(username: String)
        case cramMD5(challenge: String)
        case scramClientFirst
        case scramClientFinal(clientFirstBare: String, serverFirst: String)
        case scramAwaitingEmpty
        case finished
    }

    let username: String
    let password: String
    let mechanism: Mechanism
    private var state = State.awaitingInitial

    static let success = SMTPReply(code: 235, SMTPEnhancedStatusCode(2, 7, 0), "Authentication successful")
    static let failure = SMTPReply(code: 535, SMTPEnhancedStatusCode(5, 7, 8), "Authentication credentials invalid")
    static let cancelled = SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 7, 0), "Authentication cancelled")

    init(username: String, password: String, mechanism: Mechanism) {
        self.username = username
        self.password = password
        self.mechanism = mechanism
    }

    var name: String {
        switch mechanism {
        case .plain: "PLAIN"
        case .login: "LOGIN"
        case .cramMD5: "CRAM-MD5"
        case .scramSHA1: "SCRAM-SHA-1"
        case .scramSHA256: "SCRAM-SHA-256"
        }
    }

    /// Handles `AUTH mechanism [initial-response]`.
    mutating func start(initialResponse: String?) -> Step {
        switch mechanism {
        case .plain:
            state = .plain
            return initialResponse.map { respond($0) } ?? .challenge("")
        case .login:
            state = .loginUsername
            return .challenge(Data("Username:".utf8).base64EncodedString())
        case .cramMD5(let challenge):
            state = .cramMD5(challenge: challenge)
            return .challenge(Data(challenge.utf8).base64EncodedString())
        case .scramSHA1, .scramSHA256:
            state = .scramClientFirst
            return initialResponse.map { respond($0) } ?? .challenge("")
        }
    }

    /// Handles one response line from the client.
    mutating func respond(_ line: String) -> Step {
        if line == "*" {
            state = .finished
            return .done(Self.cancelled)
        }
        guard let decoded = line == "=" ? Data() : Data(base64Encoded: line) else {
            state = .finished
            return .done(SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 5, 2), "Invalid base64"))
        }
        let message = Array(decoded)
        let current = state
        state = .finished
        switch current {
        case .plain:
            let expected = [0] + Array(username.utf8) + [0] + Array(password.utf8)
            return .done(message == expected ? Self.success : Self.failure)
        case .loginUsername:
            state = .loginPassword(username: String(decoding: message, as: UTF8.self))
            return .challenge(Data("Password:".utf8).base64EncodedString())
        case .loginPassword(let received):
            let ok = received == username && message == Array(password.utf8)
            return .done(ok ? Self.success : Self.failure)
        case .cramMD5(let challenge):
            let key = SymmetricKey(data: Array(password.utf8))
            let digest = HMAC<Insecure.MD5>.authenticationCode(for: Array(challenge.utf8), using: key)
            let expected = "\(username) \(digest.map { String(format: "%02x", $0) }.joined())"
            return .done(message == Array(expected.utf8) ? Self.success : Self.failure)
        case .scramClientFirst:
            return scramServerFirst(clientFirst: String(decoding: message, as: UTF8.self))
        case .scramClientFinal(let clientFirstBare, let serverFirst):
            return scramServerFinal(
                clientFinal: String(decoding: message, as: UTF8.self),
                clientFirstBare: clientFirstBare,
                serverFirst: serverFirst
            )
        case .scramAwaitingEmpty:
            return .done(message.isEmpty ? Self.success : Self.failure)
        case .awaitingInitial, .finished:
            return .done(SMTPReply(code: 503, SMTPEnhancedStatusCode(5, 5, 1), "No exchange in progress"))
        }
    }

    private var scramOptions: ScramOptions? {
        switch mechanism {
        case .scramSHA1(let options), .scramSHA256(let options): options
        default: nil
        }
    }

    private mutating func scramServerFirst(clientFirst: String) -> Step {
        guard let options = scramOptions, clientFirst.hasPrefix("n,,") else { return .done(Self.failure) }
        let bare = String(clientFirst.dropFirst(3))
        let fields = bare.split(separator: ",")
        guard fields.count >= 2, fields[0] == "n=\(username)", fields[1].hasPrefix("r=") else {
            return .done(Self.failure)
        }
        let clientNonce = fields[1].dropFirst(2)
        let serverFirst =
            "r=\(clientNonce)\(options.serverNonce),s=\(Data(options.salt).base64EncodedString()),i=\(options.iterations)"
        state = .scramClientFinal(clientFirstBare: bare, serverFirst: serverFirst)
        return .challenge(Data(serverFirst.utf8).base64EncodedString())
    }

    private mutating func scramServerFinal(clientFinal: String, clientFirstBare: String, serverFirst: String) -> Step {
        guard let options = scramOptions, let proofRange = clientFinal.range(of: ",p=") else {
            return .done(Self.failure)
        }
        let withoutProof = String(clientFinal[..<proofRange.lowerBound])
        let proof = Data(base64Encoded: String(clientFinal[proofRange.upperBound...])).map(Array.init) ?? []
        let authMessage = "\(clientFirstBare),\(serverFirst),\(withoutProof)"
        let keys: ScramKeys =
            switch mechanism {
            case .scramSHA1:
                ScramKeys.compute(Insecure.SHA1.self, password: password, options: options, authMessage: authMessage)
            default:
                ScramKeys.compute(SHA256.self, password: password, options: options, authMessage: authMessage)
            }
        guard proof == keys.clientProof else { return .done(Self.failure) }
        switch options.serverFinal {
        case .valid:
            state = .scramAwaitingEmpty
            return .challenge(Data("v=\(Data(keys.serverSignature).base64EncodedString())".utf8).base64EncodedString())
        case .omitted:
            return .done(Self.success)
        case .wrong:
            state = .scramAwaitingEmpty
            let forged = keys.serverSignature.map { $0 ^ 0x5A }
            return .challenge(Data("v=\(Data(forged).base64EncodedString())".utf8).base64EncodedString())
        }
    }
}

/// The SCRAM proof and server signature for one exchange (RFC 5802 §3).
struct ScramKeys {
    var clientProof: [UInt8]
    var serverSignature: [UInt8]

    static func compute<H: HashFunction>(
        _: H.Type,
        password: String,
        options: FakeSASLServer.ScramOptions,
        authMessage: String
    ) -> ScramKeys {
        let salted = SymmetricKey(
            data: hi(H.self, password: Array(password.utf8), salt: options.salt, iterations: options.iterations)
        )
        let clientKey = Array(HMAC<H>.authenticationCode(for: Array("Client Key".utf8), using: salted))
        let storedKey = SymmetricKey(data: Array(H.hash(data: clientKey)))
        let clientSignature = Array(HMAC<H>.authenticationCode(for: Array(authMessage.utf8), using: storedKey))
        let serverKey = SymmetricKey(
            data: Array(HMAC<H>.authenticationCode(for: Array("Server Key".utf8), using: salted))
        )
        let serverSignature = Array(HMAC<H>.authenticationCode(for: Array(authMessage.utf8), using: serverKey))
        return ScramKeys(clientProof: zip(clientKey, clientSignature).map { $0 ^ $1 }, serverSignature: serverSignature)
    }

    /// `Hi()` of RFC 5802 §2.2: PBKDF2 with HMAC-H and one output block.
    static func hi<H: HashFunction>(_: H.Type, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var previous = Array(HMAC<H>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = previous
        for _ in 1..<iterations {
            previous = Array(HMAC<H>.authenticationCode(for: previous, using: key))
            for index in result.indices {
                result[index] ^= previous[index]
            }
        }
        return result
    }
}
