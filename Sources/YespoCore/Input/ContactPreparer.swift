// The input stage's entry point: one contact object's bytes in, one verdict out.

public struct ContactPreparer: Sendable {
    public let options: UpsertOptions

    public init(options: UpsertOptions) {
        self.options = options
    }

    /// One JSON object's bytes (an NDJSON line, an array element) → a verdict.
    public func prepare(json: UnsafeRawBufferPointer, row: Int) -> RowVerdict {
        // Placeholder until the scanner lands: pass bytes through unvalidated.
        return .ready(PreparedRow(row: row, json: Array(json), matchKey: nil, dedupeValue: nil))
    }
}
