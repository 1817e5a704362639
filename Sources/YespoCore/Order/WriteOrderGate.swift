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
// Memory is bounded by what is in flight plus what is held back (the job stops taking new chunks
// while `heldLimit` rows wait), never by the input. Guarded by the job's monitor.

struct WriteOrderGate {
    /// Keys of rows handed to the server and not yet acknowledged → how many such rows carry each.
    private var inflight = KeyTable(capacity: 1 << 14)
    /// Keys of held-back rows → how many held rows carry each.
    private var heldKeys = KeyTable()
    /// Keys of rows that ended notSent (or were poisoned themselves) → the row that first did.
    private var poisoned = KeyTable()
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

    private func blocks(_ key: UInt64) -> Bool {
        inflight.contains(key) || heldKeys.contains(key)
    }

    private func poisonSource(_ keys: OrderKeys) -> Int? {
        guard !poisoned.isEmpty else { return nil }
        for i in 0..<keys.count { if let row = poisoned.value(keys[i]) { return row } }
        return nil
    }

    /// Splits a chunk about to be sent: rows free of earlier unacknowledged twins stay in it (and
    /// their keys become in flight), the others are held back or poisoned.
    mutating func admit(_ chunk: Chunk, template: BodyTemplate) -> Admission {
        var result = Admission()
        var keep: [Int] = []
        keep.reserveCapacity(chunk.count)
        // Nothing in flight, held or poisoned (every job's first chunk, and jobs without repeats
        // whose chunks never overlap in time): nothing to check.
        let quiet = inflight.isEmpty && heldKeys.isEmpty && poisoned.isEmpty
        let keyed = chunk.keys
        for position in 0..<chunk.count {
            let range = keyed.keyRange(position)
            if quiet || range.isEmpty {
                keep.append(position)
                continue
            }
            // The common case (no repeats): no key of the row is in flight, held or poisoned.
            var clear = true
            for k in range {
                let key = keyed.key(at: k)
                if inflight.contains(key) || heldKeys.contains(key) || poisoned.contains(key) { clear = false; break }
            }
            if clear {
                keep.append(position)
                continue
            }
            let keys = keyed[position]
            if let source = poisonSource(keys) {
                poison(keys, row: source)
                result.poisonedRows.append((chunk.rows[position], source))
            } else if keys.contains(where: blocks) {
                // Held rows register their keys, so a later row of this chunk sharing one waits
                // too. Kept rows sharing a key travel in one request, which Yespo applies in order.
                hold(HeldRow(row: chunk.rows[position],
                             contact: Array(chunk.body[Int(chunk.starts[position])..<Int(chunk.ends[position])]),
                             keys: keys, dedupeValue: chunk.dedupeValues?[position] ?? nil))
                result.heldCount += 1
            } else {
                keep.append(position)
            }
        }
        for position in keep {
            for k in keyed.keyRange(position) { inflight.add(keyed.key(at: k), 1) }
        }
        guard !keep.isEmpty else { return result }
        result.send = keep.count == chunk.count ? chunk : Self.subset(of: chunk, positions: keep, template: template)
        return result
    }

    private mutating func markInflight(_ keys: OrderKeys) {
        keys.forEach { inflight.add($0, 1) }
    }

    private mutating func hold(_ row: HeldRow) {
        row.keys.forEach { heldKeys.add($0, 1) }
        held.append(row)
        heldTotal += 1
    }

    private mutating func poison(_ keys: OrderKeys, row: Int) {
        keys.forEach { poisoned.setIfAbsent($0, row) }
    }

    /// A sent row is acknowledged (or known never to arrive): its keys stop blocking. A row that
    /// ended notSent poisons its keys for the rest of the job.
    mutating func release(_ keys: OrderKeys, row: Int, notSent: Bool) {
        keys.forEach { inflight.decrement($0) }
        if notSent { poison(keys, row: row) }
    }

    /// The same for the row at `position` of a chunk, reading its keys in place.
    mutating func release(_ keys: ChunkKeys, position: Int, row: Int, notSent: Bool) {
        for k in keys.keyRange(position) { inflight.decrement(keys.key(at: k)) }
        if notSent { poison(keys[position], row: row) }
    }

    /// Held rows that may go now, in row order: none of their keys in flight, and no earlier
    /// held row sharing one. Rows poisoned meanwhile come back in `poisonedRows`. Their keys are
    /// in flight when this returns. At most `maxRows` rows and `maxBytes` bytes of contacts; none
    /// when fewer than `minRows` are ready (a catch-up chunk of one row is worth it only at the end).
    mutating func takeReady(maxRows: Int, maxBytes: Int, minRows: Int) -> (ready: [HeldRow], poisonedRows: [(row: Int, because: Int)]) {
        guard hasHeld else { return ([], []) }
        if minRows > 1 && readyCount(limit: minRows) < minRows && !hasPoisonedHeld { return ([], []) }
        var ready: [HeldRow] = []
        var poisonedRows: [(row: Int, because: Int)] = []
        var stillHeld: [HeldRow] = []
        var earlier = KeyTable()
        var bytes = 0
        for index in heldHead..<held.count {
            let row = held[index]
            if let source = poisonSource(row.keys) {
                poison(row.keys, row: source)
                poisonedRows.append((row.row, source))
                unhold(row.keys)
                continue
            }
            let free = ready.count < maxRows && bytes + row.contact.count + 1 <= maxBytes
                && !row.keys.contains(where: { inflight.contains($0) || earlier.contains($0) })
            if free {
                ready.append(row)
                bytes += row.contact.count + 1
                unhold(row.keys)
            } else {
                row.keys.forEach { earlier.setIfAbsent($0, 1) }
                stillHeld.append(row)
            }
        }
        held = stillHeld
        heldHead = 0
        for row in ready { markInflight(row.keys) }
        return (ready, poisonedRows)
    }

    /// How many held rows could go now, counting at most to `limit`.
    private func readyCount(limit: Int) -> Int {
        var earlier = KeyTable()
        var n = 0
        for index in heldHead..<held.count where n < limit {
            let row = held[index]
            if row.keys.contains(where: { inflight.contains($0) || earlier.contains($0) }) {
                row.keys.forEach { earlier.setIfAbsent($0, 1) }
            } else {
                n += 1
            }
        }
        return n
    }

    private var hasPoisonedHeld: Bool {
        guard !poisoned.isEmpty else { return false }
        for index in heldHead..<held.count where poisonSource(held[index].keys) != nil { return true }
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
        keys.forEach { key in
            if heldKeys.contains(key) { heldKeys.add(key, -1) }
        }
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
