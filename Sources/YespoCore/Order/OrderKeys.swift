// The identities by which Yespo may take two rows for the same contact, as 64-bit hashes: every
// email and phone the row carries, its externalCustomerId, and its dedupeOn value when that is
// something else (id, custom field, push token). The write-order gate holds a later row back while
// an earlier row sharing any of these is unacknowledged, so the set is deliberately wide: a false
// match only costs a short wait, a missed one could let an older value overwrite a newer one.
// Kept inline (no heap allocation per row): a contact has at most 2 emails + 2 phones + 1 external
// id + 1 other dedupe value.

public struct OrderKeys: Sendable, Equatable {
    public static let capacity = 6
    private var k0: UInt64 = 0, k1: UInt64 = 0, k2: UInt64 = 0, k3: UInt64 = 0, k4: UInt64 = 0, k5: UInt64 = 0
    public private(set) var count = 0

    public init() {}

    public subscript(i: Int) -> UInt64 {
        switch i {
        case 0: return k0
        case 1: return k1
        case 2: return k2
        case 3: return k3
        case 4: return k4
        default: return k5
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// Adds a key unless present or full (a full set only happens with malformed input).
    public mutating func insert(_ key: UInt64) {
        for i in 0..<count where self[i] == key { return }
        switch count {
        case 0: k0 = key
        case 1: k1 = key
        case 2: k2 = key
        case 3: k3 = key
        case 4: k4 = key
        case 5: k5 = key
        default: return
        }
        count += 1
    }

    public func forEach(_ body: (UInt64) -> Void) {
        for i in 0..<count { body(self[i]) }
    }

    public func contains(where predicate: (UInt64) -> Bool) -> Bool {
        for i in 0..<count where predicate(self[i]) { return true }
        return false
    }

    /// What kind of identity a key hashes; part of the hash so an email never equals an id.
    public enum Kind: UInt8, Sendable {
        case email = 1, phone, externalCustomerId, dedupeValue
    }

    /// FNV-1a over the kind and the (already normalised) bytes, then a 64-bit finaliser so that
    /// dictionary buckets spread well.
    public static func hash(_ kind: Kind, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        h = (h ^ UInt64(kind.rawValue)) &* 0x0000_0100_0000_01B3
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    public static func hash(_ kind: Kind, _ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { hash(kind, UnsafeRawBufferPointer($0)) }
    }
}
