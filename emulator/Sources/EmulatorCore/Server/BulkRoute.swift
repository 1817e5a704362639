import Foundation

// POST /api/v1/contacts: validate everything now, answer with a session id and the rows that
// failed, and leave the import to the importer.
extension Emulator {
    static let maxBulkContacts = 3000

    func bulkImport(body: [UInt8], fault: inout FiredFault?) -> Reply {
        let doc: JSONValue
        do { doc = try JSONParser.parse(body) } catch { return .text(400, error.description) }
        guard doc.isObject else { return .text(400, "request body must be a JSON object, got \(doc.kindName)") }
        guard let items = doc["contacts"]?.arrayValue else {
            return .text(400, "'contacts' must be an array of 1 to \(Self.maxBulkContacts) contacts")
        }
        guard (1...Self.maxBulkContacts).contains(items.count) else {
            return .text(400, "'contacts' has \(items.count) contacts; 1 to \(Self.maxBulkContacts) are allowed")
        }
        stats.withLock { $0.contactsReceived += items.count }
        let options: ImportOptions
        switch ImportOptions.parse(doc) {
        case .success(let o): options = o
        case .failure(let e): return .error(e)
        }
        var rows: [ContactInput] = []
        rows.reserveCapacity(items.count)
        var failed: [FailedRow] = []
        for (i, item) in items.enumerated() {
            switch ContactValidation.parse(item) {
            case .failure(let f): failed.append(FailedRow(index: i, sent: item, error: f.reason, code: "INVALID_CONTACT"))
            case .success(let c):
                if let why = options.missingKeyReason(c) {
                    failed.append(FailedRow(index: i, sent: item, error: why, code: "MISSING_DEDUPE_KEY"))
                    continue
                }
                if let f = fault, f.rule.action == .badRequestRows, !f.rule.match.isEmpty,
                   let hit = c.channels.first(where: { f.rule.match.contains($0.value) }) {
                    countFault()
                    return .text(400, "Contact at index \(i) (\(hit.value)) was rejected: bad request (fault rule)")
                }
                if let action = fault?.rule.action, action == .rejectRows || action == .failedObject,
                   fault?.picks(c) == true {
                    failed.append(FailedRow(index: i, sent: item, error: "rejected by fault rule", code: "REJECTED"))
                    continue
                }
                rows.append(c)
            }
        }
        if let f = fault, [.rejectRows, .failedObject, .importError].contains(f.rule.action) {
            if f.rule.action != .rejectRows || failed.contains(where: { $0.code == "REJECTED" }) {
                countFault()
            }
        }
        let sessionId = UUIDText.make()
        let cfg = settings
        let session = ImportSession(
            id: sessionId, contactCount: rows.count, dedupeOn: options.dedupeOn, rows: rows, options: options,
            failure: fault?.rule.action == .importError ? "Import failed (injected fault)" : nil)
        world.withLock { $0.imports.add(session, delayMs: cfg.importDelayMs, jitterMs: cfg.importDelayJitterMs) }
        wakeImporter()

        var w = JSONWriter(capacity: 64 + failed.count * 200)
        w.raw("{\"asyncSessionId\":"); w.string(sessionId)
        if !failed.isEmpty {
            w.raw(",\"failedContacts\":")
            writeFailedRows(failed, itemKey: "contact", forceObject: fault?.rule.action == .failedObject, into: &w)
        }
        w.raw("}")
        var reply = Reply.json(w.bytes)
        reply.contacts = items.count
        return reply
    }
}
