// Sending chunks (extension of JobCore): at most settings.concurrency chunks of a job are handed
// to the transport at once, the rest wait in the job's bounded queue. Each request's final outcome
// (the transport already retried what is retryable) decides its rows: 2xx → accepted or rejected
// per failedContacts, 400/413 → split in halves until the bad rows stand alone, 401/403 → the job
// stops, anything else → notSent with the reason.

extension JobCore {
    /// 400s on one chunk, with nothing of it accepted, after which the job stops (see partFinished).
    static var requestLevelRefusal: Int { 128 }

    /// Server-derived text with the API key masked, should a server ever echo it.
    func scrub(_ text: String) -> String { redactingSecret(text, settings.apiKey) }

    func takeDispatchableLocked() -> [ChunkPart] {
        var parts: [ChunkPart] = []
        while chunksSending < max(1, settings.concurrency), queueHead < queue.count, fatal == nil, !cancelled {
            let chunk = queue[queueHead]
            queueHead += 1
            let activeChunk = ActiveChunk(chunk)
            active[chunk.index] = activeChunk
            chunksSending += 1
            chunksSent += 1
            rowsSent += chunk.count
            parts.append(newPartLocked(activeChunk, lo: 0, hi: chunk.count, body: activeChunk.body))
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead >= 64 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        return parts
    }

    func newPartLocked(_ chunk: ActiveChunk, lo: Int, hi: Int, body: [UInt8]) -> ChunkPart {
        let id = nextPartId
        nextPartId += 1
        liveParts[id] = .some(nil)
        chunk.pendingParts += 1
        return ChunkPart(id: id, chunk: chunk, lo: lo, hi: hi, body: body)
    }

    /// Hands parts to the transport; never called with the monitor held (a completion may run
    /// on another thread at once and take it).
    func submit(_ parts: [ChunkPart]) {
        for part in parts {
            let request = HTTPRequest(method: "POST", path: "/contacts", body: part.body, requestClass: .bulk)
            let ticket = transport.submit(request) { [self] outcome in
                self.partFinished(part, outcome)
            }
            let cancelNow = monitor.withLock { () -> Bool in
                guard liveParts.index(forKey: part.id) != nil else { return false }
                liveParts[part.id] = .some(ticket)
                return ticketsCancelled
            }
            if cancelNow { transport.cancel(ticket) }
        }
    }

    /// The transport's final word on one part (engine thread).
    func partFinished(_ part: ChunkPart, _ outcome: HTTPOutcome) {
        var answer: BulkAnswer? = nil
        if case .response(let response, _) = outcome, (200..<300).contains(response.status) {
            answer = BulkAnswer.parse(response.body)
        }
        var toSubmit: [ChunkPart] = []
        var toCancel: [RequestTicket] = []
        monitor.withLock {
            liveParts.removeValue(forKey: part.id)
            let chunk = part.chunk
            chunk.pendingParts -= 1
            let attempts: Int
            switch outcome {
            case .response(_, let n): attempts = n
            case .failure(_, let n): attempts = n
            }
            chunk.attempts += attempts
            requests += attempts
            retries += max(0, attempts - 1)
            bytesSent += part.body.count * max(1, attempts)

            switch outcome {
            case .response(let response, _) where (200..<300).contains(response.status):
                if let answer {
                    acceptedLocked(part, answer)
                } else if part.unreadableAnswers < 2 && !isStopped {
                    // A cut or garbled 200 says nothing about the rows; sending them again is safe
                    // because the bulk method is an upsert.
                    var again = newPartLocked(chunk, lo: part.lo, hi: part.hi, body: part.body)
                    again.unreadableAnswers = part.unreadableAnswers + 1
                    toSubmit.append(again)
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
                    let mid = part.lo + (part.hi - part.lo) / 2
                    for (lo, hi) in [(part.lo, mid), (mid, part.hi)] {
                        let body = template.body(from: chunk.body, starts: chunk.chunk.starts, ends: chunk.chunk.ends, lo: lo, hi: hi)
                        toSubmit.append(newPartLocked(chunk, lo: lo, hi: hi, body: body))
                    }
                }
            case .response(let response, _):
                chunk.setRange(part.lo, part.hi, .notSent,
                               reason: scrub("\(httpFailureText(status: response.status, body: response.body)) (after \(attempts) attempts)"))
            case .failure(let error, _):
                let reason = error.code == .cancelled ? stopReasonLocked() : scrub("\(error.message) (after \(attempts) attempts)")
                chunk.setRange(part.lo, part.hi, .notSent, reason: reason)
            }

            if chunk.sendingDone {
                chunksSending -= 1
                chunk.body = []
                if chunk.isFinal { finalizeLocked(chunk) }
            }
            toSubmit.append(contentsOf: takeDispatchableLocked())
            monitor.broadcast()
        }
        for ticket in toCancel { transport.cancel(ticket) }
        submit(toSubmit)
    }

    /// A 2xx with a readable body: failed contacts are rejected, the others accepted — or, when
    /// the job waits, parked until /importstatus says how their import ended.
    func acceptedLocked(_ part: ChunkPart, _ answer: BulkAnswer) {
        let chunk = part.chunk
        chunk.anyAccepted = true
        let session = answer.asyncSessionId
        if let session { chunk.sessionIds.append(session) }
        var byValue: [String: Int]? = nil
        for failure in answer.failures {
            var position: Int? = nil
            if let index = failure.position, index < part.hi - part.lo { position = part.lo + index }
            if position == nil && !failure.values.isEmpty {
                if byValue == nil { byValue = valueIndexLocked(part) }
                position = failure.values.lazy.compactMap { byValue?[$0] }.first
            }
            guard let position, chunk.outcomes[position] == nil else {
                log.log(.warn, scrub("chunk \(chunk.chunk.index): a failedContacts entry matches no row of the request: \(failure.reason)"))
                continue
            }
            chunk.set(position, .rejected, reason: scrub(failure.reason), session: session)
            chunk.rejectedBytes[position] = chunk.contactBytes(position)
        }
        if options.wait, let session {
            let positions = (part.lo..<part.hi).filter { chunk.outcomes[$0] == nil }
            if !positions.isEmpty {
                imports.append(ImportWait(chunk: chunk, sessionId: session, positions: positions, sinceNs: monotonicNs()))
                chunk.pendingImports += 1
            }
        } else {
            for position in part.lo..<part.hi { chunk.set(position, .accepted, session: session) }
        }
    }

    /// Identifying values of each row of a part → its position (slow path: failures without index).
    private func valueIndexLocked(_ part: ChunkPart) -> [String: Int] {
        var index: [String: Int] = [:]
        for position in part.lo..<part.hi {
            guard let bytes = part.chunk.contactBytes(position),
                  case .success(let document) = JSONDocument.parse(bytes) else { continue }
            for value in identifyingValues(document.root) where index[value] == nil { index[value] = position }
        }
        return index
    }

    /// Every row of the chunk has its outcome: record them, report the chunk, hand the batch on.
    func finalizeLocked(_ chunk: ActiveChunk) {
        active[chunk.chunk.index] = nil
        chunksDone += 1
        var rows: [RowOutcome] = []
        rows.reserveCapacity(chunk.chunk.count)
        for (position, recorded) in chunk.outcomes.enumerated() {
            let outcome = recorded ?? RowOutcome(row: chunk.chunk.rows[position], kind: .notSent,
                                                 reason: "internal error: the row got no outcome")
            store.record(outcome, bytes: chunk.rejectedBytes[position])
            rows.append(outcome)
        }
        chunkRecords.append(chunk.record)
        if outcomeHandler != nil {
            outbox.append(OutcomeBatch(chunkIndex: chunk.chunk.index, asyncSessionId: chunk.sessionIds.first, rows: rows))
        }
    }
}
