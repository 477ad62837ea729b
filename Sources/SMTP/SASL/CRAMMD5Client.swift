import Crypto
import Foundation

/// CRAM-MD5 (RFC 2195 §2): answers the server's challenge with `user SP hex(HMAC-MD5(password, challenge))`.
struct CRAMMD5Client: Sendable {
    private let credentials: SASLCredentials
    private var answered = false

    init(credentials: SASLCredentials) {
        self.credentials = credentials
    }

    mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        guard !answered else { throw .unexpectedChallenge }
        guard !challenge.isEmpty else { throw .emptyChallenge }
        answered = true
        let key = SymmetricKey(data: Array(credentials.password.utf8))
        let digest = HMAC<Insecure.MD5>.authenticationCode(for: challenge, using: key)
        return Array(credentials.username.utf8) + [UInt8(ascii: " ")] + Array(Self.hex(digest).utf8)
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
