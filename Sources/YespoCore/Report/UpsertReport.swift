// The immutable result of a finished job: counts that add up to the rows read, the chunks, and
// every row's outcome, rendered in the shapes of yespo_report_json and yespo_report_rows.

public final class UpsertReport: Sendable {
    let store: OutcomeStore
    let chunks: [ChunkRecord]
    public let fatal: YespoError?
    public let cancelled: Bool
    public let dryRun: Bool
    public let requests: Int
    public let retries: Int
    public let throttled: Int
    public let bytesSent: Int
    public let elapsedMs: Int
    /// Rows the write-order gate held back behind an earlier row of the same contact.
    public let heldForOrder: Int
    /// failedContacts entries that could not be tied to one row (chunk index, reason; at most 100
    /// listed) and how many there were in all.
    public let unmappedFailures: [(chunk: Int, reason: String)]
    public let unmappedFailureCount: Int
    /// How each fed file was read: format, encoding, delimiter and the CSV column mapping.
    public let inputs: [InputDescription]
    /// The shared budget this job ran under, and whether Redis was lost meanwhile; nil without one.
    public let sharedBudget: SharedBudgetReport?

    init(store: OutcomeStore, chunks: [ChunkRecord], fatal: YespoError?, cancelled: Bool, dryRun: Bool,
         requests: Int, retries: Int, throttled: Int, bytesSent: Int, elapsedMs: Int,
         heldForOrder: Int = 0, unmappedFailures: [(chunk: Int, reason: String)] = [], unmappedFailureCount: Int = 0,
         inputs: [InputDescription] = [], sharedBudget: SharedBudgetReport? = nil) {
        self.inputs = inputs
        self.sharedBudget = sharedBudget
        self.heldForOrder = heldForOrder
        self.unmappedFailures = unmappedFailures
        self.unmappedFailureCount = unmappedFailureCount
        self.store = store
        self.chunks = chunks.sorted { $0.index < $1.index }
        self.fatal = fatal
        self.cancelled = cancelled
        self.dryRun = dryRun
        self.requests = requests
        self.retries = retries
        self.throttled = throttled
        self.bytesSent = bytesSent
        self.elapsedMs = elapsedMs
    }

    public var rows: Int { store.rowCount }
    public var accepted: Int { store.count(.accepted) }
    public var rejected: Int { store.count(.rejected) }
    public var invalid: Int { store.count(.invalid) }
    public var duplicates: Int { store.count(.duplicate) }
    public var notSent: Int { store.count(.notSent) }
    /// Accepted rows whose request was answered "Duplicated request" (see AcceptedBy).
    public var acceptedByDuplicatedRequest: Int { store.acceptedByCount }
    /// Every row read has exactly one outcome.
    public var complete: Bool { store.recordedCount == store.rowCount }

    /// The outcome of one row (1-based), nil outside the rows read.
    public func outcome(row: Int) -> RowOutcome? { store.outcome(row: row) }

    /// The chunks in sending order, as the summary JSON lists them.
    public var chunkRecords: [ChunkRecord] { chunks }

    /// Accepted rows that carry a contact id (jobs that waited for their imports).
    public var contactIdCount: Int { store.contactIdCount }

    /// The first `limit` outcomes of the given kinds, in row order (a preview; no NDJSON round trip).
    public func outcomes(kinds: Set<RowOutcomeKind>, limit: Int) -> [RowOutcome] {
        var out: [RowOutcome] = []
        forEachOutcome(kinds: kinds) { outcome in
            out.append(outcome)
            return out.count < limit
        }
        return out
    }

    /// Calls `body` with each outcome of the given kinds in row order, while it returns true.
    private func forEachOutcome(kinds: Set<RowOutcomeKind>, _ body: (RowOutcome) -> Bool) {
        store.forEachOutcome(kinds: kinds, body)
    }

