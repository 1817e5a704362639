// The input stage's entry point: one contact object's bytes in, one verdict out (contracts §3).
// The job's hot path uses `prepareInPlace`, which leaves the normalised contact in the caller's
// buffers (ReadyRow); `prepare` is the same with an owned copy.

public struct ContactPreparer: Sendable {
    public let options: UpsertOptions
    /// `raw` in an invalid verdict keeps at most this many bytes of the row.
    public static let maxRawBytes = 4096
    /// Whether ready rows carry their dedupeValue (a String): always for the public API, only for
    /// jobs that wait for imports on the hot path.
    let keepsDedupeValues: Bool

    public init(options: UpsertOptions) {
        self.init(options: options, keepsDedupeValues: true)
    }

    init(options: UpsertOptions, keepsDedupeValues: Bool) {
        self.options = options
        self.keepsDedupeValues = keepsDedupeValues
    }

    /// One JSON object's bytes (an NDJSON line, an array element) → a verdict.
    public func prepare(json: UnsafeRawBufferPointer, row: Int) -> RowVerdict {
        var buffers = PrepareBuffers()
        defer { buffers.free() }
        var sink = VerdictCapture()
        prepareInPlace(json: json, row: row, buffers: &buffers, into: &sink)
        return sink.take(row: row)
    }

    /// The verdict of one JSON object, handed to `sink` without copying the contact out of `buffers`.
    func prepareInPlace<S: RowSink>(json: UnsafeRawBufferPointer, row: Int, buffers: inout PrepareBuffers,
                                    into sink: inout S) throws(S.Failure) {
        buffers.contact.removeAll()
        var facts = ContactFacts()
        var owned: PreparedRow? = nil
        do throws(RowProblem) {
            guard let cursor = JSONCursor(json) else { throw RowProblem("empty row: expected a JSON object") }
            if options.validate {
                var writer = ContactWriter(cursor: cursor, dedupeFieldId: options.fieldId.map { Int64($0) }, out: buffers.contact)
                // The writer may have moved the buffer while growing it: the caller keeps the new one.
                defer { buffers.contact = writer.out }
                try writer.writeContact()
                facts = writer.facts
                try check(facts)
            } else {
                owned = try unvalidated(cursor, row: row, &buffers.contact)
            }
        } catch {
            return try sink.invalid(row: row, reason: "row \(row): \(error.message)", raw: Self.truncatedRaw(json))
        }
        if let owned { return try ReadyRow.borrowing(owned) { (r) throws(S.Failure) in try sink.ready(r) } }
        try sink.ready(ready(facts, row: row, buffers: &buffers))
    }

    /// The rules on the whole contact, once its fields passed theirs (validate=true only).
    func check(_ facts: ContactFacts) throws(RowProblem) {
        if facts.channelTotal == 0 {
            throw RowProblem("no channels: a contact needs at least one (\(ChannelType.allNames))")
        }
        if let missing = facts.missingDedupeKey(options.dedupeOn, fieldId: options.fieldId) {
            throw RowProblem(missing)
        }
    }

    /// The ready row for a contact normalised into `buffers.contact` (its match key goes to `buffers.key`).
    func ready(_ facts: ContactFacts, row: Int, buffers: inout PrepareBuffers) -> ReadyRow {
        let out = buffers.contact.all
        buffers.key.removeAll()
        let hasKey = facts.writeMatchKey(options.dedupeOn, json: out, into: &buffers.key)
        return ReadyRow(row: row, json: out, matchKey: hasKey ? buffers.key.all : nil,
                        dedupeValue: keepsDedupeValues ? facts.dedupeValue(options.dedupeOn, json: out) : nil,
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
