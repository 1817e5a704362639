// What the emulator saw (GET /_emulator/stats): counts, in-flight maxima, and the most request
// starts inside any sliding one-second window.
struct SlidingWindowPeak: Sendable {
    private var starts: [ContinuousClock.Instant] = []
    private var head = 0
    private(set) var peak = 0

    mutating func record(_ now: ContinuousClock.Instant) {
        starts.append(now)
        let cutoff = now - .seconds(1)
        while head < starts.count, starts[head] <= cutoff { head += 1 }
        peak = max(peak, starts.count - head)
        if head > 4096 && head * 2 > starts.count {
            starts.removeFirst(head)
            head = 0
        }
    }
}

struct Stats: Sendable {
    var requests = 0
    var byRoute: [String: Int] = [:]
    var statuses: [Int: Int] = [:]
    var bulkRequests = 0
    var contactsReceived = 0
    var bytesReceived = 0
    var inFlight = 0
    var maxInFlight = 0
    var inFlightBulk = 0
    var maxInFlightBulk = 0
    var all = SlidingWindowPeak()
    var bulk = SlidingWindowPeak()
    var faultsInjected = 0
    /// First and last bulk request start: how long the bulk traffic lasted (bulkSpanMs), for
    /// measuring what share of a rate limit several clients together used.
    var firstBulkStart: ContinuousClock.Instant? = nil
    var lastBulkStart: ContinuousClock.Instant? = nil
    /// "Duplicated request" answers, by the window or by the `duplicated` fault.
    var duplicatedRequests = 0

    mutating func begin(route: String, isBulk: Bool, now: ContinuousClock.Instant) {
        requests += 1
        byRoute[route, default: 0] += 1
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        all.record(now)
        if isBulk {
            bulkRequests += 1
            inFlightBulk += 1
            maxInFlightBulk = max(maxInFlightBulk, inFlightBulk)
            bulk.record(now)
            if firstBulkStart == nil { firstBulkStart = now }
            lastBulkStart = now
        }
    }

    mutating func end(status: Int, isBulk: Bool) {
        if status > 0 { statuses[status, default: 0] += 1 }
        inFlight -= 1
        if isBulk { inFlightBulk -= 1 }
    }

    func json() -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"requests\":"); w.int(requests)
        w.raw(",\"byRoute\":{")
        for (i, (k, v)) in byRoute.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { w.raw(",") }
            w.key(k); w.int(v)
        }
        w.raw("},\"statuses\":{")
        for (i, (k, v)) in statuses.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { w.raw(",") }
            w.key(String(k)); w.int(v)
        }
        w.raw("},\"bulkRequests\":"); w.int(bulkRequests)
        w.raw(",\"contactsReceived\":"); w.int(contactsReceived)
        w.raw(",\"bytesReceived\":"); w.int(bytesReceived)
        w.raw(",\"inFlight\":"); w.int(inFlight)
        w.raw(",\"inFlightBulk\":"); w.int(inFlightBulk)
        w.raw(",\"maxInFlight\":"); w.int(maxInFlight)
        w.raw(",\"maxInFlightBulk\":"); w.int(maxInFlightBulk)
        w.raw(",\"peakRequestsPerSecond\":"); w.int(all.peak)
        w.raw(",\"peakBulkRequestsPerSecond\":"); w.int(bulk.peak)
        w.raw(",\"faultsInjected\":"); w.int(faultsInjected)
        w.raw(",\"duplicatedRequests\":"); w.int(duplicatedRequests)
        var spanMs = 0
        if let first = firstBulkStart, let last = lastBulkStart {
            let d = (last - first).components
            spanMs = Int(d.seconds * 1000 + d.attoseconds / 1_000_000_000_000_000)
        }
        w.raw(",\"bulkSpanMs\":"); w.int(spanMs)
        w.raw("}")
        return w.bytes
    }
}
