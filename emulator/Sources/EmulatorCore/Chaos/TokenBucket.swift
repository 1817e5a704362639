// Rate limits per route class: a token bucket refilled at `rate` per second with a burst of
// `rate`. A rate of 0 means unlimited.
struct TokenBucket: Sendable {
    private(set) var rate: Int
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(rate: Int, now: ContinuousClock.Instant = .now) {
        self.rate = rate
        self.tokens = Double(rate)
        self.last = now
    }

    mutating func setRate(_ r: Int, now: ContinuousClock.Instant = .now) {
        guard r != rate else { return }
        self = TokenBucket(rate: r, now: now)
    }

    mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        guard rate > 0 else { return true }
        let elapsed = now - last
        last = now
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(Double(rate), tokens + secs * Double(rate))
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

struct RateLimits: Sendable {
    var bulk: TokenBucket
    var other: TokenBucket

    init(_ s: EmulatorSettings) {
        bulk = TokenBucket(rate: s.rateLimitBulk)
        other = TokenBucket(rate: s.rateLimitOther)
    }

    mutating func apply(_ s: EmulatorSettings) {
        bulk.setRate(s.rateLimitBulk)
        other.setRate(s.rateLimitOther)
    }
}
