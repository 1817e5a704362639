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
        appendDistinct(key)
    }

    /// Adds a key known not to be present yet (keys copied from another set).
    @inline(__always) mutating func appendDistinct(_ key: UInt64) {
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
        /// An order's externalOrderId (order jobs: the same order sent twice, the later wins).
        case orderId
    }

    /// A 64-bit hash of the kind and the (already normalised) bytes, eight bytes at a time, with
    /// a finaliser so that table slots spread well. In-memory only (never stored).
    public static func hash(_ kind: Kind, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        hashBytes(bytes, seed: UInt64(kind.rawValue) &* 0x9E37_79B9_7F4A_7C15)
    }

    public static func hash(_ kind: Kind, _ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { hash(kind, UnsafeRawBufferPointer($0)) }
    }
}
