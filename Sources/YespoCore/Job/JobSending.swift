// Sending chunks (extension of JobCore): at most settings.concurrency chunks of a job are handed
// to the transport at once, the rest wait in the job's bounded queue. Each request's final outcome
// (the transport already retried what is retryable) decides its rows: 2xx → accepted or rejected
// per failedContacts, 400/413 → split in halves until the bad rows stand alone, 401/403 → the job
// stops, anything else → notSent with the reason.

extension JobCore {
    /// 400s on one chunk, with nothing of it accepted, after which the job stops (see partFinished).
    static var requestLevelRefusal: Int { 128 }

    /// Server-derived text with the API key masked, should a server ever echo it.
    func scrub(_ text: String) -> String { redactor.redact(text) }

    /// Chunks to hand to the transport now, within the concurrency. Every chunk passes the
    /// write-order gate first; rows it holds back leave later in catch-up chunks, which go before
    /// queued chunks once enough of them are ready (or nothing else is waiting).
    func takeDispatchableLocked() -> [ChunkPart] {
        var parts: [ChunkPart] = []
        while sending.chunksSending < max(1, settings.concurrency), life.fatal == nil, !life.cancelled {
            if gate.hasHeld {
                let force = sending.queueHead >= sending.queue.count || gate.isFull || life.inputEnded
                let (ready, poisoned) = gate.takeReady(maxRows: chunkRows,
                                                       maxBytes: settings.chunkBytes - template.head.count - template.tail.count,
                                                       minRows: force ? 1 : max(1, chunkRows / 2))
                publishPoisonedLocked(poisoned)
                if !ready.isEmpty {
                    let chunk = WriteOrderGate.catchUp(ready, index: sending.nextChunkIndex, template: template,
                                                       keepDedupeValues: options.waitsForImports)
                    sending.nextChunkIndex += 1
                    parts.append(dispatchLocked(chunk))
                    continue
                }
                if gate.isFull { break }   // the held rows drain first; the feeder waits meanwhile
            }
            guard sending.queueHead < sending.queue.count else { break }
            let chunk = sending.queue[sending.queueHead]
            sending.queueHead += 1
            let admission = gate.admit(chunk, template: template)
            publishPoisonedLocked(admission.poisonedRows)
            if let send = admission.send { parts.append(dispatchLocked(send)) }
        }
        // Taken chunks leave the array at once: a slot kept until the array is compacted would
        // keep its body alive (up to 64 bodies, the CLI's "retained memory" of issue 14). The
        // queue holds at most maxQueued chunks, so this moves a few structs.
        if sending.queueHead > 0 {
            sending.queue.removeFirst(sending.queueHead)
            sending.queueHead = 0
        }
        return parts
    }

    private func dispatchLocked(_ chunk: Chunk) -> ChunkPart {
        let activeChunk = ActiveChunk(chunk)
        sending.active[chunk.index] = activeChunk
        sending.chunksSending += 1
        counts.chunksSent += 1
        counts.rowsSent += chunk.count
        return newPartLocked(activeChunk, lo: 0, hi: chunk.count, body: activeChunk.body)
    }

    /// Rows the gate will not send because an earlier row of the same contact was not sent.
    private func publishPoisonedLocked(_ rows: [(row: Int, because: Int)]) {
        guard !rows.isEmpty else { return }
        publishLocked(rows.map {
            RowOutcome(row: $0.row, kind: .notSent,
                       reason: "not sent: row \($0.because) may be the same contact and was not sent; sending this row alone could be overwritten by it later, so a resume sends both in order")
        }, bytes: [:], chunkIndex: nil)
    }

    /// The chunk's rows stop blocking later rows of the same contacts.
    func releaseKeysLocked(_ chunk: ActiveChunk) {
        guard !chunk.keysReleased else { return }
        chunk.keysReleased = true
        let keys = chunk.chunk.keys, rows = chunk.chunk.rows
        let anyNotSent = chunk.anyNotSent
        for position in 0..<rows.count {
            gate.release(keys, position: position, row: rows[position],
                         notSent: anyNotSent && chunk.kind(at: position) == .notSent)
        }
    }

