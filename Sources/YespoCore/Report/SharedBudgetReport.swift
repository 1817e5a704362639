// What a job's report says about the shared budget ("sharedBudget" in yespo_report_json; null
// without one): which budget, and whether — and when — Redis was lost and rejoined during the job.

import Glibc

public struct SharedBudgetReport: Sendable, Equatable {
    public var name: String
    /// redis://host:port/db, never the credentials.
    public var redis: String
    public var rate: Int
    /// The fallback rate: rate ÷ expectedProcesses.
    public var localRate: Int
    public var expectedProcesses: Int
    /// "shared" or "local" (on the fallback) when the job ended.
    public var mode = "shared"
    /// Fallback periods overlapping the job.
    public var fallbacks = 0
    /// Start of the first of them (epoch ms; may precede the job), and why.
    public var fallbackSinceMs: Int64? = nil
    public var reason: String? = nil
    /// When the last of them ended by rejoining (epoch ms); nil if none ended.
    public var rejoinedMs: Int64? = nil
    /// Time of the job spent on the fallback.
    public var fallbackMs: Int64 = 0
    public var leases = 0
    public var slotsUsed = 0
    /// Slots this process leased but could not use in time (given up, never used late).
    public var slotsExpired = 0

    init(name: String, redis: String, rate: Int, localRate: Int, expectedProcesses: Int) {
        self.name = name
        self.redis = redis
        self.rate = rate
        self.localRate = localRate
        self.expectedProcesses = expectedProcesses
    }

    /// The report's "sharedBudget" object as JSON text.
    public func json() -> String {
        var out = JSONOutput(capacity: 256)
        write(into: &out)
        return out.text
    }

    func write(into out: inout JSONOutput) {
        out.raw("{"); out.key("name"); out.string(name)
        out.raw(","); out.key("redis"); out.string(redis)
        out.raw(","); out.key("rate"); out.int(rate)
        out.raw(","); out.key("localRate"); out.int(localRate)
        out.raw(","); out.key("expectedProcesses"); out.int(expectedProcesses)
        out.raw(","); out.key("mode"); out.string(mode)
        out.raw(","); out.key("fallbacks"); out.int(fallbacks)
        out.raw(","); out.key("fallbackSince"); out.string(fallbackSinceMs.map(isoTime))
        out.raw(","); out.key("rejoined"); out.string(rejoinedMs.map(isoTime))
        out.raw(","); out.key("fallbackMs"); out.int(fallbackMs)
        out.raw(","); out.key("reason"); out.string(reason)
        out.raw(","); out.key("leases"); out.int(leases)
        out.raw(","); out.key("slotsUsed"); out.int(slotsUsed)
        out.raw(","); out.key("slotsExpired"); out.int(slotsExpired)
        out.raw("}")
    }
}

/// "2026-11-24T21:03:04.123Z" for epoch milliseconds.
func isoTime(_ ms: Int64) -> String {
    var seconds = time_t(ms / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ v: Int32, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
        + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms % 1000), 3))Z"
}
