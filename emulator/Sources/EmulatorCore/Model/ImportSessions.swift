// Asynchronous import sessions: accepted now, applied once their delay has passed (by the
// importer task, by any later request that looks, or by the admin flush), in the configured
// `importOrder` when several are due at once.
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
    /// Set by the registry when the session is added: the delay (with its jitter) starts then.
    var createdAt = ContinuousClock.now
    var readyAt = ContinuousClock.now
    var createdWall = 0.0
    var appliedWall: Double?
    /// 1 for the first session applied, 2 for the next…: shows the order importOrder produced.
    public internal(set) var appliedSeq: Int?
    /// A zero-delay session answers STARTED to its first poll (see `statusName`).
    var polled = false
    /// Set by the importError fault, or when a file could not be fetched: ends in ERROR.
    var failure: String?
    /// A file import whose CSV is still being downloaded cannot be applied yet.
    var awaitingFile = false
    public internal(set) var mapping: [(dedupeValue: String, contactId: Int64)] = []

    init(id: String, contactCount: Int, dedupeOn: DedupeOn, rows: [ContactInput], options: ImportOptions,
         failure: String? = nil) {
        self.id = id
        self.contactCount = contactCount
        self.dedupeOn = dedupeOn
        self.rows = rows
        self.options = options
        self.failure = failure
    }
}

public struct ImportRegistry: Sendable {
    public internal(set) var sessions: [String: ImportSession] = [:]
    public internal(set) var order: [String] = []
    /// Not yet applied, in arrival order.
    var pending: [String] = []
    var appliedCount = 0
    var jitterRandom: SeededRandom
    var orderRandom: SeededRandom

    /// Separate streams, so that turning jitter on does not change a shuffle's order.
    init(seed: UInt64) {
        jitterRandom = SeededRandom(seed: seed ^ 0x6A17_7E12)
        orderRandom = SeededRandom(seed: seed ^ 0x0BDE_12AB)
    }

    /// Registers a session; it becomes due `delayMs` plus a seeded random 0...`jitterMs` from now.
    mutating func add(_ session: ImportSession, delayMs: Int, jitterMs: Int,
                      now: ContinuousClock.Instant = .now, wall: Double = WallClock.now()) {
        var s = session
        let jitter = jitterMs > 0 ? Int(jitterRandom.next() % UInt64(jitterMs + 1)) : 0
        s.createdAt = now
        s.createdWall = wall
        s.readyAt = now + .milliseconds(delayMs + jitter)
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

    /// Pending sessions that may be applied now (every loaded one when `force`), in arrival order.
    func due(now: ContinuousClock.Instant, force: Bool) -> [String] {
        pending.filter { id in
            guard let s = sessions[id] else { return true }
            return !s.awaitingFile && (force || s.readyAt <= now)
        }
    }
}

/// Contacts and import sessions live together so an import applies atomically.
public struct EmulatorWorld: Sendable {
    public var store = ContactStore()
    public var imports: ImportRegistry
    public var orders = OrderStore()
    public var messages = MessageLog()

    public init(seed: UInt64 = 0) { imports = ImportRegistry(seed: seed) }

    /// Applies every due session (every loaded one when `force`), in `order`.
    mutating func applyDue(now: ContinuousClock.Instant, order: ImportOrder, force: Bool = false) {
        guard !imports.pending.isEmpty else { return }
        let due = imports.due(now: now, force: force)
        guard !due.isEmpty else { return }
        let done = Set(due)
        imports.pending.removeAll { done.contains($0) }
        for id in order.arrange(due, random: &imports.orderRandom) { apply(id) }
    }

    /// Applies one due session, chosen by `order`; false when none is due. The importer calls
    /// this in a loop so the lock is never held for more than one session.
    mutating func applyOneDue(now: ContinuousClock.Instant, order: ImportOrder) -> Bool {
        let due = imports.due(now: now, force: false)
        guard !due.isEmpty else { return false }
        let id = due[order.pick(among: due, random: &imports.orderRandom)]
        imports.pending.removeAll { $0 == id }
        apply(id)
        return true
    }

    private mutating func apply(_ id: String) {
        guard var s = imports.sessions[id] else { return }
        imports.appliedCount += 1
        defer {
            s.rows = []
            s.appliedWall = WallClock.now()
            s.appliedSeq = imports.appliedCount
            imports.sessions[id] = s
        }
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