    func newPartLocked(_ chunk: ActiveChunk, lo: Int, hi: Int, body: [UInt8]) -> ChunkPart {
        let id = sending.nextPartId
        sending.nextPartId += 1
        sending.liveParts[id] = .some(nil)
        chunk.pendingParts += 1
        return ChunkPart(id: id, chunk: chunk, lo: lo, hi: hi, body: body)
    }

    /// Hands parts to the transport; never called with the monitor held (a completion may run
    /// on another thread at once and take it).
    func submit(_ parts: [ChunkPart]) {
        for part in parts {
            let request = HTTPRequest(method: "POST", path: kind.path, body: part.body, requestClass: .bulk,
                                      baseURL: requestBaseURL)
            let ticket = transport.submit(request) { [self] outcome in
                self.partFinished(part, outcome)
            }
            let cancelNow = monitor.withLock { () -> Bool in
                guard sending.liveParts.index(forKey: part.id) != nil else { return false }
                sending.liveParts[part.id] = .some(ticket)
                return life.ticketsCancelled
            }
            if cancelNow { transport.cancel(ticket) }
        }
    }

    /// The transport's final word on one part (engine thread).
    func partFinished(_ part: ChunkPart, _ outcome: HTTPOutcome) {
        var answer: BulkAnswer? = nil
        var duplicated = false
        if case .response(let response, _) = outcome {
            if (200..<300).contains(response.status) {
                // The event method answers nothing to map (no session, no failed list).
                answer = kind.acceptsAnySuccessBody ? BulkAnswer() : BulkAnswer.parse(response.body, kind: kind)
            }
            duplicated = answer == nil && BulkAnswer.isDuplicatedRequest(response.body)
        }
        var toSubmit: [ChunkPart] = []
        var toCancel: [RequestTicket] = []
        monitor.withLock {
            sending.liveParts.removeValue(forKey: part.id)
            let chunk = part.chunk
            chunk.pendingParts -= 1
            let attempts: Int
            switch outcome {
            case .response(_, let n): attempts = n
            case .failure(_, let n): attempts = n
            }
            chunk.attempts += attempts
            counts.requests += attempts
            counts.retries += max(0, attempts - 1)
            counts.bytesSent += part.body.count * max(1, attempts)
            var split = false

            switch outcome {
            case .response(_, _) where duplicated:
                // An identical request was applied before: most likely this one's own earlier
                // attempt, whose answer was lost. Never bisected, never called rejected.
                duplicatedLocked(part)
            case .response(let response, _) where (200..<300).contains(response.status):
                if let answer {
                    acceptedLocked(part, answer)
                } else if part.unreadableAnswers < 2 && !isStopped {
                    // A cut or garbled 200 says nothing about the rows; sending them again is safe
                    // because the bulk method is an upsert, and later writes of these contacts
                    // wait for this chunk.
                    var again = newPartLocked(chunk, lo: part.lo, hi: part.hi, body: part.body)
                    again.unreadableAnswers = part.unreadableAnswers + 1
                    toSubmit.append(again)
                    split = true
                } else {
                    chunk.setRange(part.lo, part.hi, .notSent,
                                   reason: "the server answered HTTP \(response.status) with a body that cannot be read; the rows may or may not have been imported")
                }
            case .response(let response, _) where response.status == 401 || response.status == 403:
                let error = YespoError(.auth, scrub("the API key was refused (HTTP \(response.status)): \(serverMessage(response.body))"),
                                       httpStatus: response.status)
                toCancel = stopLocked(error, abandonInFlight: true)
                chunk.setRange(part.lo, part.hi, .notSent, reason: "not sent: the API key was refused (HTTP \(response.status))")
            case .response(let response, _) where response.status == 400 || response.status == 413:
                chunk.badRequests += 1
                if chunk.badRequests >= Self.requestLevelRefusal && !chunk.anyAccepted {
                    // Bisection only helps when some rows are bad; when no part of the chunk
                    // gets through, the server refuses the request as such (e.g. an option), and
                    // every other chunk would fail the same way.
                    let error = YespoError(.http, scrub("the server refused \(chunk.badRequests) requests of chunk \(chunk.chunk.index) "
                        + "while isolating bad rows and accepted none, so it refuses the request itself: "
                        + httpFailureText(status: response.status, body: response.body)), httpStatus: response.status)
                    toCancel = stopLocked(error, abandonInFlight: true)
                    chunk.setRange(part.lo, part.hi, .notSent, reason: stopReasonLocked())
                } else if part.hi - part.lo == 1 {
                    chunk.set(part.lo, .rejected, reason: scrub(httpFailureText(status: response.status, body: response.body)))
                    chunk.rejectedBytes[part.lo] = chunk.contactBytes(part.lo)
                    chunk.anyRejectedBy400 = true
                } else if isStopped {
                    chunk.setRange(part.lo, part.hi, .notSent, reason: stopReasonLocked())
                } else {
                    toSubmit.append(contentsOf: bisectLocked(part))
                    split = true
                }
            case .response(let response, _):
                chunk.setRange(part.lo, part.hi, .notSent,
                               reason: scrub("\(httpFailureText(status: response.status, body: response.body)) (after \(attempts) attempts)"))
            case .failure(let error, _) where error.isPersistent:
                // Every request would fail the same way (an untrusted certificate): stop now,
                // like a refused key, instead of failing every chunk after its retries.
                toCancel = stopLocked(YespoError(error.code, scrub(error.message), httpStatus: error.httpStatus),
                                      abandonInFlight: true)
                chunk.setRange(part.lo, part.hi, .notSent, reason: stopReasonLocked())
            case .failure(let error, _):
                let reason = error.code == .cancelled ? stopReasonLocked() : scrub("\(error.message) (after \(attempts) attempts)")
                chunk.setRange(part.lo, part.hi, .notSent, reason: reason)
            }
            if !split {
                chunk.settle(part.lo, part.hi)
                toSubmit.append(contentsOf: unparkLocked(chunk))
            }

            if chunk.sendingDone {
                sending.chunksSending -= 1
                recycleLocked(chunk.body)
                chunk.body = []
                if options.ackOn == .accepted { releaseKeysLocked(chunk) }
                if chunk.isFinal { finalizeLocked(chunk) }
            }
            toSubmit.append(contentsOf: takeDispatchableLocked())
            monitor.broadcast()
        }
        for ticket in toCancel { transport.cancel(ticket) }
        submit(toSubmit)
    }

