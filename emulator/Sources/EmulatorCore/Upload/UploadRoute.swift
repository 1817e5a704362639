// POST /api/v1/contacts/upload: answers at once with a session id; the file is fetched and
// parsed in the background, then imported like a bulk request (source "fileImport"). A file
// that cannot be fetched or read ends the session in ERROR with the reason.
extension Emulator {
    func upload(_ body: [UInt8], fault: FiredFault?) async -> Reply {
        let doc: JSONValue
        switch parseBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        guard doc.isObject, let link = doc["link"]?.stringValue, !link.isEmpty else {
            return .text(400, "'link' (the URL of the CSV file) is required")
        }
        let target: HTTPFileFetcher.Target
        switch HTTPFileFetcher.target(link) {
        case .success(let t): target = t
        case .failure(let e): return .text(400, "link: \(e.description)")
        }
        var options: ImportOptions
        switch ImportOptions.parse(doc) {
        case .success(let o): options = o
        case .failure(let e): return .error(e)
        }
        options.source = .fileImport
        let sessionId = UUIDText.make()
        var session = ImportSession(id: sessionId, contactCount: 0, dedupeOn: options.dedupeOn, rows: [], options: options)
        session.awaitingFile = true
        if fault?.rule.action == .importError {
            countFault()
            session.failure = "Import failed (injected fault)"
        }
        let cfg = settings
        world.withLock { $0.imports.add(session, delayMs: cfg.importDelayMs, jitterMs: cfg.importDelayJitterMs) }
        Task.detached { await self.loadFile(sessionId: sessionId, target: target, options: options) }
        return .json(.object([("asyncSessionId", .string(sessionId))]))
    }

    private func loadFile(sessionId: String, target: HTTPFileFetcher.Target, options: ImportOptions) async {
        let outcome: Result<CSVContacts.Parsed, ValidationFailure>
        switch await HTTPFileFetcher().fetch(target) {
        case .failure(let e): outcome = .failure(.init("could not download the file: \(e.description)"))
        case .success(let bytes): outcome = CSVContacts.parse(bytes, options: options)
        }
        world.withLock { w in
            guard var s = w.imports.sessions[sessionId] else { return }
            s.awaitingFile = false
            switch outcome {
            case .success(let parsed):
                s.rows = parsed.rows
                s.contactCount = parsed.rows.count
            case .failure(let f):
                if s.failure == nil { s.failure = f.reason }
            }
            w.imports.sessions[sessionId] = s
        }
        wakeImporter()
    }
}
