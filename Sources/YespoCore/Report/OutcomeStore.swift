// Every row's final outcome, stored compactly: one byte of kind and four bytes of session index
// per row (about 5 MB per million rows), contact ids only when the job waited for imports, and
// reasons and the row's bytes only for rows that failed — the bytes capped per row and in total.

struct OutcomeStore: Sendable {
    /// Per row (index row-1): RowOutcomeKind.code, 0 while the row has none.
    private(set) var kinds: [UInt8] = []
    /// Per row: index+1 into `sessionIds`, 0 for none.
    private var sessions: [UInt32] = []
    private(set) var sessionIds: [String] = []
    private var sessionIndex: [String: UInt32] = [:]
    /// Per row contact ids (Int64.min = none); allocated on the first id seen.
    private var contactIds: [Int64]? = nil
    private var details: [Int: Detail] = [:]
    /// Rows accepted without an answer of their own (rare): row → how.
    private var acceptedBy: [Int: AcceptedBy] = [:]
    private var detailBytes = 0
    private(set) var counts = [Int](repeating: 0, count: 6)

    static let maxBytesPerRow = 4096
    static let maxDetailBytes = 64 << 20

    struct Detail: Sendable {
        var reason: String?
        /// The row as given or as sent (JSON object or raw text), for failed rows.
        var bytes: [UInt8]?
    }

    var rowCount: Int { kinds.count }
    func count(_ kind: RowOutcomeKind) -> Int { counts[Int(kind.code)] }
    var recordedCount: Int { counts[1...].reduce(0, +) }

    /// Makes room for rows up to `row` (rows are numbered densely from 1).
    mutating func reserveRows(through row: Int) {
        guard row > kinds.count else { return }
        let extra = row - kinds.count
        kinds.append(contentsOf: repeatElement(0, count: extra))
        sessions.append(contentsOf: repeatElement(0, count: extra))
        if contactIds != nil { contactIds?.append(contentsOf: repeatElement(Int64.min, count: extra)) }
    }

    /// Records one outcome. A row that already has one keeps it (each row is final exactly once);
    /// returns false then, so callers can count the anomaly.
    @discardableResult
    mutating func record(_ outcome: RowOutcome, bytes: [UInt8]? = nil) -> Bool {
        let i = outcome.row - 1
        guard i >= 0 else { return false }
        reserveRows(through: outcome.row)
        guard kinds[i] == 0 else { return false }
        kinds[i] = outcome.kind.code
        counts[Int(outcome.kind.code)] += 1
        if let session = outcome.asyncSessionId { sessions[i] = index(of: session) }
        if let how = outcome.acceptedBy { acceptedBy[outcome.row] = how }
        if let id = outcome.contactId {
            if contactIds == nil { contactIds = [Int64](repeating: Int64.min, count: kinds.count) }
            contactIds?[i] = id
        }
        if outcome.reason != nil || (bytes != nil && outcome.kind != .accepted) {
            var kept: [UInt8]? = nil
            if let bytes, outcome.kind != .accepted, detailBytes < Self.maxDetailBytes {
                kept = bytes.count > Self.maxBytesPerRow ? Array(bytes[..<Self.maxBytesPerRow]) : bytes
                detailBytes += kept?.count ?? 0
            }
            details[outcome.row] = Detail(reason: outcome.reason, bytes: kept)
        }
        return true
    }

    private mutating func index(of session: String) -> UInt32 {
        if let last = sessionIds.last, last == session { return UInt32(sessionIds.count) }
        if let known = sessionIndex[session] { return known }
        sessionIds.append(session)
        let index = UInt32(sessionIds.count)
        sessionIndex[session] = index
        return index
    }

    func outcome(row: Int) -> RowOutcome? {
        let i = row - 1
        guard i >= 0, i < kinds.count, let kind = RowOutcomeKind(code: kinds[i]) else { return nil }
        let session = sessions[i] == 0 ? nil : sessionIds[Int(sessions[i]) - 1]
        var contactId: Int64? = nil
        if let ids = contactIds, ids[i] != Int64.min { contactId = ids[i] }
        return RowOutcome(row: row, kind: kind, reason: details[row]?.reason, asyncSessionId: session, contactId: contactId,
                          acceptedBy: acceptedBy[row])
    }

    var acceptedByCount: Int { acceptedBy.count }

    var contactIdCount: Int { contactIds?.reduce(0) { $1 != Int64.min ? $0 + 1 : $0 } ?? 0 }

    func detailBytes(row: Int) -> [UInt8]? { details[row]?.bytes }
}
