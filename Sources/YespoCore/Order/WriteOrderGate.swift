// The write-order gate: keeps the final state in Yespo equal to importing the rows one at a time,
// in input order, although chunks travel in parallel and are retried out of order.
//
// A row may go to the server only when no earlier row that may be the same contact (sharing an
// email, phone, external id or dedupe value: OrderKeys) is still unacknowledged. Rows of a chunk
// that fail this are taken out of it and held back, in row order; once the earlier rows are
// acknowledged they leave together in a catch-up chunk. A row whose earlier twin ended notSent is
// not sent either ("poisoned"), so that a later --resume sends both, in order, instead of
// resending the older one over the newer.
//
// "May be the same contact" is transitive (KeyComponents): the counts below are kept per
// component root, so a row waits for any unacknowledged row connected to it through keys that
// rows carried together. Held rows are bounded (the job stops taking new chunks while
// `heldLimit` rows wait); the components grow with the input's multi-key rows. Guarded by the
// job's monitor.

struct WriteOrderGate {
    /// Component roots of rows handed to the server and not yet acknowledged → how many.
    private var inflight = KeyTable(capacity: 1 << 14)
    /// Component roots of held-back rows → how many.
    private var heldKeys = KeyTable()
    /// Component roots of rows that ended notSent (or were poisoned themselves) → the row that first did.
    private var poisoned = KeyTable()
    private var components = KeyComponents()
    private(set) var held: [HeldRow] = []
    private var heldHead = 0
    /// Held rows waiting; above this the job sends only catch-up chunks until they drain.
    let heldLimit: Int
    /// Rows ever held back (a figure for the report and the bench).
    private(set) var heldTotal = 0

    init(heldLimit: Int) {
        self.heldLimit = max(1, heldLimit)
    }

    struct HeldRow {
        let row: Int
        let contact: [UInt8]
        let keys: OrderKeys
        let dedupeValue: String?
    }

    /// What `admit` decided for the rows of a chunk.
    struct Admission {
        /// The rows that may go now (the chunk itself when none was taken out); nil when none.
        var send: Chunk?
        /// Rows not sent because an earlier row of the same contact was not sent: (row, earlier row).
        var poisonedRows: [(row: Int, because: Int)] = []
        var heldCount = 0
    }

    var heldCount: Int { held.count - heldHead }
    var isFull: Bool { heldCount >= heldLimit }
    var hasHeld: Bool { heldCount > 0 }
    /// Union-find entries (one per key that met another key), for the memory notes.
    var componentEntries: Int { components.entries }

    private func blocks(root: UInt64) -> Bool {
        inflight.contains(root) || heldKeys.contains(root)
    }

    /// Joins the row's keys into one component (moving the counts of roots that merge) and
    /// returns its root; nil for a row without keys.
    private mutating func root(of keys: OrderKeys) -> UInt64? {
        components.unite(keys) { absorbed, into in
            if let n = inflight.removeValue(absorbed) { inflight.add(into, n) }
            if let n = heldKeys.removeValue(absorbed) { heldKeys.add(into, n) }
            if let row = poisoned.removeValue(absorbed) { poisoned.setIfAbsent(into, row) }
        }
    }

    private mutating func currentRoot(_ keys: OrderKeys) -> UInt64? {
        keys.isEmpty ? nil : components.find(keys[0])
    }

    /// Splits a chunk about to be sent: rows free of earlier unacknowledged twins stay in it (and
    /// their components become in flight), the others are held back or poisoned.
    mutating func admit(_ chunk: Chunk, template: BodyTemplate) -> Admission {
        var result = Admission()
        var keep: [Int] = []
        keep.reserveCapacity(chunk.count)
        // Nothing in flight, held or poisoned (every job's first chunk, and jobs without repeats
        // whose chunks never overlap in time): nothing to wait for, only multi-key rows to join.
        let quiet = inflight.isEmpty && heldKeys.isEmpty && poisoned.isEmpty
        let keyed = chunk.keys
        var roots: [UInt64] = []
        roots.reserveCapacity(chunk.count)
        for position in 0..<chunk.count {
            let range = keyed.keyRange(position)
            if range.isEmpty {
                keep.append(position)
                roots.append(0)
                continue
            }
            let keys = keyed[position]
            // One find per key; a single-key row only reads (its key is its own root unless it met another).
            let root = (keys.count == 1 ? components.find(keys[0]) : root(of: keys))!
            if quiet {
                keep.append(position)
                roots.append(root)
            } else if let source = poisoned.value(root) {
                result.poisonedRows.append((chunk.rows[position], source))
            } else if blocks(root: root) {
                // Held rows register their component, so a later row of this chunk connected to
                // it waits too. Kept rows of one component travel in one request, which Yespo
                // applies in order.
                hold(HeldRow(row: chunk.rows[position],
                             contact: Array(chunk.body[Int(chunk.starts[position])..<Int(chunk.ends[position])]),
                             keys: keys, dedupeValue: chunk.dedupeValues?[position] ?? nil))
                result.heldCount += 1
            } else {
                keep.append(position)
                roots.append(root)
            }
        }
        // Counted after the loop: rows kept in this chunk never wait for each other. A root may
        // have been absorbed by a later row's union meanwhile, so each is looked up again.
        for (i, position) in keep.enumerated() where !keyed.keyRange(position).isEmpty {
            inflight.add(components.find(roots[i]), 1)
        }
        guard !keep.isEmpty else { return result }
        result.send = keep.count == chunk.count ? chunk : Self.subset(of: chunk, positions: keep, template: template)
        return result
    }

