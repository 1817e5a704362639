// The hand-off between the input stage (readers, validation, normalisation) and the job stage
// (chunking, sending): every input row becomes exactly one verdict, in row order.

/// A row that passed validation, already encoded as the compact JSON object to put in a body.
public struct PreparedRow: Sendable {
    /// 1-based input row number (a line of NDJSON, an element of a JSON array, a CSV data record).
    public var row: Int
    /// The normalised contact as compact UTF-8 JSON (one object), ready to splice into a body.
    public var json: [UInt8]
    /// The effective match key for in-chunk de-duplication, e.g. "ext:crm-42", "email:a@b.c",
    /// "sms:380...", "field:77:value", "id:123"; nil when the row has none (never deduplicated).
    public var matchKey: String?
    /// The value Yespo reports as `dedupeValue` in /importstatus `mapping` for this row
    /// (the email for dedupeOn=email, the phone for sms, ...); nil when unknown.
    public var dedupeValue: String?
    /// Every identity Yespo may match the row on (emails, phones, external id, dedupe value):
    /// a later row sharing one is never sent before this one is acknowledged.
    public var orderKeys: OrderKeys

    public init(row: Int, json: [UInt8], matchKey: String?, dedupeValue: String?, orderKeys: OrderKeys = OrderKeys()) {
        self.row = row
        self.json = json
        self.matchKey = matchKey
        self.dedupeValue = dedupeValue
        self.orderKeys = orderKeys
    }
}

public enum RowVerdict: Sendable {
    case ready(PreparedRow)
    /// The row cannot be sent. `reason` says what is wrong and where (field, column);
    /// `raw` is the row as given (truncated to a few KiB) for rejects files.
    case invalid(row: Int, reason: String, raw: [UInt8])

    public var row: Int {
        switch self {
        case .ready(let r): return r.row
        case .invalid(let row, _, _): return row
        }
    }
}
