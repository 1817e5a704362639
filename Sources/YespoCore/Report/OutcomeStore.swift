// Every row's final outcome, stored compactly enough that memory stays flat however many rows a
// job has: rows are kept in pages of 4096, each page a sorted list of runs of consecutive rows with
// the same kind and session (a chunk's accepted rows are one or two runs). A page where outcomes
// alternate row by row costs 8 bytes a run, about as much as one entry per row would. Contact ids
// are kept only when the job waited for imports (one per row), and reasons and the row's bytes
// only for rows that failed, the bytes capped per row and in total.

struct OutcomeStore: Sendable {
    static let pageShift = 12
    static let pageRows = 1 << pageShift

    /// A run of `count` rows from `start` (offset in its page) with one code: kind | session << 3.
    struct Run: Sendable {
        var start: UInt16
        var count: UInt16
        var code: UInt32
    }

    private var pages: [[Run]] = []
    /// Rows read so far (recorded or not): rows are numbered densely from 1.
    private(set) var rowCount = 0
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

    func count(_ kind: RowOutcomeKind) -> Int { counts[Int(kind.code)] }
    var recordedCount: Int { counts[1...].reduce(0, +) }

    /// Makes room for rows up to `row` (rows are numbered densely from 1).
    mutating func reserveRows(through row: Int) {
        guard row > rowCount else { return }
        if contactIds != nil { contactIds?.append(contentsOf: repeatElement(Int64.min, count: row - rowCount)) }
        rowCount = row
    }

    /// The code of a session for `record(row:code:)`: index+1 into `sessionIds`, 0 for none.
    mutating func sessionCode(_ session: String?) -> UInt32 {
        guard let session else { return 0 }
        if let last = sessionIds.last, last == session { return UInt32(sessionIds.count) }
        if let known = sessionIndex[session] { return known }
        sessionIds.append(session)
        let index = UInt32(sessionIds.count)
        sessionIndex[session] = index
        return index
    }

    /// Records one outcome. A row that already has one keeps it (each row is final exactly once);
    /// returns false then, so callers can count the anomaly.
    @discardableResult
    mutating func record(_ outcome: RowOutcome, bytes: [UInt8]? = nil) -> Bool {
        record(row: outcome.row, kind: outcome.kind, session: sessionCode(outcome.asyncSessionId), reason: outcome.reason,
               contactId: outcome.contactId, acceptedBy: outcome.acceptedBy, bytes: bytes)
    }

    /// The same with the session already coded: the finishing chunk's path, no String per row.
    @discardableResult
    mutating func record(row: Int, kind: RowOutcomeKind, session: UInt32, reason: String? = nil, contactId: Int64? = nil,
                         acceptedBy how: AcceptedBy? = nil, bytes: [UInt8]? = nil) -> Bool {
        guard row >= 1 else { return false }
        reserveRows(through: row)
        guard insert(row - 1, code: UInt32(kind.code) | session << 3) else { return false }
        counts[Int(kind.code)] += 1
        if let how { acceptedBy[row] = how }
        if let id = contactId {
            if contactIds == nil { contactIds = [Int64](repeating: Int64.min, count: rowCount) }
            contactIds?[row - 1] = id
        }
        if reason != nil || (bytes != nil && kind != .accepted) {
            var kept: [UInt8]? = nil
            if let bytes, kind != .accepted, detailBytes < Self.maxDetailBytes {
                kept = bytes.count > Self.maxBytesPerRow ? Array(bytes[..<Self.maxBytesPerRow]) : bytes
                detailBytes += kept?.count ?? 0
            }
            details[row] = Detail(reason: reason, bytes: kept)
        }
        return true
    }

    /// Records `count` consecutive rows from `firstRow` with one kind and session and nothing
    /// else (a chunk's accepted rows): one run per page instead of one insertion per row. Rows
    /// that already have an outcome keep it. Returns how many were recorded.
    @discardableResult
    mutating func recordRange(firstRow: Int, count: Int, kind: RowOutcomeKind, session: UInt32) -> Int {
        guard firstRow >= 1, count > 0 else { return 0 }
        reserveRows(through: firstRow + count - 1)
        let code = UInt32(kind.code) | session << 3
        var recorded = 0
        var i = firstRow - 1
        let end = i + count
        while i < end {
            let p = i >> Self.pageShift
            let pageEnd = min(end, (p + 1) << Self.pageShift)
            while pages.count <= p { pages.append([]) }
            let offset = UInt16(truncatingIfNeeded: i & (Self.pageRows - 1))
            let n = pageEnd - i
            if Self.insertRun(offset, UInt16(n), code, into: &pages[p]) {
                recorded += n
            } else {
                // Some row of the span has an outcome already: row by row, keeping those.
                for k in i..<pageEnd where Self.insert(UInt16(truncatingIfNeeded: k & (Self.pageRows - 1)), code, into: &pages[p]) {
                    recorded += 1
                }
            }
            i = pageEnd
        }
        counts[Int(kind.code)] += recorded
        return recorded
    }

