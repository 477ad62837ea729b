import Crypto
import Testing

@testable import SMTP

struct PBKDF2Tests {
    struct Vector: Sendable {
        var password: String
        var salt: String
        var iterations: Int
        var derivedKey: String
    }

    /// RFC 6070 §2, without the 16,777,216-iteration vector.
    @Test(arguments: [
        Vector(
            password: "password",
            salt: "salt",
            iterations: 1,
            derivedKey: "0c60c80f961f0e71f3a9b524af6012062fe037a6"
        ),
        Vector(
            password: "password",
            salt: "salt",
            iterations: 2,
            derivedKey: "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        ),
        Vector(
            password: "password",
            salt: "salt",
            iterations: 4096,
            derivedKey: "4b007901b765489abead49d926f721d065a429c1"
        ),
        Vector(
            password: "passwordPASSWORDpassword",
            salt: "saltSALTsaltSALTsaltSALTsaltSALTsalt",
            iterations: 4096,
            derivedKey: "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"
        ),
        Vector(
            password: "pass\0word",
            salt: "sa\0lt",
            iterations: 4096,
            derivedKey: "56fa6aa75548099dcc37d7f03425e0c3"
        ),
    ])
    func rfc6070(vector: Vector) {
        let key = PBKDF2<Insecure.SHA1>.deriveKey(
            password: [UInt8](vector.password),
            salt: [UInt8](vector.salt),
            iterations: vector.iterations,
            keyLength: vector.derivedKey.utf8.count / 2
        )
        #expect(hex(key) == vector.derivedKey)
    }

    /// `Hi()` is PBKDF2 with one block of the hash's size (RFC 5802 §2.2).
    @Test func hiUsesDigestLength() {
        #expect(PBKDF2<SHA256>.hi([UInt8]("pencil"), salt: [1, 2, 3], iterations: 2).count == 32)
        #expect(PBKDF2<Insecure.SHA1>.hi([UInt8]("pencil"), salt: [1, 2, 3], iterations: 2).count == 20)
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
