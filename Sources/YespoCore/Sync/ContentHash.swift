// The sync state's two hashes: a 128-bit hash of a row's normalised contact bytes (what was sent)
// and a 64-bit salted hash of its match key (which contact it is). MurmurHash3 x64-128: fast
// (well under the input stage's cost per row), well distributed, and stable across versions and
// machines — the state outlives the process. Not a cryptographic hash: nobody gains anything by
// making two rows of one key collide, and the key's privacy comes from the salt (docs/sync.md).

public struct Hash128: Sendable, Hashable {
    public var low: UInt64
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// 16 bytes, little-endian low then high: the state's on-disk form.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(i)))
        }
        return out
    }

    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        var lo: UInt64 = 0, hi: UInt64 = 0
        for i in 0..<8 {
            lo |= UInt64(bytes[i]) << (8 * UInt64(i))
            hi |= UInt64(bytes[8 + i]) << (8 * UInt64(i))
        }
        self.init(low: lo, high: hi)
    }

    public var hex: String {
        bytes.map { b in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }.joined()
    }
}

public enum Murmur3 {
    /// MurmurHash3_x64_128 with h1 and h2 seeded from `seed` (seed 0 and seeds below 2^32 give the
    /// reference function's results).
    public static func hash128(_ data: UnsafeRawBufferPointer, seed: UInt64 = 0) -> Hash128 {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1 = seed
        var h2 = seed
        let count = data.count
        let blocks = count / 16
        var i = 0
        while i < blocks {
            var k1 = data.loadUnaligned(fromByteOffset: i * 16, as: UInt64.self).littleEndian
            var k2 = data.loadUnaligned(fromByteOffset: i * 16 + 8, as: UInt64.self).littleEndian
            k1 = k1 &* c1; k1 = rotl(k1, 31); k1 = k1 &* c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 = h1 &+ h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 = k2 &* c2; k2 = rotl(k2, 33); k2 = k2 &* c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 = h2 &+ h1; h2 = h2 &* 5 &+ 0x3849_5ab5
            i += 1
        }
        let tail = blocks * 16
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        let rest = count & 15
        if rest > 8 {
            for j in stride(from: rest - 1, through: 8, by: -1) { k2 ^= UInt64(data[tail + j]) << (8 * UInt64(j - 8)) }
            k2 = k2 &* c2; k2 = rotl(k2, 33); k2 = k2 &* c1; h2 ^= k2
        }
        if rest > 0 {
            for j in stride(from: min(rest, 8) - 1, through: 0, by: -1) { k1 ^= UInt64(data[tail + j]) << (8 * UInt64(j)) }
            k1 = k1 &* c1; k1 = rotl(k1, 31); k1 = k1 &* c2; h1 ^= k1
        }
        h1 ^= UInt64(count); h2 ^= UInt64(count)
        h1 = h1 &+ h2; h2 = h2 &+ h1
        h1 = fmix(h1); h2 = fmix(h2)
        h1 = h1 &+ h2; h2 = h2 &+ h1
        return Hash128(low: h1, high: h2)
    }

    public static func hash128(_ bytes: [UInt8], seed: UInt64 = 0) -> Hash128 {
        bytes.withUnsafeBytes { hash128($0, seed: seed) }
    }

    public static func hash128(_ text: String, seed: UInt64 = 0) -> Hash128 {
        var copy = text
        return copy.withUTF8 { hash128(UnsafeRawBufferPointer($0), seed: seed) }
    }

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) static func fmix(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33; k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33; k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