    private mutating func markInflight(_ keys: OrderKeys) {
        if let root = currentRoot(keys) { inflight.add(root, 1) }
    }

    private mutating func hold(_ row: HeldRow) {
        if let root = currentRoot(row.keys) { heldKeys.add(root, 1) }
        held.append(row)
        heldTotal += 1
    }

    /// A sent row is acknowledged (or known never to arrive): its component stops blocking. A row
    /// that ended notSent poisons its component for the rest of the job.
    mutating func release(_ keys: OrderKeys, row: Int, notSent: Bool) {
        guard let root = currentRoot(keys) else { return }
        inflight.decrement(root)
        if notSent { poisoned.setIfAbsent(root, row) }
    }

    /// The same for the row at `position` of a chunk, reading its first key in place.
    mutating func release(_ keys: ChunkKeys, position: Int, row: Int, notSent: Bool) {
        let range = keys.keyRange(position)
        guard !range.isEmpty else { return }
        let root = components.find(keys.key(at: range.lowerBound))
        inflight.decrement(root)
        if notSent { poisoned.setIfAbsent(root, row) }
    }

    /// Held rows that may go now, in row order: their component not in flight, and no earlier
    /// held row in it. Rows poisoned meanwhile come back in `poisonedRows`. Their components are
    /// in flight when this returns. At most `maxRows` rows and `maxBytes` bytes of contacts; none
    /// when fewer than `minRows` are ready (a catch-up chunk of one row is worth it only at the end).
    mutating func takeReady(maxRows: Int, maxBytes: Int, minRows: Int) -> (ready: [HeldRow], poisonedRows: [(row: Int, because: Int)]) {
        guard hasHeld else { return ([], []) }
        if minRows > 1 && readyCount(limit: minRows) < minRows && !hasPoisonedHeld() { return ([], []) }
        var ready: [HeldRow] = []
        var poisonedRows: [(row: Int, because: Int)] = []
        var stillHeld: [HeldRow] = []
        var earlier = KeyTable()
        var bytes = 0
        for index in heldHead..<held.count {
            let row = held[index]
            let root = currentRoot(row.keys)
            if let root, let source = poisoned.value(root) {
                poisonedRows.append((row.row, source))
                unhold(row.keys)
                continue
            }
            let free = ready.count < maxRows && bytes + row.contact.count + 1 <= maxBytes
                && root.map { !inflight.contains($0) && !earlier.contains($0) } ?? true
            if free {
                ready.append(row)
                bytes += row.contact.count + 1
                unhold(row.keys)
            } else {
                if let root { earlier.setIfAbsent(root, 1) }
                stillHeld.append(row)
            }
        }
        held = stillHeld
        heldHead = 0
        for row in ready { markInflight(row.keys) }
        return (ready, poisonedRows)
    }

    /// How many held rows could go now, counting at most to `limit`.
    private mutating func readyCount(limit: Int) -> Int {
        var earlier = KeyTable()
        var n = 0
        for index in heldHead..<held.count where n < limit {
            guard let root = currentRoot(held[index].keys) else { n += 1; continue }
            if inflight.contains(root) || earlier.contains(root) { earlier.setIfAbsent(root, 1) } else { n += 1 }
        }
        return n
    }

    private mutating func hasPoisonedHeld() -> Bool {
        guard !poisoned.isEmpty else { return false }
        for index in heldHead..<held.count {
            if let root = currentRoot(held[index].keys), poisoned.contains(root) { return true }
        }
        return false
    }

    /// The job stopped: every held row comes back (to be reported notSent).
    mutating func drain() -> [HeldRow] {
        let rows = Array(held[heldHead...])
        held = []
        heldHead = 0
        heldKeys.removeAll()
        return rows
    }

    private mutating func unhold(_ keys: OrderKeys) {
        guard let root = currentRoot(keys) else { return }
        heldKeys.decrement(root)
    }

    /// The rows at `positions` of a chunk as a chunk of their own (body spliced anew).
    static func subset(of chunk: Chunk, positions: [Int], template: BodyTemplate) -> Chunk {
        var body = template.head
        var starts: [Int32] = [], ends: [Int32] = []
        starts.reserveCapacity(positions.count)
        ends.reserveCapacity(positions.count)
        for (i, position) in positions.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            starts.append(Int32(body.count))
            body.append(contentsOf: chunk.body[Int(chunk.starts[position])..<Int(chunk.ends[position])])
            ends.append(Int32(body.count))
        }
        body.append(contentsOf: template.tail)
        return Chunk(index: chunk.index, rows: positions.map { chunk.rows[$0] }, starts: starts, ends: ends, body: body,
                     dedupeValues: chunk.dedupeValues.map { values in positions.map { values[$0] } },
                     keys: chunk.keys.subset(positions))
    }

    /// Held rows as one chunk of their own.
    static func catchUp(_ rows: [HeldRow], index: Int, template: BodyTemplate, keepDedupeValues: Bool) -> Chunk {
        var body = template.head
        var starts: [Int32] = [], ends: [Int32] = []
        for (i, row) in rows.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            starts.append(Int32(body.count))
            body.append(contentsOf: row.contact)
            ends.append(Int32(body.count))
        }
        body.append(contentsOf: template.tail)
        return Chunk(index: index, rows: rows.map(\.row), starts: starts, ends: ends, body: body,
                     dedupeValues: keepDedupeValues ? rows.map(\.dedupeValue) : nil, keys: ChunkKeys(rows.map(\.keys)))
    }
}
