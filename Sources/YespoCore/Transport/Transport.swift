// The transport's public face: thread-safe submission, cancellation, blocking calls and stats over
// the engine thread (Engine.swift) that does all the work. See docs/contracts.md §4.

import CCurl
import Glibc
import Synchronization

public final class Transport: Sendable {
    /// Largest answer read into memory; a larger one fails with `.protocol` instead of growing without end.
    public static let maxResponseBytes = 16 << 20

    private let shared: EngineShared
    private let log: LogSink
    private let thread: Mutex<pthread_t?>
    private let closeStarted = Atomic<Bool>(false)
    /// The shared budget in Redis, when one is set (SharedBudget.swift).
    let sharedBudgets = SharedBudgetHolder()

    public init(settings: ClientSettings, log: LogSink) throws(YespoError) {
        let s = try settings.validated()
        try ProcessInit.ensure()
        let link = s.sharedBudget.isEnabled ? try SharedBudget(settings: s, log: log) : nil
        guard let multi = curl_multi_init() else {
            link?.stop()
            throw YespoError(.noMemory, "could not create a curl multi handle")
        }
        shared = EngineShared(multi: MultiHandle(pointer: multi))
        self.log = log
        _ = sharedBudgets.swap(link)
        link?.setWake { [shared] in shared.wake() }
        let engine = Engine(shared: shared, settings: s, log: log, seed: UInt64(truncatingIfNeeded: monotonicMicros()),
                            sharedBudgets: sharedBudgets)
        let box = Unmanaged.passRetained(engine).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            guard let arg else { return nil }
            let engine = Unmanaged<Engine>.fromOpaque(arg).takeRetainedValue()
            engine.run()
            if engine.shared.detachOnExit.load(ordering: .acquiring) { pthread_detach(pthread_self()) }
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Engine>.fromOpaque(box).release()
            sharedBudgets.swap(nil)?.stop()
            _ = curl_multi_cleanup(multi)
            throw YespoError(.internal, "could not start the engine thread (error \(rc))")
        }
        thread = Mutex(tid)
    }

    /// Concurrency, rate, timeouts (and key or URL) for requests started from now on.
    public func update(settings: ClientSettings) {
        guard let s = try? settings.validated() else {
            log.log(.error, "transport settings update ignored: the settings are not valid")
            return
        }
        _ = shared.post { $0.settings = s }
    }

    /// Connects the shared budget these settings ask for (or drops it), before update(settings:)
    /// hands them to the engine. Unchanged settings keep the current link; unreachable Redis
    /// throws unless its start fallback is local.
    public func configureSharedBudget(_ settings: ClientSettings) throws(YespoError) {
        let s = try settings.validated()
        let wanted = s.sharedBudget.isEnabled ? try SharedBudget.Config(settings: s) : nil
        guard wanted != sharedBudgets.link?.config else { return }
        let link = wanted == nil ? nil : try SharedBudget(settings: s, log: log)
        link?.setWake { [shared] in shared.wake() }
        sharedBudgets.swap(link)?.stop()
    }

    /// Queues a request; `completion` runs on the engine thread exactly once (on the calling thread
    /// when the transport is already closed).
    @discardableResult
    public func submit(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPOutcome) -> Void) -> RequestTicket {
        let id = shared.nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
        let queued = shared.post { $0.submissions.append(Submission(id: id, request: request, completion: completion)) }
        if !queued {
            completion(.failure(YespoError(.cancelled, "the client is closed"), attempts: 0))
        }
        return RequestTicket(id: id)
    }

    /// Ends the request with `.failure(.cancelled)` unless it already ended.
    public func cancel(_ ticket: RequestTicket) {
        _ = shared.post { $0.cancellations.append(ticket.id) }
    }

    /// Sends and waits. Not allowed on the engine thread (from a completion or log handler): that
    /// would wait for itself, so it fails with `.state` instead.
    public func perform(_ request: HTTPRequest) -> HTTPOutcome {
        if shared.isEngineThread {
            return .failure(YespoError(.state, "perform() called from the transport's own thread (a callback)"), attempts: 0)
        }
        let result = OneShot<HTTPOutcome>()
        submit(request) { result.fulfil($0) }
        return result.wait()
    }

    public func stats() -> TransportStats { shared.counters.snapshot() }

    /// CPU microseconds the engine thread used so far (for measuring its cost per request).
    public var engineCPUMicros: Int { shared.engineCPUMicros }

    /// Cancels everything (each completion runs with `.cancelled`), stops the engine thread and
    /// frees curl. Idempotent. From a completion handler it only starts the shutdown.
    public func close() {
        guard !closeStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let onEngine = shared.isEngineThread
        if onEngine { shared.detachOnExit.store(true, ordering: .releasing) }
        shared.inbox.withLock { box in
            box.closing = true
            _ = curl_multi_wakeup(shared.multi.pointer)
        }
        guard !onEngine, let tid = thread.withLock({ t -> pthread_t? in let v = t; t = nil; return v }) else {
            sharedBudgets.swap(nil)?.stop()
            return
        }
        pthread_join(tid, nil)
        sharedBudgets.swap(nil)?.stop()
    }
}