    /// Splits a refused part in halves. When the halves may hold the same contact (rows sharing
    /// an email, phone or id that the in-chunk de-duplication keeps apart, e.g. two external
    /// ids), the second half waits until the first is settled, so the server sees them in order.
    private func bisectLocked(_ part: ChunkPart) -> [ChunkPart] {
        let chunk = part.chunk
        let mid = part.lo + (part.hi - part.lo) / 2
        let halves = [(part.lo, mid), (mid, part.hi)].map { lo, hi in
            newPartLocked(chunk, lo: lo, hi: hi,
                          body: template.body(from: chunk.body, starts: chunk.chunk.starts, ends: chunk.chunk.ends, lo: lo, hi: hi))
        }
        var firstKeys = Set<UInt64>()
        for position in part.lo..<mid { chunk.chunk.keys[position].forEach { firstKeys.insert($0) } }
        let overlap = (mid..<part.hi).contains { chunk.chunk.keys[$0].contains(where: firstKeys.contains) }
        guard overlap else { return halves }
        chunk.parked.append(ParkedPart(waitLo: part.lo, waitHi: mid, part: halves[1]))
        return [halves[0]]
    }

    /// Parked halves whose earlier half is settled: sent now, or notSent once the job stopped.
    private func unparkLocked(_ chunk: ActiveChunk) -> [ChunkPart] {
        guard !chunk.parked.isEmpty else { return [] }
        var ready: [ChunkPart] = []
        chunk.parked.removeAll { parked in
            guard chunk.isSettled(parked.waitLo, parked.waitHi) else { return false }
            if isStopped {
                sending.liveParts.removeValue(forKey: parked.part.id)
                chunk.pendingParts -= 1
                chunk.setRange(parked.part.lo, parked.part.hi, .notSent, reason: stopReasonLocked())
                chunk.settle(parked.part.lo, parked.part.hi)
            } else {
                ready.append(parked.part)
            }
            return true
        }
        return ready
    }

