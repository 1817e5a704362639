// Ending a sync run: the upsert finishes (every outcome committed by then), missing contacts are
// handled, the run is recorded in the state, and the connections close. Also the read-only
// `status` of a state, and the client's entry point.

extension SyncJob {
    /// Ends the input, waits for every sent row's outcome, handles missing contacts, returns the report.
    public func finish() throws(YespoError) -> SyncReport {
        guard finishClaimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw YespoError(.state, "finish was already called on this sync")
        }
        feedLock.lock()   // waits for a feed still running on another thread
        defer { feedLock.unlock() }
        defer {
            reader.close()
            writer?.close()
        }
        var upsert: UpsertReport? = nil
        var fatal: YespoError? = feed.failure
        if let job {
            do { upsert = try job.finish() } catch { if fatal == nil { fatal = error } }
        }
        flushCommits()
        let commitError = shared.withLock { $0.commitError }
        if fatal == nil, let commitError { fatal = commitError }
        if fatal == nil, let jobFatal = upsert?.fatal, jobFatal.code != .cancelled { fatal = jobFatal }
        let wasCancelled = cancelled.load(ordering: .relaxed) || (upsert?.cancelled ?? false)

        var counts = feed.counts
        counts.rows = feed.rows
        let missing = handleMissing(complete: fatal == nil && !wasCancelled, invalidRows: counts.invalid)

        let (outcome, failures) = shared.withLock { s in
            let list = s.failures.sorted { $0.row < $1.row }
            s.failures = []
            s.pending = [:]
            s.sent = [:]
            return (s.outcome, list)
        }
        let store: StateConnection = writer ?? reader
        let entries = try? store.count()
        let report = SyncReport(
            state: location.display, store: store.kind, dryRun: options.dryRun, full: options.full,
            optionsChanged: optionsChanged, counts: counts, outcome: outcome, missing: missing,
            stateEntries: entries, stateBytes: store.bytesOnDisk(), failures: failures, upsert: upsert,
            fatal: fatal.map { redact($0) }, cancelled: wasCancelled,
            elapsedMs: Int((monotonicNs() - startNs) / 1_000_000))
        if let writer {
            let status: String
            if fatal != nil { status = "failed" }
            else if wasCancelled { status = "cancelled" }
            else if missing?.refused != nil { status = "refused" }
            else { status = "complete" }
            try? writer.endRun(id: runId, finishedMs: wallClockMs(), status: status, summary: redactor.redact(report.json(withRows: false)))
        }
        return report
    }

    private func redact(_ error: YespoError) -> YespoError {
        var e = error
        e.message = redactor.redact(e.message)
        return e
    }

    /// The sync's counts so far (feeding thread's view; exact after finish).
    public var counts: SyncCounts {
        feedLock.withLock {
            var c = feed.counts
            c.rows = feed.rows
            return c
        }
    }
}

extension YespoClient {
    /// Starts an incremental sync against the state at `state` (a file path, or a postgres:// URL).
    public func beginSync(state: String, options: SyncOptions) throws(YespoError) -> SyncJob {
        try SyncJob(client: self, location: StateLocation(state), options: options)
    }
}

/// Read-only facts about a sync state, for `yespo sync --status` and yespo_sync_status.
public enum SyncStatus {
    public static func json(state: String, lastRuns: Int = 5) throws(YespoError) -> String {
        let location = try StateLocation(state)
        let store = try location.open(create: false)
        defer { store.close() }
        let meta = try store.readMeta()
        let entries = try store.count()
        let bytes = store.bytesOnDisk()
        let runs = try store.runs(limit: lastRuns)
        // A run still marked running is either running now (the lock is taken) or was killed.
        var running = false
        if runs.first?.finishedMs == nil && !runs.isEmpty {
            do { try store.lockForRun() } catch { running = true }
        }
        var o = JSONOutput(capacity: 2048)
        o.raw("{"); o.key("state"); o.string(location.display)
        o.raw(","); o.key("store"); o.string(store.kind)
        o.raw(","); o.key("keyScheme"); o.string(meta["keyScheme"])
        o.raw(","); o.key("createdMs"); o.int(meta["createdMs"].flatMap { Int64($0) })
        o.raw(","); o.key("entries"); o.int(entries)
        o.raw(","); o.key("bytes"); o.int(bytes.map { Int64($0) })
        o.raw(","); o.key("bytesPerContact")
        if let bytes, entries > 0 { o.number((Double(bytes) / Double(entries) * 10).rounded() / 10) } else { o.null() }
        o.raw(","); o.key("runs"); o.raw("[")
        for (i, run) in runs.enumerated() {
            if i > 0 { o.raw(",") }
            var status = run.status
            if run.finishedMs == nil { status = (i == 0 && running) ? "running" : "interrupted" }
            o.raw("{"); o.key("id"); o.int(run.id)
            o.raw(","); o.key("startedMs"); o.int(run.startedMs)
            o.raw(","); o.key("finishedMs"); o.int(run.finishedMs)
            o.raw(","); o.key("status"); o.string(status)
            o.raw(","); o.key("summary")
            if run.summary.hasPrefix("{") && run.summary.count > 2 { o.raw(Array(run.summary.utf8)) } else { o.null() }
            o.raw("}")
        }
        o.raw("]}")
        return o.text
    }
}

extension SyncJob {
    /// The upsert job carrying the rows sent (nil in a dry run): for callers that watch or cancel it.
    public var upsertJob: UpsertJob? { job }
}
