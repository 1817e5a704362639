// A planned chunk: its rows, and the body that holds their contacts back to back. The byte range
// of each contact inside the body is kept so a 400 can be bisected without re-encoding anything.

struct Chunk: Sendable {
    /// Position in the job's sending order; catch-up chunks of held-back rows get theirs when built.
    var index: Int
    /// Input row numbers, in body order.
    let rows: [Int]
    /// Byte range of each row's contact inside `body`.
    let starts: [Int32]
    let ends: [Int32]
    var body: [UInt8]
    /// Per row, the value /importstatus reports as `dedupeValue` (kept only when waiting).
    let dedupeValues: [String?]?
    /// Per row, the identities the write-order gate orders by.
    let keys: ChunkKeys

    var count: Int { rows.count }
}

/// Each row's OrderKeys, stored flat: most rows have one or two keys, so 12 bytes a row instead
/// of OrderKeys' 56 while chunks wait in the queue and in flight.
struct ChunkKeys: Sendable {
    private var flat: [UInt64] = []
    /// Row i's keys are flat[ends[i-1] ..< ends[i]].
    private var ends: [Int32] = []

    init() {}

    init(_ list: [OrderKeys]) {
        ends.reserveCapacity(list.count)
        for keys in list { append(keys) }
    }

    /// From the flat form itself (`ends[i]`: where row i's keys end in `flat`).
    init(flat: [UInt64], ends: [Int32]) {
        self.flat = flat
        self.ends = ends
    }

    init(reservingRows rows: Int) {
        ends.reserveCapacity(rows)
        flat.reserveCapacity(rows)
    }

    var count: Int { ends.count }

    mutating func append(_ keys: OrderKeys) {
        for i in 0..<keys.count { flat.append(keys[i]) }
        ends.append(Int32(flat.count))
    }

    /// Row i's keys as positions in `flat` (read them with `key(at:)`): no OrderKeys built.
    @inline(__always) func keyRange(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])
    }

    @inline(__always) func key(at k: Int) -> UInt64 { flat[k] }

    subscript(i: Int) -> OrderKeys {
        var keys = OrderKeys()
        let lo = i == 0 ? 0 : Int(ends[i - 1])
        for k in lo..<Int(ends[i]) { keys.appendDistinct(flat[k]) }
        return keys
    }

    /// The keys of the rows at `positions`, in that order.
    func subset(_ positions: [Int]) -> ChunkKeys {
        var out = ChunkKeys(reservingRows: positions.count)
        for p in positions { out.append(self[p]) }
        return out
    }
}
