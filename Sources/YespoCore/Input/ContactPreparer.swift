// The input stage's entry point: one contact object's bytes in, one verdict out (contracts §3).

public struct ContactPreparer: Sendable {
    public let options: UpsertOptions
    /// `raw` in an invalid verdict keeps at most this many bytes of the row.
    public static let maxRawBytes = 4096

    public init(options: UpsertOptions) {
        self.options = options
    }

    /// One JSON object's bytes (an NDJSON line, an array element) → a verdict.
    public func prepare(json: UnsafeRawBufferPointer, row: Int) -> RowVerdict {
        var scratch = ByteWriter(capacity: json.count + json.count / 2 + 64)
        defer { scratch.free() }
        return prepare(json: json, row: row, scratch: &scratch)
    }

    /// The same, writing through a scratch buffer the caller reuses across rows.
    func prepare(json: UnsafeRawBufferPointer, row: Int, scratch: inout ByteWriter) -> RowVerdict {
        scratch.removeAll()
        do throws(RowProblem) {
            return .ready(try prepared(json, row: row, &scratch))
        } catch {
            return .invalid(row: row, reason: "row \(row): \(error.message)", raw: Self.truncatedRaw(json))
        }
    }

    private func prepared(_ json: UnsafeRawBufferPointer, row: Int,
                          _ scratch: inout ByteWriter) throws(RowProblem) -> PreparedRow {
        guard let cursor = JSONCursor(json) else { throw RowProblem("empty row: expected a JSON object") }
        if !options.validate { return try unvalidated(cursor, row: row, &scratch) }
        var writer = ContactWriter(cursor: cursor, dedupeFieldId: options.fieldId.map { Int64($0) }, out: scratch)
        // The writer may have moved the buffer while growing it: the caller keeps the new one.
        defer { scratch = writer.out }
        try writer.writeContact()
        let facts = writer.facts
        if facts.channelTotal == 0 {
            throw RowProblem("no channels: a contact needs at least one (\(ChannelType.allNames))")
        }
        if let missing = facts.missingDedupeKey(options.dedupeOn, fieldId: options.fieldId) {
            throw RowProblem(missing)
        }
        let out = writer.out.all
        return PreparedRow(row: row, json: writer.out.array(),
                           matchKey: facts.matchKey(options.dedupeOn, json: out),
                           dedupeValue: facts.dedupeValue(options.dedupeOn, json: out),
                           orderKeys: facts.completeOrderKeys(options.dedupeOn, json: out))
    }

    /// validate=false: the row is sent as given (compacted), as long as it is one JSON object —
    /// anything else would break the whole request body. Match keys come from the normalising pass
    /// when the row happens to pass it, else the row is never deduplicated.
    private func unvalidated(_ cursor: JSONCursor, row: Int,
                             _ scratch: inout ByteWriter) throws(RowProblem) -> PreparedRow {
        var c = cursor
        c.skipWhitespace()
        guard c.current == JSONByte.openBrace else { throw RowProblem("expected a JSON object, got \(c.valueKindHere)") }
        var out: [UInt8] = []
        out.reserveCapacity(cursor.count)
        try c.copyValue(into: &out, depth: 0)
        c.skipWhitespace()
        guard c.atEnd else { throw c.problem("unexpected data after the object") }
        var normaliser = ContactWriter(cursor: cursor, dedupeFieldId: options.fieldId.map { Int64($0) }, out: scratch)
        defer { scratch = normaliser.out }
        var matchKey: String?
        var dedupeValue: String?
        var orderKeys = OrderKeys()
        if (try? normaliser.writeContact()) != nil {
            matchKey = normaliser.facts.matchKey(options.dedupeOn, json: normaliser.out.all)
            dedupeValue = normaliser.facts.dedupeValue(options.dedupeOn, json: normaliser.out.all)
            orderKeys = normaliser.facts.completeOrderKeys(options.dedupeOn, json: normaliser.out.all)
        }
        return PreparedRow(row: row, json: out, matchKey: matchKey, dedupeValue: dedupeValue, orderKeys: orderKeys)
    }

    static func truncatedRaw(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, maxRawBytes)]))
    }
}
