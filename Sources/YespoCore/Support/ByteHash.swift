// One hash for the engine's in-memory tables of byte strings: the match-key index (Job/) and the
// order keys (Order/). Here, in Support/, because the input fuzz target compiles Input/ and
// Order/ without the job.

/// A fast 64-bit hash of a short byte string (eight bytes at a time, then a 64-bit finaliser).
/// For in-memory tables only: not stable across versions, not for anything stored.
@inline(__always) func hashBytes(_ b: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    var h: UInt64 = (0x9E37_79B9_7F4A_7C15 ^ seed) &+ UInt64(b.count)
    guard let p = b.baseAddress else { return h }
    let n = b.count
    var i = 0
    while i &+ 8 <= n {
        h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 29
        i &+= 8
    }
    if i < n {
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift; shift &+= 8; i &+= 1 }
        h = (h ^ tail) &* 0xc4ce_b9fe_1a85_ec53
    }
    h ^= h >> 33
    h = h &* 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    return h
}
