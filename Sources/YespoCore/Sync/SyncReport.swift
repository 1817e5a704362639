// What a sync run did, counted by reason, as a value and as the JSON every door shows
// (yespo_sync_finish, the CLI's --json, the run record in the state).

/// Source rows by why they were (or were not) sent. They add up: rows = invalid + new + changed +
/// unchanged + repeated + noContactId + unkeyed.
public struct SyncCounts: Sendable, Equatable {
    public var rows = 0
    public var invalid = 0
    /// Key not in the state.
    public var new = 0
    /// Key in the state with another hash.
    public var changed = 0
    public var unchanged = 0
    /// A key already sent earlier in this run (the source names it twice): sent again so that
    /// the later row wins, as in a sequential import.
    public var repeated = 0
    /// Unchanged, but a missing action needs its Yespo contact id, which the state lacks.
    public var noContactId = 0
    /// No match key (cannot happen with validation on): always sent.
    public var unkeyed = 0
    /// Rows handed to the upsert (or, in a dry run, that would be).
    public var sent = 0
    /// Unchanged rows sent anyway because of `full`.
    public var forced = 0

    mutating func add(_ reason: SyncReason) {
        switch reason {
        case .new: new += 1
        case .changed: changed += 1
        case .unchanged: unchanged += 1
        case .repeated: repeated += 1
        case .noContactId: noContactId += 1
        case .unkeyed: unkeyed += 1
        }
    }
}

public final class SyncReport: Sendable {
    public let state: String
    public let store: String
    public let dryRun: Bool
    public let full: Bool
    public let optionsChanged: Bool
    public let counts: SyncCounts
    public let accepted: Int
    public let rejected: Int
    public let notSent: Int
    public let superseded: Int
    /// Keys whose new hash the state took.
    public let committed: Int
    public let unconfirmed: Int
    public let missing: MissingSummary?
    public let stateEntries: Int?
    public let stateBytes: Int?
    public let failures: [SyncRowFailure]
    public let failureCount: Int
    /// The upsert of the rows sent (its row numbers count sent rows, not source rows).
    public let upsert: UpsertReport?
    public let fatal: YespoError?
    public let cancelled: Bool
    public let elapsedMs: Int

    init(state: String, store: String, dryRun: Bool, full: Bool, optionsChanged: Bool, counts: SyncCounts,
         outcome: OutcomeCounts, missing: MissingSummary?, stateEntries: Int?, stateBytes: Int?,
         failures: [SyncRowFailure], upsert: UpsertReport?, fatal: YespoError?, cancelled: Bool, elapsedMs: Int) {
        self.state = state
        self.store = store
        self.dryRun = dryRun
        self.full = full
        self.optionsChanged = optionsChanged
        self.counts = counts
        self.accepted = outcome.accepted
        self.rejected = outcome.rejected
        self.notSent = outcome.notSent
        self.superseded = outcome.superseded
        self.committed = outcome.committed
        self.unconfirmed = outcome.unconfirmed
        self.missing = missing
        self.stateEntries = stateEntries
        self.stateBytes = stateBytes
        self.failures = failures
        self.failureCount = counts.invalid + outcome.rejected + outcome.notSent
        self.upsert = upsert
        self.fatal = fatal
        self.cancelled = cancelled
        self.elapsedMs = elapsedMs
    }

    /// Every source row has its final word: nothing stopped the run and nothing failed.
    public var clean: Bool {
        fatal == nil && !cancelled && failureCount == 0 && unconfirmed == 0
            && missing?.refused == nil && missing?.skipped == nil && (missing?.failed ?? 0) == 0
    }

    public func json() -> String { json(withRows: true) }

