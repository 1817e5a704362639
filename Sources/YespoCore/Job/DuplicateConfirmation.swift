// Confirming rows accepted on "Duplicated request" when the job waits for imports (extension of
// JobCore). Such rows have no session to poll, so each is looked up with GET /contacts by its
// dedupe value (email, phone or external id) every poll interval until it is found — its contact
// id is attached — or the import timeout passes, when it stays accepted with a note that says so.
// Rows whose dedupe key cannot be searched (id, fieldId, push) are accepted at once.

extension JobCore {
    /// The search path that finds the row's contact, when its dedupe key is searchable.
    func confirmationSearch(_ value: String) -> String? {
        let parameter: String
        switch options.dedupeOn {
        case .email: parameter = "email"
        case .sms: parameter = "sms"
        case .emailOrSms: parameter = value.contains("@") ? "email" : "sms"
        case .externalCustomerId: parameter = "externalCustomerId"
        default: return nil
        }
        return "/contacts?\(parameter)=\(percentEncodedPathSegment(value))&maxrows=10"
    }

    /// Rows of a part answered "Duplicated request" that can be confirmed by search wait for it.
    func awaitConfirmationLocked(_ part: ChunkPart, positions: [Int]) -> [Int] {
        let chunk = part.chunk
        guard options.waitsForImports, let values = chunk.chunk.dedupeValues else { return positions }
        var searches: [Int: String] = [:]
        var unsearchable: [Int] = []
        for position in positions {
            if let value = values[position], let path = confirmationSearch(value) { searches[position] = path }
            else { unsearchable.append(position) }
        }
        if !searches.isEmpty {
            let wait = ImportWait(chunk: chunk, sessionId: "", positions: searches.keys.sorted(), sinceNs: monotonicNs())
            wait.searches = searches
            sending.imports.append(wait)
            chunk.pendingImports += 1
        }
        return unsearchable
    }

    /// One poll round of a confirmation: a search per row not found yet (at most 64 at a time).
    func searchAgain(_ wait: ImportWait) {
        let due: [(Int, String)] = monitor.withLock {
            let pending = (wait.searches ?? [:]).filter { wait.found[$0.key] == nil }.sorted { $0.key < $1.key }
            let batch = Array(pending.prefix(64))
            wait.searching = batch.count
            if batch.isEmpty { wait.polling = false }
            return batch
        }
        for (position, path) in due {
            transport.submit(HTTPRequest(method: "GET", path: path)) { [self] outcome in
                self.searchFinished(wait, position: position, outcome)
            }
        }
    }

    private func searchFinished(_ wait: ImportWait, position: Int, _ outcome: HTTPOutcome) {
        var contactId: Int64? = nil
        if case .response(let response, _) = outcome, response.status == 200,
           case .success(let document) = JSONDocument.parse(response.body), document.root.kind == .array {
            let value = wait.chunk.chunk.dedupeValues?[position] ?? nil
            // Email search is not always exact on the real service: re-check each hit.
            for hit in document.root.elements where contactId == nil {
                let hitValues = Set(identifyingValues(hit))
                if let value, hitValues.contains(normalisedChannel(value)) || hitValues.contains("ext:" + value) {
                    contactId = hit["id"]?.int64
                }
            }
        }
        monitor.withLock {
            switch outcome {
            case .response(_, let n), .failure(_, let n):
                counts.requests += n
                counts.retries += max(0, n - 1)
            }
            if let contactId { wait.found[position] = contactId }
            wait.searching -= 1
            guard wait.searching == 0 else { return }
            wait.polling = false
            if !wait.resolved && wait.found.count == wait.positions.count {
                resolveConfirmationLocked(wait, note: nil)
            }
            monitor.broadcast()
        }
        submit(monitor.withLock { takeDispatchableLocked() })
    }

    func resolveConfirmationLocked(_ wait: ImportWait, note: String?) {
        guard !wait.resolved else { return }
        wait.resolved = true
        let chunk = wait.chunk
        for position in wait.positions {
            let id = wait.found[position]
            chunk.set(position, .accepted,
                      reason: Self.duplicatedRequestNote + (id == nil ? " " + (note ?? "") : ""),
                      contactId: id, acceptedBy: .duplicatedRequest)
            counts.acceptedByDuplicate += 1
        }
        chunk.pendingImports -= 1
        if chunk.isFinal { finalizeLocked(chunk) }
    }

    static var duplicatedRequestNote: String {
        "the server answered \"Duplicated request\": an identical request was applied before (most likely an earlier attempt whose answer was lost); its session is unknown"
    }
}
