// How many bulk requests may be in flight now. A 429 halves it (once per round: answers to requests
// that were already on the wire when we cut do not cut again); a streak of successes as long as the
// current limit grows it back by one, up to the configured concurrency.

struct AdaptiveConcurrency {
    private(set) var limit: Int
    private(set) var current: Int
    var enabled: Bool
    private var streak = 0
    private var lastCutAt: Int64 = Int64.min

    init(limit: Int, enabled: Bool) {
        self.limit = max(1, limit)
        self.current = self.limit
        self.enabled = enabled
    }

    mutating func setLimit(_ newLimit: Int, enabled: Bool) {
        self.enabled = enabled
        limit = max(1, newLimit)
        // Never cut (or cutting turned off): take the new setting as it is; else stay cautious.
        current = (!enabled || lastCutAt == Int64.min) ? limit : min(current, limit)
    }

    /// A 429 answered an attempt that started at `attemptStartedAt`.
    mutating func throttled(attemptStartedAt: Int64, now: Int64) {
        guard enabled, attemptStartedAt >= lastCutAt else { return }
        current = max(1, current / 2)
        streak = 0
        lastCutAt = now
    }

    mutating func succeeded() {
        guard enabled, current < limit else { return }
        streak += 1
        if streak >= max(4, current) {
            current += 1
            streak = 0
        }
    }
}
