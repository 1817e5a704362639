// Asynchronous import sessions: accepted now, applied once their delay has passed (by the
// importer task, by any later request that looks, or by the admin flush).
public enum ImportState: Sendable, Equatable {
    case pending, finished, error(String)

    public var name: String {
        switch self {
        case .pending: return "IMPORTING"
        case .finished: return "FINISHED"
        case .error: return "ERROR"
        }
    }
}

public struct ImportSession: Sendable {
    public let id: String
    public internal(set) var state: ImportState = .pending
    public internal(set) var contactCount: Int
    public let dedupeOn: DedupeOn
    var rows: [ContactInput]
    var options: ImportOptions
    var readyAt: ContinuousClock.Instant
    /// Set by the importError fault, or when a file could not be fetched: ends in ERROR.
    var failure: String?
    /// A file import whose CSV is still being downloaded cannot be applied yet.
    var awaitingFile = false
    public internal(set) var mapping: [(dedupeValue: String, contactId: Int64)] = []
}

public struct ImportRegistry: Sendable {
    public internal(set) var sessions: [String: ImportSession] = [:]
    public internal(set) var order: [String] = []
    var pending: [String] = []

    mutating func add(_ s: ImportSession) {
        sessions[s.id] = s
        order.append(s.id)
        pending.append(s.id)
    }

    public var counts: (pending: Int, finished: Int, error: Int) {
        var p = 0, f = 0, e = 0
        for s in sessions.values {
            switch s.state {
            case .pending: p += 1
            case .finished: f += 1
            case .error: e += 1
            }
        }
        return (p, f, e)
    }

    /// The earliest moment a pending session becomes due (nil: nothing can be applied).
    var nextDue: ContinuousClock.Instant? {
        pending.compactMap { sessions[$0] }.filter { !$0.awaitingFile }.map(\.readyAt).min()
    }
}

/// Contacts and import sessions live together so an import applies atomically.
public struct EmulatorWorld: Sendable {
    public var store = ContactStore()
    public var imports = ImportRegistry()

    public init() {}

    /// Applies, in arrival order, every pending session that is due (all of them when `force`).
    mutating func applyDue(now: ContinuousClock.Instant, force: Bool = false) {
        guard !imports.pending.isEmpty else { return }
        var still: [String] = []
        for id in imports.pending {
            guard var s = imports.sessions[id] else { continue }
            if s.awaitingFile || (!force && s.readyAt > now) { still.append(id); continue }
            apply(&s)
            imports.sessions[id] = s
        }
        imports.pending = still
    }

    /// Applies the first due session only; false when none is due. The importer calls this
    /// in a loop so the lock is never held for more than one session.
    mutating func applyOneDue(now: ContinuousClock.Instant) -> Bool {
        guard let i = imports.pending.firstIndex(where: { id in
            imports.sessions[id].map { !$0.awaitingFile && $0.readyAt <= now } ?? true
        }) else { return false }
        let id = imports.pending.remove(at: i)
        guard var s = imports.sessions[id] else { return true }
        apply(&s)
        imports.sessions[id] = s
        return true
    }

    private mutating func apply(_ s: inout ImportSession) {
        defer { s.rows = [] }
        if let failure = s.failure {
            s.state = .error(failure)
            return
        }
        if s.options.dedupeOn == .fieldId, let fid = s.options.fieldId { store.ensureFieldIndex(fid) }
        var mapping: [(dedupeValue: String, contactId: Int64)] = []
        mapping.reserveCapacity(s.rows.count)
        for row in s.rows {
            guard case .success(let id) = store.importRow(row, s.options) else { continue }
            let value = s.options.dedupeValue(row) ?? row.externalCustomerId ?? String(id)
            mapping.append((value, id))
        }
        s.mapping = mapping
        s.state = .finished
    }
}
