// Plans chunks on the feeding thread: prepared contacts are appended to the growing body as they
// arrive (no DOM, one copy of each contact's bytes), a chunk is closed at settings.chunkSize
// contacts or before it would pass settings.chunkBytes, and rows sharing a match key inside one
// chunk are de-duplicated — the last one wins, the earlier one is reported as a duplicate.
//
// The hot path allocates nothing per row: the body and the match keys grow in buffers reused from
// chunk to chunk, and the match keys are found through an open-addressing table of their hashes
// (compared byte for byte on a hit). A closed chunk gets an exactly sized copy of its body.
import Glibc

struct ChunkBuilder {
    private let template: BodyTemplate
    private let maxRows: Int
    private let maxBytes: Int
    private let keepDedupeValues: Bool
    /// "contact", "order", "event": what a row is, for the too-large message.
    private let rowNoun: String

    private var body: ByteWriter
    /// Per row of the chunk being built: input row, contact byte range in `body`, still alive
    /// (not superseded), order keys (flat, `keyEnds[i]` ends row i's). Fixed buffers of `maxRows`.
    private let rows: UnsafeMutablePointer<Int>
    private let starts: UnsafeMutablePointer<Int32>
    private let ends: UnsafeMutablePointer<Int32>
    private let alive: UnsafeMutablePointer<Bool>
    private let keyEnds: UnsafeMutablePointer<Int32>
    private let flatKeys: UnsafeMutablePointer<UInt64>
    private var count = 0
    private var keyCount = 0
    private var dedupeValues: [String?] = []
    private var liveCount = 0
    private var nextIndex = 0
    private var matchKeys: MatchKeyIndex
    /// Bodies of chunks that were sent, to be filled again (no malloc churn, no fragmentation:
    /// a million-row job reuses the same few half-megabyte buffers).
    private var spareBodies: [[UInt8]] = []

    init(template: BodyTemplate, maxRows: Int, maxBytes: Int, keepDedupeValues: Bool, rowNoun: String = "contact") {
        self.rowNoun = rowNoun
        self.template = template
        self.maxRows = max(1, maxRows)
        self.maxBytes = maxBytes
        self.keepDedupeValues = keepDedupeValues
        body = ByteWriter(capacity: 64 << 10)
        rows = .allocate(capacity: self.maxRows)
        starts = .allocate(capacity: self.maxRows)
        ends = .allocate(capacity: self.maxRows)
        alive = .allocate(capacity: self.maxRows)
        keyEnds = .allocate(capacity: self.maxRows)
        flatKeys = .allocate(capacity: self.maxRows * OrderKeys.capacity)
        matchKeys = MatchKeyIndex(rows: self.maxRows)
        resetBody()
    }

    /// The builder's buffers are not memory Swift manages: the job frees them once.
    func free() {
        body.free()
        matchKeys.free()
        rows.deallocate()
        starts.deallocate()
        ends.deallocate()
        alive.deallocate()
        keyEnds.deallocate()
        flatKeys.deallocate()
    }

    var chunksPlanned: Int { nextIndex }

    /// A sent chunk's body, to be reused by a later chunk (kept only while few are spare).
    mutating func takeBack(_ body: [UInt8]) {
        if spareBodies.count < 4 && body.capacity > 0 { spareBodies.append(body) }
    }

    /// Adds one prepared row (owned). See `add(_: ReadyRow, ...)`.
    mutating func add(_ row: PreparedRow, superseded: (RowOutcome, [UInt8]) -> Void,
                      tooLarge: (RowOutcome) -> Void) -> Chunk? {
        var closed: Chunk? = nil
        ReadyRow.borrowing(row) { ready in closed = add(ready, superseded: superseded, tooLarge: tooLarge) }
        return closed
    }

    /// Adds one prepared row. Returns a closed chunk when this row did not fit the current one.
    /// A row superseded inside the chunk is reported through `superseded`; a row too large for
    /// any body through `tooLarge`.
    mutating func add(_ row: ReadyRow, superseded: (RowOutcome, [UInt8]) -> Void,
                      tooLarge: (RowOutcome) -> Void) -> Chunk? {
        let size = row.json.count
        if template.head.count + size + template.tail.count > maxBytes {
            tooLarge(RowOutcome(row: row.row, kind: .invalid,
                                reason: "\(rowNoun) is \(size) bytes; one bulk request may hold at most \(maxBytes) bytes (chunkBytes)"))
            return nil
        }
        var closed: Chunk? = nil
        if liveCount + 1 > maxRows || count == maxRows || body.count + size + 1 + template.tail.count > maxBytes {
            closed = close()
        }
        let position = count
        if let key = row.matchKey, let earlier = matchKeys.replace(key, with: position) {
            alive[earlier] = false
            liveCount -= 1
            superseded(RowOutcome(row: rows[earlier], kind: .duplicate, reason: "superseded by row \(row.row)"),
                       Array(body.bytes(Int(starts[earlier])..<Int(ends[earlier]))))
        }
        starts[position] = Int32(body.count)
        body.append(contentsOf: row.json)
        ends[position] = Int32(body.count)
        body.append(UInt8(ascii: ","))
        rows[position] = row.row
        alive[position] = true
        let keys = row.orderKeys
        for k in 0..<keys.count { flatKeys[keyCount + k] = keys[k] }
        keyCount += keys.count
        keyEnds[position] = Int32(keyCount)
        if keepDedupeValues { dedupeValues.append(row.dedupeValue) }
        count = position + 1
        liveCount += 1
        return closed
    }

