// A chunk from the moment it is handed to the transport until every one of its rows is final.
// A 400 splits it into parts (byte ranges of the same body); with `wait` its accepted rows stay
// here until their import finished. Guarded by the job's monitor.

final class ActiveChunk: @unchecked Sendable {
    let chunk: Chunk
    /// The chunk's body while parts may still need it (bisection); released once sending ends so
    /// chunks waiting for their import hold only row numbers.
    var body: [UInt8]
    /// Per position in the chunk: the code of the row's final outcome kind, 0 while pending. The
    /// rest of an outcome is kept apart, and only where there is one (a session per request, a
    /// reason per failed row), so settling 3000 rows costs no String copies.
    @exclusivity(unchecked) private var kinds: [UInt8]
    /// Per position: index+1 into `sessions` of the row's session, 0 for none.
    @exclusivity(unchecked) private var sessionOf: [UInt16]
    private var sessions: [String] = []
    private var reasons: [Int: String] = [:]
    private var contactIds: [Int: Int64] = [:]
    private var acceptedHow: [Int: AcceptedBy] = [:]
    /// Contact bytes of rows the server rejected, by position (for the report's rejects).
    var rejectedBytes: [Int: [UInt8]] = [:]
    var pendingParts = 0
    var pendingImports = 0
    var attempts = 0
    var sessionIds: [String] = []
    var anyAccepted = false
    var anyRejectedBy400 = false
    /// 400/413 answers while bisecting; with no success among them the request itself is refused.
    var badRequests = 0
    var importStatus: String?
    /// Per position: the server's answer for it arrived (or it will never be sent).
    private var settled: [Bool]
    /// Halves of a bisection waiting for their earlier half (they may hold the same contact).
    var parked: [ParkedPart] = []
    /// The rows' keys no longer hold back later rows (WriteOrderGate.release).
    var keysReleased = false

    init(_ chunk: Chunk) {
        var withoutBody = chunk
        withoutBody.body = []
        self.chunk = withoutBody
        self.body = chunk.body
        self.kinds = [UInt8](repeating: 0, count: chunk.count)
        self.sessionOf = [UInt16](repeating: 0, count: chunk.count)
        self.settled = [Bool](repeating: false, count: chunk.count)
    }

    func settle(_ lo: Int, _ hi: Int) {
        for position in lo..<hi { settled[position] = true }
    }

    func isSettled(_ lo: Int, _ hi: Int) -> Bool {
        settled[lo..<hi].allSatisfy { $0 }
    }

    var sendingDone: Bool { pendingParts == 0 }
    var isFinal: Bool { pendingParts == 0 && pendingImports == 0 }

    /// True while the row at `position` has no final outcome.
    func isPending(_ position: Int) -> Bool { kinds[position] == 0 }

    func kind(at position: Int) -> RowOutcomeKind? { RowOutcomeKind(code: kinds[position]) }

    /// Some row ended notSent (so releasing the chunk's keys must poison theirs).
    private(set) var anyNotSent = false

    func set(_ position: Int, _ kind: RowOutcomeKind, reason: String? = nil, session: String? = nil,
             contactId: Int64? = nil, acceptedBy: AcceptedBy? = nil) {
        guard kinds[position] == 0 else { return }
        kinds[position] = kind.code
        if kind == .notSent { anyNotSent = true }
        sessionOf[position] = sessionCode(session)
        if let reason { reasons[position] = reason }
        if let contactId { contactIds[position] = contactId }
        if let acceptedBy { acceptedHow[position] = acceptedBy }
    }

    func setRange(_ lo: Int, _ hi: Int, _ kind: RowOutcomeKind, reason: String?, session: String? = nil) {
        let code = sessionCode(session)
        if kind == .notSent && lo < hi { anyNotSent = true }
        for position in lo..<hi where kinds[position] == 0 {
            kinds[position] = kind.code
            sessionOf[position] = code
            if let reason { reasons[position] = reason }
        }
    }

    private func sessionCode(_ session: String?) -> UInt16 {
        guard let session else { return 0 }
        if let k = sessions.lastIndex(of: session) { return UInt16(k + 1) }
        sessions.append(session)
        return UInt16(sessions.count)
    }

    /// The final outcome of the row at `position` (nil while pending).
    func outcome(at position: Int) -> RowOutcome? {
        guard let kind = kind(at: position) else { return nil }
        let s = Int(sessionOf[position])
        return RowOutcome(row: chunk.rows[position], kind: kind, reason: reasons[position],
                          asyncSessionId: s == 0 ? nil : sessions[s - 1], contactId: contactIds[position],
                          acceptedBy: acceptedHow[position])
    }

