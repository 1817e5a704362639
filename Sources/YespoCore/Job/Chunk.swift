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
    let keys: [OrderKeys]

    var count: Int { rows.count }
}
