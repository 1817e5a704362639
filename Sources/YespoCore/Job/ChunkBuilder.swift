// Plans chunks on the feeding thread: prepared contacts are appended to the growing body as they
// arrive (no DOM, one copy of each contact's bytes), a chunk is closed at settings.chunkSize
// contacts or before it would pass settings.chunkBytes, and rows sharing a match key inside one
// chunk are de-duplicated — the last one wins, the earlier one is reported as a duplicate.

struct ChunkBuilder {
    private let template: BodyTemplate
    private let maxRows: Int
    private let maxBytes: Int
    private let keepDedupeValues: Bool

    private var body: [UInt8] = []
    private var rows: [Int] = []
    private var starts: [Int32] = []
    private var ends: [Int32] = []
    private var alive: [Bool] = []
    private var dedupeValues: [String?] = []
    private var keys: [OrderKeys] = []
    private var slotByKey: [String: Int] = [:]
    private var liveCount = 0
    private var nextIndex = 0

    init(template: BodyTemplate, maxRows: Int, maxBytes: Int, keepDedupeValues: Bool) {
        self.template = template
        self.maxRows = max(1, maxRows)
        self.maxBytes = maxBytes
        self.keepDedupeValues = keepDedupeValues
        resetBody()
    }

    var chunksPlanned: Int { nextIndex }

    /// Adds one prepared row. Returns a closed chunk when this row did not fit the current one.
    /// A row superseded inside the chunk is reported through `superseded`; a row too large for
    /// any body through `tooLarge`.
    mutating func add(_ row: PreparedRow, superseded: (RowOutcome, [UInt8]) -> Void,
                      tooLarge: (RowOutcome) -> Void) -> Chunk? {
        let size = row.json.count
        if template.head.count + size + template.tail.count > maxBytes {
            tooLarge(RowOutcome(row: row.row, kind: .invalid,
                                reason: "contact is \(size) bytes; one bulk request may hold at most \(maxBytes) bytes (chunkBytes)"))
            return nil
        }
        var closed: Chunk? = nil
        if liveCount + 1 > maxRows || body.count + size + 1 + template.tail.count > maxBytes {
            closed = close()
        }
        if let key = row.matchKey {
            if let earlier = slotByKey[key] {
                alive[earlier] = false
                liveCount -= 1
                superseded(RowOutcome(row: rows[earlier], kind: .duplicate, reason: "superseded by row \(row.row)"),
                           Array(body[Int(starts[earlier])..<Int(ends[earlier])]))
            }
            slotByKey[key] = rows.count
        }
        starts.append(Int32(body.count))
        body.append(contentsOf: row.json)
        ends.append(Int32(body.count))
        body.append(UInt8(ascii: ","))
        rows.append(row.row)
        alive.append(true)
        keys.append(row.orderKeys)
        if keepDedupeValues { dedupeValues.append(row.dedupeValue) }
        liveCount += 1
        return closed
    }

    /// Closes the current chunk; nil when it holds no live row.
    mutating func close() -> Chunk? {
        defer { resetBody() }
        guard liveCount > 0 else { return nil }
        let chunk: Chunk
        if liveCount == rows.count {
            body.removeLast()   // the trailing ","
            body.append(contentsOf: template.tail)
            chunk = Chunk(index: nextIndex, rows: rows, starts: starts, ends: ends, body: body,
                          dedupeValues: keepDedupeValues ? dedupeValues : nil, keys: keys)
        } else {
            chunk = compacted()
        }
        nextIndex += 1
        return chunk
    }

    /// Rebuilds the body without the superseded rows.
    private func compacted() -> Chunk {
        var out = template.head
        out.reserveCapacity(body.count + template.tail.count)
        var liveRows: [Int] = [], liveStarts: [Int32] = [], liveEnds: [Int32] = [], liveValues: [String?] = []
        var liveKeys: [OrderKeys] = []
        liveRows.reserveCapacity(liveCount)
        for i in 0..<rows.count where alive[i] {
            if !liveRows.isEmpty { out.append(UInt8(ascii: ",")) }
            liveStarts.append(Int32(out.count))
            out.append(contentsOf: body[Int(starts[i])..<Int(ends[i])])
            liveEnds.append(Int32(out.count))
            liveRows.append(rows[i])
            liveKeys.append(keys[i])
            if keepDedupeValues { liveValues.append(dedupeValues[i]) }
        }
        out.append(contentsOf: template.tail)
        return Chunk(index: nextIndex, rows: liveRows, starts: liveStarts, ends: liveEnds, body: out,
                     dedupeValues: keepDedupeValues ? liveValues : nil, keys: liveKeys)
    }

    private mutating func resetBody() {
        body = []
        body.reserveCapacity(min(maxBytes, 1 << 20))
        body.append(contentsOf: template.head)
        rows = []
        starts = []
        ends = []
        alive = []
        dedupeValues = []
        keys = []
        slotByKey.removeAll(keepingCapacity: true)
        liveCount = 0
    }
}
