// Where the shared budget plugs into the engine. A start budget answers "how long until the next
// start?" and records a start: the local token bucket (RequestBudget) is one, the shared budget's
// gate another. Bulk requests go through the gate when a shared budget is set; every other
// request keeps the local budget (Yespo's bulk limit counts only POST /contacts).

import CCurl
import Synchronization

protocol StartBudget {
    /// Microseconds until one more start is allowed; 0 = now.
    mutating func delayUntilAllowed(now: Int64) -> Int64
    /// Records a start; call only when `delayUntilAllowed` returned 0.
    mutating func consume(now: Int64)
}

extension RequestBudget: StartBudget {}

/// The engine thread's view of a shared budget: slots leased from Redis, or, while Redis is lost,
/// a local bucket at rate ÷ expected processes.
struct SharedBudgetGate: StartBudget {
    let link: SharedBudget
    private var fallback: RequestBudget
    /// Bulk requests that could start now but for the budget (set by the engine before asking).
    var ready = 0
    private var demandPublished = false
    private var wasOnFallback = false

    init(link: SharedBudget, now: Int64) {
        self.link = link
        fallback = RequestBudget(rate: link.config.localRate, now: now)
    }

    mutating func delayUntilAllowed(now: Int64) -> Int64 {
        demandPublished = true
        if let wait = link.slotDelay(now: now, ready: max(1, ready)) {
            wasOnFallback = false
            return wait
        }
        if !wasOnFallback {
            // Just lost Redis: other processes' slots of the last second are unknown, so the
            // fallback starts one of its own intervals from now, not with a full bucket.
            wasOnFallback = true
            fallback = RequestBudget(rate: link.config.localRate, now: now)
            fallback.consume(now: now)
        }
        return fallback.delayUntilAllowed(now: now)
    }

    mutating func consume(now: Int64) {
        if !link.takeSlot(now: now) { fallback.consume(now: now) }
    }

    /// Nothing is waiting to be sent: the lease thread stops asking for slots.
    mutating func idle() {
        guard demandPublished else { return }
        demandPublished = false
        link.clearDemand()
    }
}

/// The transport's current shared budget, swapped by configure() and read by the engine when it
/// applies new settings.
final class SharedBudgetHolder: Sendable {
    private let current = Mutex<SharedBudget?>(nil)

    var link: SharedBudget? { current.withLock { $0 } }

    /// Installs `new` (nil = none) and returns the one it replaces (the caller stops it).
    func swap(_ new: SharedBudget?) -> SharedBudget? {
        current.withLock { c in
            let old = c
            c = new
            return old
        }
    }
}

extension EngineShared {
    /// Wakes the engine from curl_multi_poll (from any thread); nothing once it is closing.
    func wake() {
        inbox.withLock { box in
            if !box.closing { _ = curl_multi_wakeup(multi.pointer) }
        }
    }
}
