// Ctrl-C (SIGINT) and SIGTERM during an upsert: the first one cancels the job so it stops
// cleanly — outcomes journaled, report written, exit 130; a second one quits at once.
// The signals are blocked in every thread (the mask is inherited by the engine thread, which is
// why `blockSignals` must run before the client exists) and taken by one thread with sigwait,
// so no Swift code ever runs inside a signal handler.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
import YespoCore

final class InterruptWatcher: Sendable {
    private let job = Mutex<UpsertJob?>(nil)
    private let signals = Atomic<Int>(0)
    private let onFirst: @Sendable () -> Void

    init(onFirst: @escaping @Sendable () -> Void) {
        self.onFirst = onFirst
    }

    var interrupted: Bool { signals.load(ordering: .acquiring) > 0 }

    static func blockSignals() {
        var set = Self.watchedSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    private static func watchedSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }

    func attach(_ job: UpsertJob) {
        self.job.withLock { $0 = job }
        // A signal that arrived before the job existed still has to stop it.
        if interrupted { job.cancel() }
    }

    /// Starts the waiting thread; it lives until the process exits.
    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let watcher = Unmanaged<InterruptWatcher>.fromOpaque(raw).takeRetainedValue()
            watcher.waitForever()
            return nil
        }, context)
        if rc == 0 { pthread_detach(thread) } else { Unmanaged<InterruptWatcher>.fromOpaque(context).release() }
    }

    private func waitForever() {
        var set = Self.watchedSet()
        while true {
            var sig: Int32 = 0
            guard sigwait(&set, &sig) == 0 else { continue }
            let count = signals.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
            if count >= 2 {
                Terminal.err("\nyespo: interrupted again; quitting without waiting\n")
                _exit(ExitStatus.interrupted)
            }
            let current = job.withLock { $0 }
            onFirst()
            current?.cancel()
        }
    }
}
