// The job's callback thread (extension of JobCore): hands outcome batches to the outcome handler,
// calls the progress handler at most every interval (and once at the end), and issues import
// polls. User code thus never runs on the transport's engine thread or under the job's lock, and
// handlers are never called two at a time.

extension JobCore {
    func startCallbackThread() throws(YespoError) {
        callbacks.callbackThread = try JobThread(name: "yespo-job") { [self] in
            self.runCallbacks()
        }
    }

    private func runCallbacks() {
        let pollNs = UInt64(max(10, settings.importPollMs)) * 1_000_000
        var nextProgressNs = startNs
        var nextPollNs = monotonicNs() + pollNs
        while true {
            var batches: [OutcomeBatch] = []
            var polls: [ImportWait] = []
            var dispatch: [ChunkPart] = []
            var progressDue = false
            var exiting = false
            var outcomeHandler: (@Sendable (OutcomeBatch) -> Void)? = nil
            var progressHandler: (@Sendable (UpsertProgress) -> Void)? = nil
            monitor.withLock {
                while true {
                    let now = monotonicNs()
                    if !callbacks.outbox.isEmpty || life.closing { break }
                    if callbacks.progressHandler != nil && now >= nextProgressNs { break }
                    if !sending.imports.isEmpty && now >= nextPollNs { break }
                    var deadline = now + 1_000_000_000
                    if callbacks.progressHandler != nil { deadline = min(deadline, nextProgressNs) }
                    if !sending.imports.isEmpty { deadline = min(deadline, nextPollNs) }
                    monitor.wait(untilNs: deadline)
                }
                let now = monotonicNs()
                batches = callbacks.outbox
                callbacks.outbox = []
                if !batches.isEmpty { monitor.broadcast() }   // a feed may wait for the outbox to drain
                callbacks.outcomeHandler = callbacks.outcomeHandler
                callbacks.progressHandler = callbacks.progressHandler
                if callbacks.progressHandler != nil && now >= nextProgressNs {
                    progressDue = true
                    nextProgressNs = now + callbacks.progressIntervalNs
                }
                if now >= nextPollNs {
                    polls = importsToPollLocked(now: now)
                    // A wait that timed out just finalised its chunk: later rows of its contacts
                    // may go now (nothing else would wake the sender, and the job would hang).
                    dispatch = takeDispatchableLocked()
                    nextPollNs = now + pollNs
                }
                exiting = life.closing
            }
            if let outcomeHandler = callbacks.outcomeHandler {
                for batch in batches { outcomeHandler(batch) }
            }
            if exiting {
                callbacks.progressHandler?(progress())
                // Handlers often capture their own job (to read its progress): dropping them here
                // breaks that cycle, so the job is freed once the caller lets go of it.
                monitor.withLock {
                    callbacks.outcomeHandler = nil
                    callbacks.progressHandler = nil
                }
                return
            }
            if progressDue, let progressHandler = callbacks.progressHandler { progressHandler(progress()) }
            submit(dispatch)
            poll(polls)
        }
    }

    func progress() -> UpsertProgress {
        let stats = transport.stats()
        return monitor.withLock { life.finalProgress ?? progressLocked(stats) }
    }

    /// A snapshot of the counters; the caller holds `monitor`.
    func progressLocked(_ stats: TransportStats) -> UpsertProgress {
        var p = UpsertProgress()
        p.rowsRead = counts.rowsRead
        p.rowsSent = counts.rowsSent
        p.accepted = store.count(.accepted)
        p.rejected = store.count(.rejected)
        p.invalid = store.count(.invalid)
        p.duplicates = store.count(.duplicate)
        p.notSent = store.count(.notSent)
        p.chunksSent = counts.chunksSent
        p.chunksDone = counts.chunksDone
        p.inFlight = sending.liveParts.count
        p.concurrency = stats.concurrency
        p.requests = counts.requests
        p.retries = counts.retries
        p.throttled = max(0, stats.throttled - statsAtStart.throttled)
        p.bytesSent = counts.bytesSent
        p.elapsedMs = Int((monotonicNs() - startNs) / 1_000_000)
        p.done = life.done
        return p
    }
}
