// GET /api/v1/importstatus/{id}: the session's status, `timestamps`, and `mapping` (FINISHED)
// or `description` (ERROR). Due sessions are applied first, so FINISHED is exact.
extension Emulator {
    func importStatus(_ id: String) -> Reply {
        let order = settings.importOrder
        return world.withLock { w -> Reply in
            let now = ContinuousClock.now
            guard let before = w.imports.sessions[id] else { return .text(404, "Import session '\(id)' not found") }
            // Applying first would hide STARTED from a zero-delay session's first poll.
            if !before.isUnpolledZeroDelay { w.applyDue(now: now, order: order) }
            guard let s = w.imports.sessions[id] else { return .text(404, "Import session '\(id)' not found") }
            w.imports.sessions[id]?.polled = true
            return .json(Self.statusJSON(s, now: now))
        }
    }

    static func statusJSON(_ s: ImportSession, now: ContinuousClock.Instant) -> [UInt8] {
        var out = JSONWriter(capacity: 160 + s.mapping.count * 48)
        out.raw("{\"status\":"); out.string(s.statusName(now: now))
        switch s.state {
        case .pending: break
        case .error(let why): out.raw(",\"description\":"); out.string(why)
        case .finished:
            out.raw(",\"mapping\":[")
            for (n, m) in s.mapping.enumerated() {
                if n > 0 { out.raw(",") }
                out.raw("{\"dedupeValue\":"); out.string(m.dedupeValue)
                out.raw(",\"contactId\":"); out.int(m.contactId)
                out.raw("}")
            }
            out.raw("]")
        }
        out.raw(",\"timestamps\":{")
        for (n, (k, v)) in s.timestamps(now: now).enumerated() {
            if n > 0 { out.raw(",") }
            out.key(k); out.string(v)
        }
        out.raw("}}")
        return out.bytes
    }
}
