// Feeding and finishing (extension of JobCore). Feeds are serialised by feedLock so row numbers
// follow the order of the calls; finish() closes the input, waits until every row has its final
// outcome, stops the callback thread and freezes the report.

extension JobCore {
    /// Runs one feed: `read` gets the first row number and pushes verdicts through `accept`.
    func feed(_ read: (Int) throws -> Void) throws(YespoError) {
        feedLock.lock()
        defer { feedLock.unlock() }
        guard !inputClosed else { throw YespoError(.state, "the job is finished; no more contacts can be fed") }
        guard !isStopped else { throw stoppedError() }
        var failure: YespoError? = nil
        do {
            try read(rowsSeen + 1)
        } catch is StopFeeding {
            failure = stoppedError()
        } catch let error as YespoError {
            failure = error
        } catch {
            failure = YespoError(.internal, "unexpected error while reading input: \(error)")
        }
        // Rows of this call that did not fill a chunk yet stay in the builder; their loose
        // outcomes (invalid, duplicate) are published now so progress shows them.
        do { try hand(nil) } catch { if failure == nil { failure = stoppedError() } }
        if let failure { throw failure }
    }

    func stoppedError() -> YespoError {
        monitor.withLock {
            if let fatal = life.fatal, fatal.code != .cancelled {
                return YespoError(.cancelled, "the job was stopped: \(fatal.message)", httpStatus: fatal.httpStatus)
            }
            return YespoError(.cancelled, "the job was cancelled")
        }
    }

    func finish() throws(YespoError) -> UpsertReport {
        feedLock.lock()
        guard !inputClosed else {
            feedLock.unlock()
            throw YespoError(.state, "finish was already called on this job")
        }
        inputClosed = true
        let last = builder.close()
        do { try hand(last) } catch {}   // a stopped job reports these rows notSent
        let rowsTotal = rowsSeen
        feedLock.unlock()
        // Held rows no longer wait for company: the rest leave in catch-up chunks of any size.
        submit(monitor.withLock {
            life.inputEnded = true
            return takeDispatchableLocked()
        })

        waitForEveryOutcome()

        monitor.withLock {
            counts.rowsRead = max(counts.rowsRead, rowsTotal)
            store.reserveRows(through: counts.rowsRead)
            life.done = true
            life.closing = true
            monitor.broadcast()
        }
        callbacks.callbackThread?.join()
        callbacks.callbackThread = nil
        let stats = transport.stats()
        return monitor.withLock {
            life.finished = true
            let report = UpsertReport(
                store: store, chunks: sending.chunkRecords, fatal: life.fatal, cancelled: life.cancelled, dryRun: options.dryRun,
                requests: counts.requests, retries: counts.retries, throttled: max(0, stats.throttled - statsAtStart.throttled),
                bytesSent: counts.bytesSent, elapsedMs: Int((monotonicNs() - startNs) / 1_000_000),
                heldForOrder: gate.heldTotal, unmappedFailures: counts.unmappedFailures, unmappedFailureCount: counts.unmappedFailureCount,
                inputs: inputs,
                sharedBudget: sharedBudgetMark.map { $0.budget.report(since: $0) })
            // The report owns the outcomes now; the job keeps nothing large, only the final
            // counters, so that progress() read after finish still tells the truth.
            life.finalProgress = progressLocked(stats)
            store = OutcomeStore()
            sending.chunkRecords = []
            return report
        }
    }

    /// Blocks until no chunk is queued or active. After a cancel, requests on the wire get a short
    /// grace to answer (so the report says truthfully what the server took) before they are
    /// abandoned.
    private func waitForEveryOutcome() {
        let graceNs: UInt64 = 2_000_000_000
        var stopSeenNs: UInt64? = nil
        while true {
            var toCancel: [RequestTicket] = []
            let allDone = monitor.withLock { () -> Bool in
                if sending.queueHead >= sending.queue.count && sending.active.isEmpty && !gate.hasHeld { return true }
                let now = monotonicNs()
                if isStopped {
                    let since = stopSeenNs ?? now
                    stopSeenNs = since
                    if now - since >= graceNs && !life.ticketsCancelled { toCancel = takeTicketsLocked() }
                }
                if toCancel.isEmpty { monitor.wait(untilNs: now + 100_000_000) }
                return false
            }
            if allDone { return }
            for ticket in toCancel { transport.cancel(ticket) }
        }
    }

    /// The job's handle went away without finish(): stop everything and let the thread end.
    func abandon() {
        cancel()
        let tickets = monitor.withLock { () -> [RequestTicket] in
            life.closing = true
            monitor.broadcast()
            return life.ticketsCancelled ? [] : takeTicketsLocked()
        }
        for ticket in tickets { transport.cancel(ticket) }
    }
}
