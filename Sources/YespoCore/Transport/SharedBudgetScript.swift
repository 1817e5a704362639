// The shared budget's one Redis script, and the lease call that runs it.
//
// The budget is a schedule of start slots on Redis's clock, spaced `interval` µs apart for every
// process together (GCRA without burst credit: the theoretical arrival time `tat` is the next free
// slot). A lease takes up to `want` slots that lie within `horizon` of now, so a process holds only
// a few future slots and never a stock it could burst with. Spacing is W/rate with W a little over
// one second: a start may come up to `SharedBudget.latenessMicros` after its slot and reach the
// server with some jitter, and then still no sliding second sees more than `rate` starts — the
// way the emulator (and its peakBulkRequestsPerSecond) counts. One atomic script: no race between
// processes, no clock of any host involved (TIME), and the key expires a minute after its last slot.

enum SharedBudgetScript {
    static let source = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local interval = tonumber(ARGV[1])
    local want = tonumber(ARGV[2])
    local horizon = tonumber(ARGV[3])
    local tat = tonumber(redis.call('GET', KEYS[1])) or 0
    if tat < now then tat = now end
    local out = {now, 0}
    local n = 0
    while n < want and tat <= now + horizon do
      out[#out + 1] = tat
      tat = tat + interval
      n = n + 1
    end
    if n > 0 then
      redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 60000)
    end
    out[2] = tat
    return out
    """

    /// What one lease got, in Redis microseconds.
    struct Lease {
        var redisNow: Int64
        /// The next free slot after this lease (when nothing was granted: when to ask again,
        /// less the horizon).
        var nextFree: Int64
        var slots: [Int64]
    }

    /// Loads the script; returns its SHA1 for EVALSHA.
    static func load(_ c: RESPConnection) throws(RedisFailure) -> String {
        switch try c.command(["SCRIPT", "LOAD", source]) {
        case .bulk(let sha?): return String(decoding: sha, as: UTF8.self)
        case .error(let e): throw RedisFailure("SCRIPT LOAD failed: \(e)")
        default: throw RedisFailure("SCRIPT LOAD gave an unexpected answer")
        }
    }

    static func lease(_ c: RESPConnection, sha: String, key: String, intervalMicros: Int64, want: Int,
                      horizonMicros: Int64) throws(RedisFailure) -> Lease {
        let reply = try c.command(["EVALSHA", sha, "1", key, String(intervalMicros), String(want), String(horizonMicros)])
        switch reply {
        case .array(let items?):
            var numbers: [Int64] = []
            for item in items {
                guard case .integer(let n) = item else { throw RedisFailure("the budget script gave a non-integer") }
                numbers.append(n)
            }
            guard numbers.count >= 2 else { throw RedisFailure("the budget script gave a short answer") }
            return Lease(redisNow: numbers[0], nextFree: numbers[1], slots: Array(numbers.dropFirst(2)))
        case .error(let e):
            throw RedisFailure(e.hasPrefix("NOSCRIPT") ? "NOSCRIPT" : "the budget script failed: \(e)")
        default:
            throw RedisFailure("the budget script gave an unexpected answer")
        }
    }
}
