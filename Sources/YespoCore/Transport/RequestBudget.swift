// The client's request budget: a token bucket (rate per second, burst = max(1, rate/10)) that
// smooths starts, plus a sliding window that makes "at most `rate` starts in any second" exact,
// since a bucket alone allows burst + rate starts inside one window. The engine asks how long to
// wait instead of sleeping, so waiting never blocks other work.
//
// The window counts what the server counts: a request's start is the moment curl sends it (the
// engine confirms each start when curl's pre-request callback fires; an attempt that never went
// out keeps the moment it was started), in a window of (now - 1 s, now] like the emulator's own
// count. What remains between the two clocks is the delivery of the request to the server's
// handler, which was measured: see `marginMicros`.

struct RequestBudget {
    /// Delivery to the server's handler, measured on loopback against the emulator's own count
    /// (300 requests at 50/s and at 20/s on the 2-core machine, load ≈ 2.5): counting starts when
    /// they were queued, a margin of 0 let 53–54 starts into one server second and 5 ms none;
    /// counting them when curl sends them, 0–2 ms let 51 in, 5 ms none. The margin costs 0.5%
    /// of throughput, and only while the budget is what limits it (it was 10%: a 1.1 s window).
    /// That is the starting margin. Delivery over the internet (or on a machine loaded with other
    /// work) varies more: each 429 the window's count did not prevent doubles the margin, up to
    /// `maxMarginMicros`, for the rest of the client's life (`widenMargin`).
    static let marginMicros: Int64 = 5_000
    static let maxMarginMicros: Int64 = 160_000
    private(set) var windowMicros: Int64 = 1_000_000 + marginMicros
    /// Above this rate the sliding window's memory is not worth it; the bucket alone governs.
    static let maxWindowedRate = 100_000

    /// A start recorded in the window: its slot and the slot's use, so a late confirmation of a
    /// slot already reused is ignored.
    struct Slot: Equatable {
        let index: Int
        let generation: UInt32
    }

    private(set) var rate: Int
    private var burst: Double
    private var tokens: Double
    private var refilledAt: Int64
    private var recentStarts: [Int64]
    /// Per slot: the start was not confirmed yet (the request is not on the wire yet).
    private var pending: [Bool]
    private var generations: [UInt32]
    private var oldest = 0
    private var lastConsumed: Slot?

    init(rate: Int, now: Int64) {
        self.rate = 0
        burst = 1
        tokens = 1
        refilledAt = now
        recentStarts = []
        pending = []
        generations = []
        setRate(rate, now: now)
    }

    mutating func setRate(_ newRate: Int, now: Int64) {
        guard newRate != rate else { return }
        rate = max(0, newRate)
        burst = Double(max(1, rate / 10))
        tokens = burst
        refilledAt = now
        let windowed = rate > 0 && rate <= Self.maxWindowedRate
        recentStarts = windowed ? [Int64](repeating: Int64.min, count: rate) : []
        pending = windowed ? [Bool](repeating: false, count: rate) : []
        generations = windowed ? [UInt32](repeating: 0, count: rate) : []
        oldest = 0
        lastConsumed = nil
    }

    /// Microseconds until one more start is allowed; 0 = now.
    mutating func delayUntilAllowed(now: Int64) -> Int64 {
        guard rate > 0 else { return 0 }
        refill(now: now)
        var wait: Int64 = 0
        if tokens < 1 {
            wait = Int64(((1 - tokens) * 1_000_000 / Double(rate)).rounded(.up))
        }
        if !recentStarts.isEmpty, recentStarts[oldest] != Int64.min {
            wait = max(wait, recentStarts[oldest] + windowMicros - now)
            // Its window would end, but it has not gone out yet: its real start is still to come.
            if wait <= 0 && pending[oldest] { wait = 1_000 }
        }
        return max(0, wait)
    }

    /// A 429 came although the window held: the server's second saw more starts than ours, so
    /// its clock and ours differ by more than the margin. Returns the new margin (µs).
    @discardableResult
    mutating func widenMargin() -> Int64 {
        let margin = min(Self.maxMarginMicros, (windowMicros - 1_000_000) * 2)
        windowMicros = 1_000_000 + margin
        return margin
    }

    /// Records a start; call only when `delayUntilAllowed` returned 0.
    mutating func consume(now: Int64) {
        guard rate > 0 else { return }
        refill(now: now)
        tokens -= 1
        if !recentStarts.isEmpty {
            recentStarts[oldest] = now
            pending[oldest] = false
            generations[oldest] &+= 1
            lastConsumed = Slot(index: oldest, generation: generations[oldest])
            oldest = (oldest + 1) % recentStarts.count
        } else {
            lastConsumed = nil
        }
    }

    /// The slot of the start recorded by the last `consume`, once (nil when none is windowed).
    /// The taker promises to `confirm` or `settle` it: until then the start counts as not out yet.
    mutating func takeLastConsumed() -> Slot? {
        defer { lastConsumed = nil }
        if let slot = lastConsumed { pending[slot.index] = true }
        return lastConsumed
    }

    /// The request of `slot` went out at `sentAt`: that is its start, as the server sees it.
    mutating func confirm(_ slot: Slot, sentAt: Int64) {
        guard slot.index < generations.count, generations[slot.index] == slot.generation else { return }
        recentStarts[slot.index] = max(recentStarts[slot.index], sentAt)
        pending[slot.index] = false
    }

    /// The attempt of `slot` ended without going out (or its send was confirmed): it keeps the
    /// moment it was recorded.
    mutating func settle(_ slot: Slot) {
        guard slot.index < generations.count, generations[slot.index] == slot.generation else { return }
        pending[slot.index] = false
    }

    private mutating func refill(now: Int64) {
        let elapsed = Double(max(0, now - refilledAt))
        tokens = min(burst, tokens + elapsed * Double(rate) / 1_000_000)
        refilledAt = now
    }
}
