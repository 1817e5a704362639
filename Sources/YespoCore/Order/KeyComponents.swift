// Which keys may name one contact, transitively: a row carrying an external id and an email says
// both reach the same contact, and a later row with that external id and another email may move
// the contact off the first one. So "the same contact" is the connected component of keys that
// rows of the input have carried together (found by chaos seed 1005: rows (X, a), (X, b), (a) —
// the third must wait for the second although they share no key). A union-find over the keys'
// hashes in an open-addressing table (KeyTable: a Dictionary cost ~20 times more per probe); only
// keys that met another key get an entry (rows with one key cost nothing). Its size grows with
// the input's multi-key rows (one entry, 16–27 bytes, each), the price of exact order.

struct KeyComponents {
    /// key → its parent (the UInt64's bit pattern); roots have no entry.
    private var parent = KeyTable()

    /// The component's representative key.
    mutating func find(_ key: UInt64) -> UInt64 {
        guard !parent.isEmpty else { return key }
        var root = key
        while let up = parent.value(root) { root = UInt64(bitPattern: Int64(up)) }
        var walk = key
        while walk != root, let up = parent.value(walk) {   // path compression
            parent.set(walk, Int(Int64(bitPattern: root)))
            walk = UInt64(bitPattern: Int64(up))
        }
        return root
    }

    /// Joins the components of all `keys`; `merged(absorbed, into)` is called for every root that
    /// stops being one, so the gate can move its counts. Returns the joint root (nil: no keys).
    mutating func unite(_ keys: OrderKeys, merged: (UInt64, UInt64) -> Void) -> UInt64? {
        guard keys.count > 0 else { return nil }
        var root = find(keys[0])
        for i in 1..<keys.count {
            let other = find(keys[i])
            if other != root {
                parent.set(other, Int(Int64(bitPattern: root)))
                merged(other, root)
            }
        }
        root = find(root)
        return root
    }

    var entries: Int { parent.count }
}
