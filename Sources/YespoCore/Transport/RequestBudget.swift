// The client's request budget: a token bucket (rate per second, burst = max(1, rate/10)) that
// smooths starts, plus a sliding window that makes "at most `rate` starts in any second" exact,
// since a bucket alone allows burst + rate starts inside one window. The engine asks how long to
// wait instead of sleeping, so waiting never blocks other work.

struct RequestBudget {
    /// One second plus a margin: the server measures starts on its own clock, later and with
    /// jitter (tens of ms on a loaded machine), so our window must be wider than its window. Costs
    /// at most ~9% of throughput, and only while the budget is what limits us.
    static let windowMicros: Int64 = 1_100_000
    /// Above this rate the sliding window's memory is not worth it; the bucket alone governs.
    static let maxWindowedRate = 100_000

    private(set) var rate: Int
    private var burst: Double
    private var tokens: Double
    private var refilledAt: Int64
    private var recentStarts: [Int64]
    private var oldest = 0

    init(rate: Int, now: Int64) {
        self.rate = 0
        burst = 1
        tokens = 1
        refilledAt = now
        recentStarts = []
        setRate(rate, now: now)
    }

    mutating func setRate(_ newRate: Int, now: Int64) {
        guard newRate != rate else { return }
        rate = max(0, newRate)
        burst = Double(max(1, rate / 10))
        tokens = burst
        refilledAt = now
        recentStarts = rate > 0 && rate <= Self.maxWindowedRate ? [Int64](repeating: Int64.min, count: rate) : []
        oldest = 0
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
            wait = max(wait, recentStarts[oldest] + Self.windowMicros - now)
        }
        return max(0, wait)
    }

    /// Records a start; call only when `delayUntilAllowed` returned 0.
    mutating func consume(now: Int64) {
        guard rate > 0 else { return }
        refill(now: now)
        tokens -= 1
        if !recentStarts.isEmpty {
            recentStarts[oldest] = now
            oldest = (oldest + 1) % recentStarts.count
        }
    }

    private mutating func refill(now: Int64) {
        let elapsed = Double(max(0, now - refilledAt))
        tokens = min(burst, tokens + elapsed * Double(rate) / 1_000_000)
        refilledAt = now
    }
}
