// The input stage's hot path hands rows to the job without copying them out of its own buffers:
// a ReadyRow borrows the normalised contact and its match key for the duration of one call, and
// the job splices the bytes straight into the request body. No heap allocation per row. The
// public RowVerdict/PreparedRow API (contracts §3) is the same path with an owned copy at the end.

/// A row that passed validation, borrowed: `json` and `matchKey` are valid only during the call
/// that receives it.
struct ReadyRow {
    var row: Int
    /// The normalised contact as compact UTF-8 JSON (one object).
    var json: UnsafeRawBufferPointer
    /// The bytes of PreparedRow.matchKey ("email:a@b.c", "ext:crm-1", ...); nil: never de-duplicated.
    var matchKey: UnsafeRawBufferPointer?
    /// Only when the preparer was asked to keep it (jobs that wait for imports); else nil.
    var dedupeValue: String?
    var orderKeys: OrderKeys

    /// An owned copy in the public shape.
    func prepared(dedupeValue: String?) -> PreparedRow {
        PreparedRow(row: row, json: Array(json), matchKey: matchKey.map { String(decoding: $0, as: UTF8.self) },
                    dedupeValue: dedupeValue, orderKeys: orderKeys)
    }

    /// Borrows an owned row's bytes for `body`.
    static func borrowing<E: Error>(_ p: PreparedRow, _ body: (ReadyRow) throws(E) -> Void) throws(E) {
        var failure: E? = nil
        p.json.withUnsafeBytes { json in
            var key = p.matchKey
            func run(_ k: UnsafeRawBufferPointer?) {
                do throws(E) {
                    try body(ReadyRow(row: p.row, json: json, matchKey: k, dedupeValue: p.dedupeValue, orderKeys: p.orderKeys))
                } catch { failure = error }
            }
            if key == nil { run(nil) } else { key!.withUTF8 { run(UnsafeRawBufferPointer($0)) } }
        }
        if let failure { throw failure }
    }
}

/// Where the hot path's rows go: the job (JobRowSink) or, for the public API, an owned verdict.
protocol RowSink {
    associatedtype Failure: Error
    mutating func ready(_ row: ReadyRow) throws(Failure)
    mutating func invalid(row: Int, reason: String, raw: [UInt8]) throws(Failure)
}

/// The public closure API on top of the hot path: each row copied into an owned RowVerdict.
struct VerdictSink: RowSink {
    let emit: (RowVerdict) throws -> Void
    mutating func ready(_ row: ReadyRow) throws { try emit(.ready(row.prepared(dedupeValue: row.dedupeValue))) }
    mutating func invalid(row: Int, reason: String, raw: [UInt8]) throws { try emit(.invalid(row: row, reason: reason, raw: raw)) }
}

/// Keeps the verdict of one row as an owned value.
struct VerdictCapture: RowSink {
    var verdict: RowVerdict?
    mutating func ready(_ row: ReadyRow) { verdict = .ready(row.prepared(dedupeValue: row.dedupeValue)) }
    mutating func invalid(row: Int, reason: String, raw: [UInt8]) { verdict = .invalid(row: row, reason: reason, raw: raw) }

    /// The captured verdict (one always is: every row gets one).
    mutating func take(row: Int) -> RowVerdict {
        defer { verdict = nil }
        return verdict ?? .invalid(row: row, reason: "row \(row): internal error: no verdict", raw: [])
    }
}

/// The buffers one reader reuses for every row: the normalised contact, its match key, and (CSV)
/// the cell value of a quoted cell with doubled quotes. Whoever creates them calls `free()`.
struct PrepareBuffers {
    var contact = ByteWriter(capacity: 4096)
    var key = ByteWriter(capacity: 256)

    func free() {
        contact.free()
        key.free()
    }
}
