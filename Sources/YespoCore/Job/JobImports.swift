// Waiting for imports (extension of JobCore, `wait` option): every importPollMs the callback
// thread asks /importstatus about each accepted request still importing; FINISHED attaches the
// contact ids from `mapping` (dedupeValue → contactId) to the rows, ERROR rejects them with the
// server's description, and a wait longer than importTimeoutMs leaves them accepted without ids.

extension JobCore {
    /// Imports to ask about now; resolves the ones that waited too long.
    func importsToPollLocked(now: UInt64) -> [ImportWait] {
        var due: [ImportWait] = []
        let timeoutNs = UInt64(max(0, settings.importTimeoutMs)) * 1_000_000
        for wait in sending.imports where !wait.resolved && !wait.polling {
            if now &- wait.sinceNs > timeoutNs, wait.searches != nil {
                resolveConfirmationLocked(wait, note: "Not found by search within \(settings.importTimeoutMs) ms: the earlier request's import may still be running.")
                continue
            }
            if now &- wait.sinceNs > timeoutNs {
                let status = wait.lastStatus ?? "IMPORTING"
                resolveLocked(wait, status: status, mapping: nil, errorDescription: nil,
                              note: "import still \(status) after \(settings.importTimeoutMs) ms; contact ids unknown")
                continue
            }
            wait.polling = true
            due.append(wait)
        }
        sending.imports.removeAll { $0.resolved }
        return due
    }

    func poll(_ waits: [ImportWait]) {
        for wait in waits {
            if wait.searches != nil {
                searchAgain(wait)
                continue
            }
            let request = HTTPRequest(method: "GET", path: "/importstatus/" + percentEncodedPathSegment(wait.sessionId))
            transport.submit(request) { [self] outcome in
                self.pollFinished(wait, outcome)
            }
        }
    }

    private func pollFinished(_ wait: ImportWait, _ outcome: HTTPOutcome) {
        var status: ImportStatus? = nil
        if case .response(let response, _) = outcome, response.status == 200 {
            status = ImportStatus.parse(response.body)
        }
        monitor.withLock {
            wait.polling = false
            switch outcome {
            case .response(_, let n), .failure(_, let n):
                counts.requests += n
                counts.retries += max(0, n - 1)
            }
            guard !wait.resolved else { return }
            switch outcome {
            case .response(let response, _) where response.status == 200:
                guard let status else {
                    log.log(.warn, "import \(wait.sessionId): unreadable /importstatus answer; asking again")
                    return
                }
                wait.lastStatus = status.status
                switch status.status.uppercased() {
                case "FINISHED":
                    resolveLocked(wait, status: status.status, mapping: status.mapping, errorDescription: nil, note: nil)
                case "ERROR", "FAILED":
                    resolveLocked(wait, status: status.status, mapping: nil,
                                  errorDescription: status.description ?? "no description", note: nil)
                default:
                    break
                }
            case .response(let response, _) where (400..<500).contains(response.status) && response.status != 429 && response.status != 408:
                resolveLocked(wait, status: wait.lastStatus ?? "UNKNOWN", mapping: nil, errorDescription: nil,
                              note: scrub("import status unavailable (\(httpFailureText(status: response.status, body: response.body))); contact ids unknown"))
            default:
                break   // retried at the next poll until importTimeoutMs
            }
            monitor.broadcast()
        }
        // A finished import may free later writes of its contacts (ackOn finished).
        submit(monitor.withLock { takeDispatchableLocked() })
    }

    func resolveLocked(_ wait: ImportWait, status: String, mapping: [String: Int64]?, errorDescription: String?,
                       note: String?) {
        guard !wait.resolved else { return }
        wait.resolved = true
        let chunk = wait.chunk
        chunk.importStatus = status
        for position in wait.positions {
            if let errorDescription {
                chunk.set(position, .rejected, reason: scrub("import ended in \(status): \(errorDescription)"), session: wait.sessionId)
            } else {
                var contactId: Int64? = nil
                if let mapping, let value = chunk.chunk.dedupeValues?[position] ?? nil {
                    contactId = mapping[value] ?? mapping[value.lowercased()]
                }
                chunk.set(position, .accepted, reason: note, session: wait.sessionId, contactId: contactId)
            }
        }
        chunk.pendingImports -= 1
        if chunk.isFinal { finalizeLocked(chunk) }
    }

    /// The job stopped: accepted rows stop waiting for their import.
    func resolveAllImportsLocked() {
        for wait in sending.imports where !wait.resolved {
            if wait.searches != nil {
                resolveConfirmationLocked(wait, note: "The job stopped before the row was found by search.")
                continue
            }
            resolveLocked(wait, status: wait.lastStatus ?? "IMPORTING", mapping: nil, errorDescription: nil,
                          note: "the job stopped before the import finished; contact ids unknown")
        }
        sending.imports.removeAll()
    }
}

/// An /importstatus answer with `mapping` normalised to dedupeValue → contactId.
struct ImportStatus {
    var status: String
    var description: String?
    var mapping: [String: Int64]

    static func parse(_ body: [UInt8]) -> ImportStatus? {
        guard case .success(let document) = JSONDocument.parse(body), document.root.kind == .object,
              let status = document.root["status"]?.string else { return nil }
        var result = ImportStatus(status: status, description: document.root["description"]?.string, mapping: [:])
        if let mapping = document.root["mapping"] {
            let entries = mapping.kind == .array ? mapping.elements : (mapping.kind == .object ? [mapping] : [])
            for entry in entries {
                guard let id = entry["contactId"]?.int64 ?? entry["contactId"]?.string.flatMap({ Int64($0) }) else { continue }
                if let value = entry["dedupeValue"]?.string { result.mapping[value] = id }
                else if let number = entry["dedupeValue"]?.int64 { result.mapping[String(number)] = id }
            }
        }
        return result
    }
}
