import Crypto
import Foundation

/// PBKDF2 (RFC 8018 §5.2) over swift-crypto's HMAC.
///
/// SCRAM's `Hi()` (RFC 5802 §2.2) is PBKDF2 with one output block; the general form exists so
/// the RFC 6070 vectors (including the multi-block one) can check it.
enum PBKDF2<H: HashFunction> {
    static func deriveKey(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        precondition(iterations > 0 && keyLength > 0)
        let keyed = HMAC<H>(key: SymmetricKey(data: password))
        var derived = [UInt8]()
        derived.reserveCapacity(keyLength)
        var blockIndex: UInt32 = 1
        while derived.count < keyLength {
            var mac = keyed
            mac.update(data: salt)
            mac.update(data: withUnsafeBytes(of: blockIndex.bigEndian, Array.init))
            var u = Array(mac.finalize())
            var block = u
            for _ in 1..<iterations {
                var next = keyed
                next.update(data: u)
                u = Array(next.finalize())
                for index in block.indices {
                    block[index] ^= u[index]
                }
            }
            derived.append(contentsOf: block.prefix(keyLength - derived.count))
            blockIndex += 1
        }
        return derived
    }

    /// `Hi(str, salt, i)` from RFC 5802 §2.2.
    static func hi(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        deriveKey(password: password, salt: salt, iterations: iterations, keyLength: H.Digest.byteCount)
    }
}
