// A snapshot of a running job (yespo_job_progress / the progress callback).

public struct UpsertProgress: Sendable, Equatable {
    public var rowsRead = 0
    public var rowsSent = 0
    public var accepted = 0
    public var rejected = 0
    public var invalid = 0
    public var duplicates = 0
    public var notSent = 0
    public var chunksSent = 0
    public var chunksDone = 0
    /// Requests of this job on the wire or queued in the transport.
    public var inFlight = 0
    /// The transport's current bulk concurrency (adaptive: drops on 429).
    public var concurrency = 0
    public var requests = 0
    public var retries = 0
    public var throttled = 0
    public var bytesSent = 0
    public var elapsedMs = 0
    public var done = false

    public init() {}

    public func json() -> String {
        var out = JSONOutput(capacity: 320)
        out.raw("{"); out.key("rowsRead"); out.int(rowsRead)
        out.raw(","); out.key("rowsSent"); out.int(rowsSent)
        out.raw(","); out.key("accepted"); out.int(accepted)
        out.raw(","); out.key("rejected"); out.int(rejected)
        out.raw(","); out.key("invalid"); out.int(invalid)
        out.raw(","); out.key("duplicates"); out.int(duplicates)
        out.raw(","); out.key("notSent"); out.int(notSent)
        out.raw(","); out.key("chunksSent"); out.int(chunksSent)
        out.raw(","); out.key("chunksDone"); out.int(chunksDone)
        out.raw(","); out.key("inFlight"); out.int(inFlight)
        out.raw(","); out.key("concurrency"); out.int(concurrency)
        out.raw(","); out.key("requests"); out.int(requests)
        out.raw(","); out.key("retries"); out.int(retries)
        out.raw(","); out.key("throttled"); out.int(throttled)
        out.raw(","); out.key("bytesSent"); out.int(bytesSent)
        out.raw(","); out.key("elapsedMs"); out.int(elapsedMs)
        out.raw(","); out.key("done"); out.bool(done)
        out.raw("}")
        return out.text
    }
}
