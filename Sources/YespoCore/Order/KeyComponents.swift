// Which keys may name one contact, transitively: a row carrying an external id and an email says
// both reach the same contact, and a later row with that external id and another email may move
// the contact off the first one. So "the same contact" is the connected component of keys that
// rows of the input have carried together (found by chaos seed 1005: rows (X, a), (X, b), (a) —
// the third must wait for the second although they share no key). A union-find over the keys'
// hashes in an open-addressing table (a Dictionary cost ~20 times more per probe); only keys that
// met another key get an entry (rows with one key cost nothing). Its size grows with the input's
// multi-key rows, the price of exact order.
//
// Keys are folded to 32 bits here, and every root the gate counts comes from here, so the gate
// works on the folded keys throughout. Two keys that fold alike only look like one contact: a row
// waits that need not (about a hundred pairs of keys among a million), never one that must. After
// a row ended notSent, a row whose key folds like one of its keys is left notSent too, for
// --resume to send in order (after a notSent chunk of 3,000 rows, about one row in a million).
// The fold lets a link (key and parent) take one 8-byte word: the bench's million-row file, a
// third of its rows with an email and a phone, needs 4 MiB (16 MiB, and 24 while the table grew,
// with 64-bit keys and values), and a probe touches one cache line of a table that stays in cache.

struct KeyComponents {
    /// key → its parent, both folded; roots have no entry.
    private var parent = FoldedParents()

    /// A key folded to 32 bits, never 0 (an empty slot); folding a folded key changes nothing.
    @inline(__always) static func fold(_ key: UInt64) -> UInt64 {
        let folded = (key ^ (key >> 32)) & 0xFFFF_FFFF
        return folded == 0 ? 0x9E37_79B9 : folded
    }

    /// The component's representative key (folded).
    mutating func find(_ key: UInt64) -> UInt64 {
        let start = UInt32(truncatingIfNeeded: Self.fold(key))
        guard !parent.isEmpty else { return UInt64(start) }
        var root = start
        while let up = parent.value(root) { root = up }
        var walk = start
        while walk != root, let up = parent.value(walk) {   // path compression
            parent.set(walk, root)
            walk = up
        }
        return UInt64(root)
    }

    /// Joins the components of all `keys`; `merged(absorbed, into)` is called for every root that
    /// stops being one, so the gate can move its counts. Returns the joint root (nil: no keys).
    mutating func unite(_ keys: OrderKeys, merged: (UInt64, UInt64) -> Void) -> UInt64? {
        guard keys.count > 0 else { return nil }
        var root = find(keys[0])
        for i in 1..<keys.count {
            let other = find(keys[i])
            if other != root {
                parent.set(UInt32(truncatingIfNeeded: other), UInt32(truncatingIfNeeded: root))
                merged(other, root)
            }
        }
        root = find(root)
        return root
    }

    var entries: Int { parent.count }
}

/// The union-find's parent links: folded key → folded parent, one 64-bit word per slot (key high,
/// parent low; 0 is empty), open addressing with linear probing. Links are only ever added or
/// redirected, never removed, so no deletion is needed.
struct FoldedParents {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init() {
        slots = [UInt64](repeating: 0, count: 16)
        mask = 15
    }

    var isEmpty: Bool { count == 0 }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func find(_ key: UInt32) -> (slot: Int, found: Bool) {
        var i = Int(key) & mask
        while true {
            let here = slots[i]
            if here == 0 { return (i, false) }
            if UInt32(truncatingIfNeeded: here >> 32) == key { return (i, true) }
            i = (i &+ 1) & mask
        }
    }

    func value(_ key: UInt32) -> UInt32? {
        if count == 0 { return nil }
        let (slot, found) = find(key)
        return found ? UInt32(truncatingIfNeeded: slots[slot]) : nil
    }

    mutating func set(_ key: UInt32, _ value: UInt32) {
        let (slot, found) = find(key)
        slots[slot] = UInt64(key) << 32 | UInt64(value)
        if found { return }
        count += 1
        if count * 10 > slots.count * 7 { grow() }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for word in old where word != 0 {
            slots[find(UInt32(truncatingIfNeeded: word >> 32)).slot] = word
        }
    }
}