    /// Records every row's outcome in `store` (a row still pending becomes notSent: it must not
    /// vanish from the report); returns the outcomes when a handler wants them.
    func record(into store: inout OutcomeStore, rejectedBytes: [Int: [UInt8]], wantOutcomes: Bool) -> [RowOutcome] {
        let storeSessions = sessions.map { store.sessionCode($0) }
        var rows: [RowOutcome] = []
        if wantOutcomes { rows.reserveCapacity(chunk.count) }
        let pendingReason = "internal error: the row got no outcome"
        // Most chunks have no reason, id or note on any row: skip those lookups then.
        let plain = reasons.isEmpty && contactIds.isEmpty && acceptedHow.isEmpty && rejectedBytes.isEmpty
        var position = 0
        let rowNumbers = chunk.rows
        while position < chunk.count {
            let code = kinds[position]
            let kind = RowOutcomeKind(code: code) ?? .notSent
            let s = Int(sessionOf[position])
            let session = s == 0 ? 0 : storeSessions[s - 1]
            if plain && code != 0 {
                // Consecutive rows with the same outcome (a request's accepted rows) in one run.
                var next = position + 1
                while next < chunk.count && rowNumbers[next] == rowNumbers[next - 1] + 1 && kinds[next] == code
                        && sessionOf[next] == sessionOf[position] {
                    next += 1
                }
                store.recordRange(firstRow: rowNumbers[position], count: next - position, kind: kind, session: session)
                if wantOutcomes {
                    for p in position..<next {
                        rows.append(RowOutcome(row: rowNumbers[p], kind: kind, asyncSessionId: s == 0 ? nil : sessions[s - 1]))
                    }
                }
                position = next
                continue
            }
            defer { position += 1 }
            let reason = code == 0 ? pendingReason : reasons[position]
            store.record(row: chunk.rows[position], kind: kind, session: session, reason: reason,
                         contactId: contactIds[position], acceptedBy: acceptedHow[position], bytes: rejectedBytes[position])
            if wantOutcomes {
                rows.append(RowOutcome(row: chunk.rows[position], kind: kind, reason: reason,
                                       asyncSessionId: s == 0 ? nil : sessions[s - 1], contactId: contactIds[position],
                                       acceptedBy: acceptedHow[position]))
            }
        }
        return rows
    }

    /// The bytes of the contact at `position`, as sent; nil once the body was released.
    func contactBytes(_ position: Int) -> [UInt8]? {
        guard !body.isEmpty else { return nil }
        return Array(body[Int(chunk.starts[position])..<Int(chunk.ends[position])])
    }

    var record: ChunkRecord {
        let status: ChunkRecord.Status = anyRejectedBy400 ? .rejected : (anyAccepted ? .accepted : .notSent)
        return ChunkRecord(index: chunk.index, rows: chunk.count, firstRow: chunk.rows.min() ?? 0,
                           lastRow: chunk.rows.max() ?? 0, status: status, asyncSessionId: sessionIds.first,
                           attempts: attempts, importStatus: importStatus)
    }
}

/// One request of a chunk: rows lo..<hi of it (the whole chunk, or a half after a 400).
struct ChunkPart: @unchecked Sendable {
    let id: Int
    let chunk: ActiveChunk
    let lo: Int
    let hi: Int
    let body: [UInt8]
    /// Times this part was resent because a 200 answer could not be read.
    var unreadableAnswers = 0
}

/// The second half of a bisection, sent once positions waitLo..<waitHi are settled.
struct ParkedPart {
    let waitLo: Int
    let waitHi: Int
    let part: ChunkPart
}

/// Accepted rows of one request waiting for /importstatus to say FINISHED or ERROR.
final class ImportWait: @unchecked Sendable {
    let chunk: ActiveChunk
    let sessionId: String
    let positions: [Int]
    let sinceNs: UInt64
    var polling = false
    var lastStatus: String?
    var resolved = false
    /// Rows accepted on "Duplicated request" have no session to ask: each is looked up by search
    /// instead (position → search path), until found or the import timeout.
    var searches: [Int: String]? = nil
    var found: [Int: Int64] = [:]
    var searching = 0

    init(chunk: ActiveChunk, sessionId: String, positions: [Int], sinceNs: UInt64) {
        self.chunk = chunk
        self.sessionId = sessionId
        self.positions = positions
        self.sinceNs = sinceNs
    }
}
