// What the engine thread shares with the threads that call the transport: a lock-protected inbox
// (the only way work reaches the engine), the wake-up handle, and the counters behind stats().

import CCurl
import Glibc
import Synchronization

struct Inbox: Sendable {
    var submissions: [Submission] = []
    var cancellations: [UInt64] = []
    var settings: ClientSettings? = nil
    var closing = false
}

/// curl's multi handle, shared only so other threads can call curl_multi_wakeup (thread-safe).
struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

final class TransportCounters: Sendable {
    let requests = Atomic<Int>(0)
    let retries = Atomic<Int>(0)
    let throttled = Atomic<Int>(0)
    let bytesSent = Atomic<Int>(0)
    let bytesReceived = Atomic<Int>(0)
    let connectionsOpened = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    let concurrency = Atomic<Int>(0)


    func snapshot() -> TransportStats {
        var s = TransportStats()
        s.requests = requests.load(ordering: .relaxed)
        s.retries = retries.load(ordering: .relaxed)
        s.throttled = throttled.load(ordering: .relaxed)
        s.bytesSent = bytesSent.load(ordering: .relaxed)
        s.bytesReceived = bytesReceived.load(ordering: .relaxed)
        s.connectionsOpened = connectionsOpened.load(ordering: .relaxed)
        s.inFlight = inFlight.load(ordering: .relaxed)
        s.concurrency = concurrency.load(ordering: .relaxed)
        return s
    }
}

final class EngineShared: Sendable {
    let inbox = Mutex(Inbox())
    let multi: MultiHandle
    let counters = TransportCounters()
    let nextTicket = Atomic<UInt64>(1)
    /// pthread_self() of the engine thread once it runs (0 before).
    let engineThreadID = Atomic<UInt>(0)
    /// close() was called on the engine thread itself: nobody joins it, so it detaches.
    let detachOnExit = Atomic<Bool>(false)

    init(multi: MultiHandle) { self.multi = multi }

    /// CPU time the engine thread has used so far, read from any thread (0 if unknown).
    var engineCPUMicros: Int {
        let id = engineThreadID.load(ordering: .acquiring)
        var clock = clockid_t()
        guard id != 0, pthread_getcpuclockid(id, &clock) == 0 else { return 0 }
        var ts = timespec()
        guard clock_gettime(clock, &ts) == 0 else { return 0 }
        return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
    }

    var isEngineThread: Bool {
        let id = engineThreadID.load(ordering: .acquiring)
        return id != 0 && pthread_equal(id, pthread_self()) != 0
    }

    /// Hands work to the engine. False when the transport is closing (nothing was queued).
    func post(_ change: (inout Inbox) -> Void) -> Bool {
        inbox.withLock { box in
            guard !box.closing else { return false }
            change(&box)
            // Under the lock: the engine frees the multi handle only after it saw `closing`.
            _ = curl_multi_wakeup(multi.pointer)
            return true
        }
    }
}
