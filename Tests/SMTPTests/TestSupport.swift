extension Array where Element == UInt8 {
    init(_ string: String) {
        self = Array(string.utf8)
    }
}

extension String {
    init(bytes: [UInt8]) {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Splits `bytes` into consecutive chunks of `size` (the last may be shorter).
func chunks(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
    stride(from: 0, to: bytes.count, by: max(size, 1)).map { Array(bytes[$0..<Swift.min($0 + size, bytes.count)]) }
}

/// Every way to cut `bytes` into non-empty consecutive chunks (2^(n-1) of them), for short inputs.
func allChunkings(_ bytes: [UInt8]) -> [[[UInt8]]] {
    guard bytes.count > 1 else { return [[bytes]] }
    precondition(bytes.count <= 16, "too many chunkings")
    return (0..<(1 << (bytes.count - 1))).map { cuts in
        var result: [[UInt8]] = []
        var start = 0
        for position in 1..<bytes.count where cuts & (1 << (position - 1)) != 0 {
            result.append(Array(bytes[start..<position]))
            start = position
        }
        result.append(Array(bytes[start...]))
        return result
    }
}

/// The chunkings every streaming test uses: byte by byte, pairs, triples and whole.
func standardChunkings(_ bytes: [UInt8]) -> [[[UInt8]]] {
    [chunks(bytes, size: 1), chunks(bytes, size: 2), chunks(bytes, size: 3), [bytes]]
}

/// A deterministic generator so random tests are reproducible (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