    /// `withRows: false` is the run log's copy in the state: counts only. The failed rows'
    /// reasons and the upsert's report may quote contact data, which the state never keeps.
    func json(withRows: Bool) -> String {
        let failures = withRows ? self.failures : []
        let upsert = withRows ? self.upsert : nil
        var o = JSONOutput(capacity: 1024 + failures.count * 96)
        o.raw("{"); o.key("state"); o.string(state)
        o.raw(","); o.key("store"); o.string(store)
        o.raw(","); o.key("dryRun"); o.bool(dryRun)
        o.raw(","); o.key("full"); o.bool(full)
        o.raw(","); o.key("optionsChanged"); o.bool(optionsChanged)
        o.raw(","); o.key("rows"); o.int(counts.rows)
        o.raw(","); o.key("invalid"); o.int(counts.invalid)
        o.raw(","); o.key("new"); o.int(counts.new)
        o.raw(","); o.key("changed"); o.int(counts.changed)
        o.raw(","); o.key("unchanged"); o.int(counts.unchanged)
        o.raw(","); o.key("repeated"); o.int(counts.repeated)
        o.raw(","); o.key("noContactId"); o.int(counts.noContactId)
        o.raw(","); o.key("unkeyed"); o.int(counts.unkeyed)
        o.raw(","); o.key("forced"); o.int(counts.forced)
        o.raw(","); o.key("sent"); o.int(counts.sent)
        o.raw(","); o.key("accepted"); o.int(accepted)
        o.raw(","); o.key("rejected"); o.int(rejected)
        o.raw(","); o.key("notSent"); o.int(notSent)
        o.raw(","); o.key("superseded"); o.int(superseded)
        o.raw(","); o.key("committed"); o.int(committed)
        o.raw(","); o.key("unconfirmed"); o.int(unconfirmed)
        o.raw(","); o.key("missing")
        if let m = missing {
            o.raw("{"); o.key("count"); o.int(m.count)
            o.raw(","); o.key("withoutContactId"); o.int(m.withoutContactId)
            o.raw(","); o.key("action"); o.string(m.action?.text)
            o.raw(","); o.key("limit"); o.int(m.limit)
            o.raw(","); o.key("acted"); o.int(m.acted)
            o.raw(","); o.key("failed"); o.int(m.failed)
            o.raw(","); o.key("refused"); o.string(m.refused)
            o.raw(","); o.key("skipped"); o.string(m.skipped)
            o.raw(","); o.key("failures"); o.raw("[")
            for (i, f) in (withRows ? m.failures : []).enumerated() { if i > 0 { o.raw(",") }; o.string(f) }
            o.raw("]}")
        } else {
            o.null()
        }
        o.raw(","); o.key("stateEntries"); o.int(stateEntries.map { Int64($0) })
        o.raw(","); o.key("stateBytes"); o.int(stateBytes.map { Int64($0) })
        o.raw(","); o.key("failureCount"); o.int(failureCount)
        o.raw(","); o.key("failures"); o.raw("[")
        for (i, f) in failures.enumerated() {
            if i > 0 { o.raw(",") }
            o.raw("{"); o.key("row"); o.int(f.row)
            o.raw(","); o.key("outcome"); o.string(f.kind.rawValue)
            o.raw(","); o.key("reason"); o.string(f.reason)
            o.raw("}")
        }
        o.raw("]")
        o.raw(","); o.key("fatal")
        if let fatal {
            o.raw("{"); o.key("code"); o.int(Int(fatal.code.rawValue))
            o.raw(","); o.key("status"); o.int(fatal.httpStatus)
            o.raw(","); o.key("message"); o.string(fatal.message)
            o.raw("}")
        } else {
            o.null()
        }
        o.raw(","); o.key("cancelled"); o.bool(cancelled)
        o.raw(","); o.key("clean"); o.bool(clean)
        o.raw(","); o.key("elapsedMs"); o.int(elapsedMs)
        o.raw(","); o.key("upsert")
        if let upsert { o.raw(Array(upsert.summaryJSON().utf8)) } else { o.null() }
        o.raw("}")
        return o.text
    }
}
