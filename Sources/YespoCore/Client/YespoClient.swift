// The engine's front door: one client owns one transport (a curl multi handle and its engine
// thread), hands out bulk upsert jobs that share it, and makes the single API calls
// (YespoClient+Contacts/Imports/Segments.swift). Safe to use from many threads at once.
import Synchronization

public final class YespoClient: Sendable {
    let transport: Transport
    let log: LogSink
    private let state: Mutex<ClientState>

    private struct ClientState {
        var settings: ClientSettings
        var closed = false
        var jobs: [WeakJob] = []
    }

    private struct WeakJob: @unchecked Sendable {
        weak var core: JobCore?
    }

    public init(settings: ClientSettings) throws(YespoError) {
        let valid = try settings.validated()
        let log = LogSink()
        log.setSecret(valid.apiKey)
        self.log = log
        self.transport = try Transport(settings: valid, log: log)
        self.state = Mutex(ClientState(settings: valid))
    }

    public var settings: ClientSettings { state.withLock { $0.settings } }

    /// Changes settings for requests and jobs started afterwards; rejects invalid values whole.
    public func configure(_ change: (inout ClientSettings) -> Void) throws(YespoError) {
        var proposed = settings
        change(&proposed)
        let valid = try proposed.validated()
        // Redis first: settings that cannot reach their shared budget are not taken at all.
        if isClosed { throw Self.closedError }
        try transport.configureSharedBudget(valid)
        let closed = state.withLock { s -> Bool in
            if !s.closed { s.settings = valid }
            return s.closed
        }
        if closed { throw Self.closedError }
        log.setSecret(valid.apiKey)
        transport.update(settings: valid)
    }

    public func setLogHandler(maxLevel: LogLevel, _ handler: (@Sendable (LogLevel, String) -> Void)?) {
        log.setHandler(maxLevel: maxLevel, handler)
    }

    public func stats() -> ClientStats { ClientStats(transport.stats()) }

    /// Cancels every job, stops the engine thread, closes connections. Idempotent.
    public func close() {
        let jobs = state.withLock { s -> [JobCore] in
            guard !s.closed else { return [] }
            s.closed = true
            let live = s.jobs.compactMap(\.core)
            s.jobs = []
            return live
        }
        for job in jobs { job.cancel() }
        transport.close()
    }

    public func beginUpsert(_ options: UpsertOptions) throws(YespoError) -> UpsertJob {
        let options = try options.validated()
        let settings = try state.withLock { s throws(YespoError) -> ClientSettings in
            guard !s.closed else { throw Self.closedError }
            s.jobs.removeAll { $0.core == nil }
            return s.settings
        }
        // Events go to the v2 API: its base is resolved (or refused) before the job starts.
        let v2Base = options.kind.usesV2 ? try settings.v2BaseURL() : nil
        let core = JobCore(options: options, settings: settings, transport: transport, log: log, requestBaseURL: v2Base)
        try core.startCallbackThread()
        state.withLock { $0.jobs.append(WeakJob(core: core)) }
        return UpsertJob(core: core)
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    static let closedError = YespoError(.state, "the client is closed")
}