    /// Closes the current chunk; nil when it holds no live row.
    mutating func close() -> Chunk? {
        defer { resetBody() }
        guard liveCount > 0 else { return nil }
        let chunk: Chunk
        if liveCount == count {
            body.truncate(to: body.count - 1)   // the trailing ","
            var out = spareBodies.popLast() ?? []
            out.removeAll(keepingCapacity: true)
            out.reserveCapacity(body.count + template.tail.count)
            out.append(contentsOf: body.all)
            out.append(contentsOf: template.tail)
            chunk = Chunk(index: nextIndex, rows: Array(UnsafeBufferPointer(start: rows, count: count)),
                          starts: Array(UnsafeBufferPointer(start: starts, count: count)),
                          ends: Array(UnsafeBufferPointer(start: ends, count: count)), body: out,
                          dedupeValues: keepDedupeValues ? dedupeValues : nil,
                          keys: ChunkKeys(flat: Array(UnsafeBufferPointer(start: flatKeys, count: keyCount)),
                                          ends: Array(UnsafeBufferPointer(start: keyEnds, count: count))))
        } else {
            chunk = compacted()
        }
        nextIndex += 1
        return chunk
    }

    private func keys(_ i: Int) -> OrderKeys {
        var keys = OrderKeys()
        for k in (i == 0 ? 0 : Int(keyEnds[i - 1]))..<Int(keyEnds[i]) { keys.appendDistinct(flatKeys[k]) }
        return keys
    }

    /// Rebuilds the body without the superseded rows.
    private func compacted() -> Chunk {
        var out = template.head
        out.reserveCapacity(body.count + template.tail.count)
        var liveRows: [Int] = [], liveStarts: [Int32] = [], liveEnds: [Int32] = [], liveValues: [String?] = []
        var liveKeys = ChunkKeys(reservingRows: liveCount)
        liveRows.reserveCapacity(liveCount)
        for i in 0..<count where alive[i] {
            if !liveRows.isEmpty { out.append(UInt8(ascii: ",")) }
            liveStarts.append(Int32(out.count))
            out.append(contentsOf: body.bytes(Int(starts[i])..<Int(ends[i])))
            liveEnds.append(Int32(out.count))
            liveRows.append(rows[i])
            liveKeys.append(keys(i))
            if keepDedupeValues { liveValues.append(dedupeValues[i]) }
        }
        out.append(contentsOf: template.tail)
        return Chunk(index: nextIndex, rows: liveRows, starts: liveStarts, ends: liveEnds, body: out,
                     dedupeValues: keepDedupeValues ? liveValues : nil, keys: liveKeys)
    }

    private mutating func resetBody() {
        body.removeAll()
        body.append(contentsOf: template.head)
        count = 0
        keyCount = 0
        dedupeValues = []
        matchKeys.removeAll()
        liveCount = 0
    }
}

/// The match keys of the chunk being built → the position of the last row carrying each: an
/// open-addressing table of 64-bit hashes over the key bytes, kept in one reused buffer.
struct MatchKeyIndex {
    private var hashes: [UInt64]
    private var positions: [Int32]
    /// Key bytes of each table entry: arena[offsets[slot] ..< offsets[slot] + lengths[slot]].
    private var offsets: [Int32]
    private var lengths: [Int32]
    private var used: [Int32] = []
    private var arena = ByteWriter(capacity: 16 << 10)
    private let mask: Int

    init(rows: Int) {
        var size = 64
        while size < rows * 2 { size <<= 1 }
        hashes = [UInt64](repeating: 0, count: size)
        positions = [Int32](repeating: 0, count: size)
        offsets = [Int32](repeating: 0, count: size)
        lengths = [Int32](repeating: 0, count: size)
        mask = size - 1
        used.reserveCapacity(rows)
    }

    func free() { arena.free() }

    /// Records `position` for `key`; returns the position that carried the key before, if any.
    mutating func replace(_ key: UnsafeRawBufferPointer, with position: Int) -> Int? {
        var h = hashBytes(key)
        if h == 0 { h = 1 }
        var i = Int(truncatingIfNeeded: h) & mask
        while hashes[i] != 0 {
            if hashes[i] == h && lengths[i] == Int32(key.count)
                && bytesEqual(arena.bytes(Int(offsets[i])..<Int(offsets[i]) + key.count), key) {
                let earlier = Int(positions[i])
                positions[i] = Int32(position)
                return earlier
            }
            i = (i &+ 1) & mask
        }
        // A chunk never holds more rows than the table was sized for (half full at most).
        hashes[i] = h
        positions[i] = Int32(position)
        offsets[i] = Int32(arena.count)
        lengths[i] = Int32(key.count)
        arena.append(contentsOf: key)
        used.append(Int32(i))
        return nil
    }

    mutating func removeAll() {
        for i in used { hashes[Int(i)] = 0 }
        used.removeAll(keepingCapacity: true)
        arena.removeAll()
    }
}

@inline(__always) private func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}
