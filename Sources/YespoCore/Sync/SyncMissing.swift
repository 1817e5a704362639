// Contacts whose keys vanished from the source. Found by merging the run's sorted keys with the
// state read in key order (memory: 8 bytes a source row, only when asked), checked against the
// safety cap (a truncated export must not wipe the account), then acted on by Yespo contact id —
// the state holds no email or external id to act on. A contact acted on leaves the state; one that
// fails stays and is tried again next run.

public struct MissingSummary: Sendable {
    /// Keys in the state that no valid source row named.
    public var count = 0
    /// Of those, how many have no Yespo contact id in the state (synced without waiting for the
    /// import): they cannot be acted on.
    public var withoutContactId = 0
    public var action: MissingAction?
    /// The cap in contacts for this run (from maxDeletes and the state's size before the run).
    public var limit = 0
    public var acted = 0
    public var failed = 0
    /// Why nothing was done: the cap (exit 2 in the CLI).
    public var refused: String?
    /// Why nothing was done although the cap allowed it (invalid rows, an incomplete run).
    public var skipped: String?
    public var failures: [String] = []
}

extension SyncJob {
    /// Entries of the state whose key is not in `seen` (sorted): their count, and the first
    /// `keep` of them with their contact ids.
    func missingEntries(seen: [Int64], store: StateConnection, keep: Int) throws(YespoError) -> (count: Int, withoutId: Int, entries: [(Int64, Int64?)]) {
        var i = 0
        var count = 0
        var withoutId = 0
        var entries: [(Int64, Int64?)] = []
        try store.scan { key, id in
            while i < seen.count && seen[i] < key { i += 1 }
            if i < seen.count && seen[i] == key { return }
            count += 1
            if id == nil { withoutId += 1 }
            if entries.count < keep { entries.append((key, id)) }
        }
        return (count, withoutId, entries)
    }

    func handleMissing(complete: Bool, invalidRows: Int) -> MissingSummary? {
        guard collectSeen else { return nil }
        var summary = MissingSummary()
        summary.action = options.missing
        summary.limit = options.maxDeletes.limit(total: entriesBefore)
        guard complete else {
            summary.skipped = "the run did not complete, so no contact counts as missing"
            return summary
        }
        var seen = feed.seen
        feed.seen = []
        seen.sort()
        let store: StateConnection = writer ?? reader
        let found: (count: Int, withoutId: Int, entries: [(Int64, Int64?)])
        do {
            found = try missingEntries(seen: seen, store: store, keep: summary.limit + 1)
        } catch {
            summary.skipped = "cannot read the state: \(error.message)"
            return summary
        }
        seen = []
        summary.count = found.count
        summary.withoutContactId = found.withoutId
        guard found.count > 0, let action = options.missing else { return summary }
        if found.count > summary.limit {
            let base = entriesBefore
            summary.refused = (options.dryRun ? "would refuse" : "refusing")
                + " to \(action.verb) \(found.count) missing contacts of the \(base) in the state: more than --max-deletes \(options.maxDeletes.text)"
                + " (\(summary.limit)). Is the source truncated? Nothing was \(action.pastTense)."
                + " If this is intended, raise --max-deletes."
            return summary
        }
        if invalidRows > 0 && !options.allowInvalid {
            summary.skipped = "\(invalidRows) source rows are invalid and an invalid row's contact looks missing: nothing was \(action.pastTense)"
                + " (fix the rows, or pass --allow-invalid)"
            return summary
        }
        guard !options.dryRun, let writer else { return summary }
        let actionable = found.entries.compactMap { e in e.1.map { (key: e.0, id: $0) } }
        let done = act(action, on: actionable, summary: &summary)
        do { try writer.remove(done) } catch { summary.failures.append("the state could not forget \(done.count) contacts: \(error.message)") }
        return summary
    }

    /// Acts on each contact; returns the keys done (or already gone in Yespo).
    private func act(_ action: MissingAction, on targets: [(key: Int64, id: Int64)], summary: inout MissingSummary) -> [Int64] {
        var done: [Int64] = []
        func failed(_ id: Int64, _ error: YespoError) {
            summary.failed += 1
            if summary.failures.count < 100 { summary.failures.append("contact \(id): \(redactor.redact(error.message))") }
        }
        switch action {
        case .delete:
            for t in targets {
                if cancelled.load(ordering: .relaxed) { break }
                do {
                    try client.deleteContact(id: t.id)
                    done.append(t.key)
                } catch where error.code == .notFound {
                    done.append(t.key)
                } catch {
                    failed(t.id, error)
                    if error.code == .auth { break }
                }
            }
        case .detach(let segment):
            guard !targets.isEmpty else { break }
            do {
                let groupId = try segmentId(named: segment)
                let ids = targets.map { String($0.id) }.joined(separator: ",")
                try client.detachFromSegment(groupId: groupId, "{\"contactIds\":[\(ids)]}")
                done = targets.map(\.key)
            } catch {
                summary.failed += targets.count
                summary.failures.append("detach from \(segment): \(redactor.redact(error.message))")
            }
        case .unsubscribe:
            var emails: [String] = []
            var keys: [Int64] = []
            for t in targets {
                if cancelled.load(ordering: .relaxed) { break }
                do {
                    let contact = try JSONValue.parse(try client.getContact(id: t.id))
                    for channel in contact["channels"]?.array ?? [] where channel["type"]?.string == "email" {
                        if let value = channel["value"]?.string { emails.append(value) }
                    }
                    keys.append(t.key)
                } catch let error as YespoError where error.code == .notFound {
                    done.append(t.key)
                } catch let error as YespoError {
                    failed(t.id, error)
                } catch {
                    failed(t.id, YespoError(.protocol, "GET /contact/\(t.id): \(error)"))
                }
            }
            if emails.isEmpty {
                done.append(contentsOf: keys)
            } else {
                do {
                    var list = JSONOutput(capacity: emails.count * 32)
                    list.raw("[")
                    for (i, e) in emails.enumerated() { if i > 0 { list.raw(",") }; list.string(e) }
                    list.raw("]")
                    try client.setUnsubscribed(list.text, unsubscribe: true)
                    done.append(contentsOf: keys)
                } catch {
                    summary.failed += keys.count
                    summary.failures.append("unsubscribe: \(redactor.redact(error.message))")
                }
            }
        }
        summary.acted = done.count
        return done
    }

    private func segmentId(named name: String) throws(YespoError) -> Int64 {
        var query = JSONOutput(capacity: 64)
        query.raw("{"); query.key("name"); query.string(name); query.raw("}")
        let text = try client.listSegments(query.text)
        let list: JSONValue
        do { list = try JSONValue.parse(text) } catch { throw YespoError(.protocol, "GET /groups: \(error)") }
        for group in list.array ?? [] where group["name"]?.string == name {
            if let id = group["id"]?.int { return Int64(id) }
        }
        throw YespoError(.notFound, "no segment named \"\(name)\"")
    }
}

extension MissingAction {
    var verb: String {
        switch self {
        case .delete: return "delete"
        case .detach(let s): return "detach from \"\(s)\""
        case .unsubscribe: return "unsubscribe"
        }
    }

    var pastTense: String {
        switch self {
        case .delete: return "deleted"
        case .detach: return "detached"
        case .unsubscribe: return "unsubscribed"
        }
    }
}
