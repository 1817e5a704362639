// A hash table from 64-bit keys that are already hashes (OrderKeys) to integers: open addressing,
// linear probing, deletion by shifting back (no tombstones). The write-order gate touches it once
// per key of every row while chunks overlap in flight, which is always once a job runs at its
// concurrency: a Swift Dictionary (SipHash, resilient generic code) cost ~20 times more there.
// Key 0 marks an empty slot, so a key that happens to be 0 is stored as another constant; two
// rows only look alike then, which makes one wait (never reorders).

struct KeyTable {
    /// A key and its value side by side: a probe that finds its key reads one cache line, not
    /// two (the union-find's table grows to megabytes with a million multi-key rows, so most
    /// probes miss the cache).
    private struct Entry {
        var key: UInt64
        var value: Int
    }
    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = [Entry](repeating: Entry(key: 0, value: 0), count: size)
        mask = size - 1
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 0x9E37_79B9_7F4A_7C15 : key }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func find(_ k: UInt64) -> (slot: Int, found: Bool) {
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let here = entries[i].key
            if here == k { return (i, true) }
            if here == 0 { return (i, false) }
            i = (i &+ 1) & mask
        }
    }

    func value(_ key: UInt64) -> Int? {
        if count == 0 { return nil }
        let (slot, found) = find(Self.stored(key))
        return found ? entries[slot].value : nil
    }

    func contains(_ key: UInt64) -> Bool { count != 0 && find(Self.stored(key)).found }

    /// Adds `delta` to the key's value (a missing key counts as 0); the key goes when it reaches 0.
    mutating func add(_ key: UInt64, _ delta: Int) {
        let k = Self.stored(key)
        let (slot, found) = find(k)
        if found {
            let v = entries[slot].value &+ delta
            if v == 0 { remove(at: slot) } else { entries[slot].value = v }
        } else if delta != 0 {
            insert(k, delta, at: slot)
        }
    }

    /// Takes one from the key's value when it has one (the key goes at 0); one probe.
    mutating func decrement(_ key: UInt64) {
        guard count != 0 else { return }
        let (slot, found) = find(Self.stored(key))
        guard found else { return }
        if entries[slot].value == 1 { remove(at: slot) } else { entries[slot].value &-= 1 }
    }

    /// Sets the key's value, replacing any it had.
    mutating func set(_ key: UInt64, _ value: Int) {
        let k = Self.stored(key)
        let (slot, found) = find(k)
        if found { entries[slot].value = value } else { insert(k, value, at: slot) }
    }

    /// Removes the key and returns its value, if it had one.
    @discardableResult
    mutating func removeValue(_ key: UInt64) -> Int? {
        guard count != 0 else { return nil }
        let (slot, found) = find(Self.stored(key))
        guard found else { return nil }
        let value = entries[slot].value
        remove(at: slot)
        return value
    }

    /// Sets the key's value unless it has one.
    mutating func setIfAbsent(_ key: UInt64, _ value: Int) {
        let k = Self.stored(key)
        let (slot, found) = find(k)
        if !found { insert(k, value, at: slot) }
    }

    mutating func removeAll() {
        guard count > 0 else { return }
        for i in entries.indices { entries[i].key = 0 }
        count = 0
    }

    private mutating func insert(_ k: UInt64, _ value: Int, at slot: Int) {
        entries[slot] = Entry(key: k, value: value)
        count += 1
        if count * 10 > entries.count * 6 { grow() }
    }

    /// Shifts later entries of the probe run back into the hole, so lookups never need tombstones.
    private mutating func remove(at slot: Int) {
        var hole = slot
        var i = slot
        while true {
            i = (i &+ 1) & mask
            let k = entries[i].key
            if k == 0 { break }
            let home = Int(truncatingIfNeeded: k) & mask
            // The entry may move into the hole only if its home is not inside (hole, i].
            let inside = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i)
            if inside { continue }
            entries[hole] = entries[i]
            hole = i
        }
        entries[hole].key = 0
        count -= 1
    }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: 0, value: 0), count: old.count * 2)
        mask = entries.count - 1
        for entry in old where entry.key != 0 {
            let (slot, _) = find(entry.key)
            entries[slot] = entry
        }
    }
}