    /// Inserts a run of `n` rows from `offset` when none of them is recorded yet (false otherwise),
    /// joining the runs around it when they carry the same code.
    private static func insertRun(_ offset: UInt16, _ n: UInt16, _ code: UInt32, into runs: inout [Run]) -> Bool {
        var j = runs.count
        if let last = runs.last, last.start > offset {
            var lo = 0, hi = runs.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if runs[mid].start <= offset { lo = mid + 1 } else { hi = mid }
            }
            j = lo
        }
        let end = Int(offset) + Int(n)
        var joinsPrevious = false
        if j > 0 {
            let previous = runs[j - 1]
            let previousEnd = Int(previous.start) + Int(previous.count)
            if Int(offset) < previousEnd { return false }
            joinsPrevious = Int(offset) == previousEnd && previous.code == code
        }
        if j < runs.count && Int(runs[j].start) < end { return false }
        let joinsNext = j < runs.count && Int(runs[j].start) == end && runs[j].code == code
        switch (joinsPrevious, joinsNext) {
        case (true, true):
            runs[j - 1].count += n + runs[j].count
            runs.remove(at: j)
        case (true, false):
            runs[j - 1].count += n
        case (false, true):
            runs[j].start -= n
            runs[j].count += n
        case (false, false):
            runs.insert(Run(start: offset, count: n, code: code), at: j)
        }
        return true
    }

    /// Adds row index `i` (0-based) to its page's runs; false when it is already there.
    private mutating func insert(_ i: Int, code: UInt32) -> Bool {
        let p = i >> Self.pageShift
        let offset = UInt16(truncatingIfNeeded: i & (Self.pageRows - 1))
        while pages.count <= p { pages.append([]) }
        return Self.insert(offset, code, into: &pages[p])
    }

    private static func insert(_ offset: UInt16, _ code: UInt32, into runs: inout [Run]) -> Bool {
        insertRun(offset, 1, code, into: &runs)
    }

    /// The code recorded for row index `i` (0-based), 0 when none.
    private func code(_ i: Int) -> UInt32 {
        let p = i >> Self.pageShift
        guard i >= 0, p < pages.count else { return 0 }
        let offset = i & (Self.pageRows - 1)
        let runs = pages[p]
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(runs[mid].start) <= offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return 0 }
        let run = runs[lo - 1]
        return offset < Int(run.start) + Int(run.count) ? run.code : 0
    }

    func outcome(row: Int) -> RowOutcome? {
        guard row >= 1, row <= rowCount else { return nil }
        return outcome(row: row, code: code(row - 1))
    }

    private func outcome(row: Int, code: UInt32) -> RowOutcome? {
        guard let kind = RowOutcomeKind(code: UInt8(code & 7)) else { return nil }
        let session = code >> 3
        var contactId: Int64? = nil
        if let ids = contactIds, ids[row - 1] != Int64.min { contactId = ids[row - 1] }
        return RowOutcome(row: row, kind: kind, reason: details[row]?.reason,
                          asyncSessionId: session == 0 ? nil : sessionIds[Int(session) - 1],
                          contactId: contactId, acceptedBy: acceptedBy[row])
    }

    /// Calls `body` with the outcome of each recorded row whose kind is in `kinds`, in row order,
    /// while it returns true.
    func forEachOutcome(kinds: Set<RowOutcomeKind>, _ body: (RowOutcome) -> Bool) {
        var wanted: UInt8 = 0
        for kind in kinds { wanted |= 1 << kind.code }
        for (p, runs) in pages.enumerated() {
            for run in runs where wanted & (1 << UInt8(run.code & 7)) != 0 {
                let first = p << Self.pageShift + Int(run.start) + 1
                for row in first..<(first + Int(run.count)) {
                    guard let outcome = outcome(row: row, code: run.code) else { continue }
                    if !body(outcome) { return }
                }
            }
        }
    }

    var acceptedByCount: Int { acceptedBy.count }

    var contactIdCount: Int { contactIds?.reduce(0) { $1 != Int64.min ? $0 + 1 : $0 } ?? 0 }

    func detailBytes(row: Int) -> [UInt8]? { details[row]?.bytes }

    /// Runs kept, for tests of the compact storage.
    var runCount: Int { pages.reduce(0) { $0 + $1.count } }
}