    /// "Duplicated request": the rows count as accepted, marked so, without a session; a job
    /// that waits for imports confirms them by search first (DuplicateConfirmation).
    private func duplicatedLocked(_ part: ChunkPart) {
        let chunk = part.chunk
        chunk.anyAccepted = true
        let open = (part.lo..<part.hi).filter { chunk.isPending($0) }
        for position in awaitConfirmationLocked(part, positions: open) {
            chunk.set(position, .accepted, reason: Self.duplicatedRequestNote, acceptedBy: .duplicatedRequest)
            counts.acceptedByDuplicate += 1
        }
    }

    /// A 2xx with a readable body: failed contacts are rejected, the others accepted — or, when
    /// the job waits, parked until /importstatus says how their import ended.
    func acceptedLocked(_ part: ChunkPart, _ answer: BulkAnswer) {
        let chunk = part.chunk
        chunk.anyAccepted = true
        let session = answer.asyncSessionId
        if let session { chunk.sessionIds.append(session) }
        var locator = FailureLocator(part: part, kind: kind)
        for failure in answer.failures {
            guard let position = locator.position(of: failure), chunk.isPending(position) else {
                // Never guessed: a wrong row called rejected would hide a lost one.
                counts.unmappedFailureCount += 1
                if counts.unmappedFailures.count < Self.maxUnmappedListed {
                    counts.unmappedFailures.append((chunk.chunk.index, scrub(failure.reason)))
                }
                log.log(.warn, scrub("chunk \(chunk.chunk.index): a \(kind.failedListName) entry cannot be tied to one row of the request; "
                                     + "its rows stay accepted: \(failure.reason)"))
                continue
            }
            chunk.set(position, .rejected, reason: scrub(failure.reason), session: session)
            chunk.rejectedBytes[position] = chunk.contactBytes(position)
        }
        if options.waitsForImports, let session {
            let positions = (part.lo..<part.hi).filter { chunk.isPending($0) }
            if !positions.isEmpty {
                sending.imports.append(ImportWait(chunk: chunk, sessionId: session, positions: positions, sinceNs: monotonicNs()))
                chunk.pendingImports += 1
            }
        } else {
            chunk.setRange(part.lo, part.hi, .accepted, reason: nil, session: session)
        }
    }

    static var maxUnmappedListed: Int { 100 }

    /// Every row of the chunk has its outcome: record them, report the chunk, hand the batch on.
    func finalizeLocked(_ chunk: ActiveChunk) {
        releaseKeysLocked(chunk)
        sending.active[chunk.chunk.index] = nil
        counts.chunksDone += 1
        let rows = chunk.record(into: &store, rejectedBytes: chunk.rejectedBytes, wantOutcomes: callbacks.outcomeHandler != nil)
        sending.chunkRecords.append(chunk.record)
        if callbacks.outcomeHandler != nil {
            callbacks.outbox.append(OutcomeBatch(chunkIndex: chunk.chunk.index, asyncSessionId: chunk.sessionIds.first, rows: rows))
        }
    }
}
