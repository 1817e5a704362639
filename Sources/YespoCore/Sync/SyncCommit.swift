// "Never claims what did not happen": the state learns a key's new hash only from the job's
// outcome batches, and only for rows the server took — HTTP 200 (or "Duplicated request"), and
// with `wait` only once the import FINISHED (an accepted row with a note means its import was not
// confirmed). Rejected, superseded and unsent rows change nothing, so the next run sends them
// again. When one key was sent twice in a run, the later row's hash wins whatever order the
// batches arrive in. Runs on the job's callback thread.

/// A source row that was not taken, as the report lists it (row numbers are the source's).
public struct SyncRowFailure: Sendable, Equatable {
    public var row: Int
    public var kind: RowOutcomeKind
    public var reason: String?
}

struct OutcomeCounts: Sendable {
    var accepted = 0
    var rejected = 0
    var notSent = 0
    var superseded = 0
    var committed = 0
    /// Accepted but their import was not confirmed (wait): not committed, sent again next run.
    var unconfirmed = 0
}

extension SyncJob {
    func settle(_ batch: OutcomeBatch) {
        let confirmOnFinish = options.effectiveUpsert.waitsForImports
        var entries: [StateEntry] = []
        shared.withLock { s in
            for outcome in batch.rows {
                guard let p = s.pending.removeValue(forKey: outcome.row) else { continue }
                switch outcome.kind {
                case .accepted:
                    s.outcome.accepted += 1
                    if confirmOnFinish && outcome.reason != nil {
                        s.outcome.unconfirmed += 1
                        continue
                    }
                    guard p.key != 0 else { continue }
                    if let done = s.sent[p.key], done > outcome.row { continue }
                    s.sent[p.key] = outcome.row
                    entries.append(StateEntry(key: p.key, hash: p.hash, contactId: outcome.contactId))
                case .duplicate:
                    s.outcome.superseded += 1
                default:
                    if outcome.kind == .rejected { s.outcome.rejected += 1 } else { s.outcome.notSent += 1 }
                    if s.failures.count < Self.maxListedFailures {
                        s.failures.append(SyncRowFailure(row: p.sourceRow, kind: outcome.kind,
                                                         reason: outcome.reason.map { redactor.redact($0) }))
                    }
                }
            }
        }
        guard writer != nil else { return }
        // Entries wait in memory for up to a second or 50,000 rows, then go in one transaction:
        // a transaction rewrites every page it touches, so a million keys committed chunk by
        // chunk would rewrite the whole file hundreds of times. Entries lost to a kill were
        // never claimed, so the next run simply sends those rows again.
        let now = monotonicNs()
        let due: [StateEntry] = shared.withLock { s in
            s.uncommitted.append(contentsOf: entries)
            guard s.uncommitted.count >= Self.commitRows || now - s.lastCommitNs >= Self.commitEveryNs else { return [] }
            s.lastCommitNs = now
            defer { s.uncommitted = [] }
            return s.uncommitted
        }
        commitNow(due)
    }

    /// Writes the entries still waiting (finish calls it once every outcome is in).
    func flushCommits() {
        commitNow(shared.withLock { s in
            defer { s.uncommitted = [] }
            return s.uncommitted
        })
    }

    private func commitNow(_ entries: [StateEntry]) {
        guard !entries.isEmpty, let writer else { return }
        if shared.withLock({ $0.commitError != nil }) { return }
        do {
            try writer.commit(entries)
            shared.withLock { $0.outcome.committed += entries.count }
        } catch {
            // The state cannot follow: stop sending rather than send what it cannot remember.
            shared.withLock { s in if s.commitError == nil { s.commitError = error } }
            job?.cancel()
        }
    }

    static var commitRows: Int { 50_000 }
    static var commitEveryNs: UInt64 { 1_000_000_000 }
}