    public func summaryJSON() -> String {
        var out = JSONOutput(capacity: 512 + chunks.count * 200)
        out.raw("{"); out.key("rows"); out.int(rows)
        out.raw(","); out.key("accepted"); out.int(accepted)
        out.raw(","); out.key("rejected"); out.int(rejected)
        out.raw(","); out.key("invalid"); out.int(invalid)
        out.raw(","); out.key("duplicates"); out.int(duplicates)
        out.raw(","); out.key("notSent"); out.int(notSent)
        out.raw(","); out.key("complete"); out.bool(complete)
        out.raw(","); out.key("acceptedByDuplicatedRequest"); out.int(acceptedByDuplicatedRequest)
        out.raw(","); out.key("heldForOrder"); out.int(heldForOrder)
        out.raw(","); out.key("unmappedFailureCount"); out.int(unmappedFailureCount)
        out.raw(","); out.key("unmappedFailures"); out.raw("[")
        for (i, failure) in unmappedFailures.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{"); out.key("chunk"); out.int(failure.chunk)
            out.raw(","); out.key("reason"); out.string(failure.reason); out.raw("}")
        }
        out.raw("]")
        out.raw(","); out.key("fatal")
        if let fatal {
            out.raw("{"); out.key("code"); out.int(Int(fatal.code.rawValue))
            out.raw(","); out.key("status"); out.int(fatal.httpStatus)
            out.raw(","); out.key("message"); out.string(fatal.message)
            out.raw("}")
        } else {
            out.null()
        }
        out.raw(","); out.key("cancelled"); out.bool(cancelled)
        out.raw(","); out.key("dryRun"); out.bool(dryRun)
        out.raw(","); out.key("chunks"); out.raw("[")
        for (i, chunk) in chunks.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{"); out.key("index"); out.int(chunk.index)
            out.raw(","); out.key("rows"); out.int(chunk.rows)
            out.raw(","); out.key("firstRow"); out.int(chunk.firstRow)
            out.raw(","); out.key("lastRow"); out.int(chunk.lastRow)
            out.raw(","); out.key("status"); out.string(chunk.status.rawValue)
            out.raw(","); out.key("asyncSessionId"); out.string(chunk.asyncSessionId)
            out.raw(","); out.key("attempts"); out.int(chunk.attempts)
            out.raw(","); out.key("importStatus"); out.string(chunk.importStatus)
            out.raw("}")
        }
        out.raw("]")
        out.raw(","); out.key("requests"); out.int(requests)
        out.raw(","); out.key("retries"); out.int(retries)
        out.raw(","); out.key("throttled"); out.int(throttled)
        out.raw(","); out.key("bytesSent"); out.int(bytesSent)
        out.raw(","); out.key("elapsedMs"); out.int(elapsedMs)
        out.raw(","); out.key("files"); out.raw("[")
        for (i, input) in inputs.enumerated() {
            if i > 0 { out.raw(",") }
            input.write(&out)
        }
        out.raw("]")
        out.raw(","); out.key("sharedBudget")
        if let sharedBudget { sharedBudget.write(into: &out) } else { out.null() }
        out.raw("}")
        return out.text
    }

    /// One NDJSON line per row whose kind is in `kinds`, in row order.
    public func rowsNDJSON(kinds: Set<RowOutcomeKind>) -> [UInt8] {
        var all: [UInt8] = []
        writeRowsNDJSON(kinds: kinds) { all.append(contentsOf: $0) }
        return all
    }

    /// The same lines, handed to `write` in pieces of about `pieceBytes` that end with a whole
    /// line, so a million rows go to a file without the whole text in memory.
    public func writeRowsNDJSON(kinds: Set<RowOutcomeKind>, pieceBytes: Int = 1 << 20,
                                _ write: ([UInt8]) -> Void) {
        var out = JSONOutput(capacity: min(pieceBytes, 1 << 20) + 4096)
        forEachOutcome(kinds: kinds) { outcome in
            out.raw("{"); out.key("row"); out.int(outcome.row)
            out.raw(","); out.key("outcome"); out.string(outcome.kind.rawValue)
            out.raw(","); out.key("reason"); out.string(outcome.reason)
            out.raw(","); out.key("asyncSessionId"); out.string(outcome.asyncSessionId)
            out.raw(","); out.key("contactId"); out.int(outcome.contactId)
            out.raw(","); out.key("acceptedBy"); out.string(outcome.acceptedBy?.rawValue)
            Self.writeRowBytes(store.detailBytes(row: outcome.row), into: &out)
            out.raw("}\n")
            if out.bytes.count >= pieceBytes {
                write(out.bytes)
                out.bytes.removeAll(keepingCapacity: true)
            }
            return true
        }
        if !out.bytes.isEmpty { write(out.bytes) }
    }

    /// "contact" when the stored bytes are a JSON object (re-encoded compactly so a multi-line
    /// element cannot break the NDJSON), else "raw" as text.
    private static func writeRowBytes(_ bytes: [UInt8]?, into out: inout JSONOutput) {
        guard let bytes else {
            out.raw(","); out.key("contact"); out.null()
            out.raw(","); out.key("raw"); out.null()
            return
        }
        if case .success(let document) = JSONDocument.parse(bytes), document.root.kind == .object {
            out.raw(","); out.key("contact"); out.raw(document.root.compactBytes())
            out.raw(","); out.key("raw"); out.null()
        } else {
            out.raw(","); out.key("contact"); out.null()
            out.raw(","); out.key("raw"); out.stringFromBytes(bytes)
        }
    }
}
