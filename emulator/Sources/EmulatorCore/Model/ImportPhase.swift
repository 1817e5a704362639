// What /importstatus says about a session at a given moment. Third-party clients read
// STARTED → IMPORTING → FINISHED | ERROR; the emulator walks through all of them so that a
// poller meets every status: STARTED for the first half of the delay, IMPORTING for the rest
// (and while a file is still downloading), then the final state once applied.
extension ImportSession {
    /// When STARTED turns into IMPORTING: half-way to due.
    var importingFrom: ContinuousClock.Instant { createdAt + (readyAt - createdAt) / 2 }

    /// A zero-delay session would never show STARTED; it answers STARTED to its first poll.
    var isUnpolledZeroDelay: Bool { state == .pending && readyAt == createdAt && !polled }

    public func statusName(now: ContinuousClock.Instant) -> String {
        guard state == .pending else { return state.name }
        if isUnpolledZeroDelay { return "STARTED" }
        return now < importingFrom ? "STARTED" : "IMPORTING"
    }

    /// `created`, then `started` (when IMPORTING began, or when applied if that came first),
    /// then `finished` (when applied): each present once it has happened. ISO-8601 UTC.
    func timestamps(now: ContinuousClock.Instant) -> [(String, String)] {
        var out = [("created", WallClock.iso8601(createdWall))]
        let status = statusName(now: now)
        guard status != "STARTED" else { return out }
        let half = importingFrom - createdAt
        var started = createdWall + Double(half.components.seconds) + Double(half.components.attoseconds) / 1e18
        if let applied = appliedWall { started = min(started, applied) }
        out.append(("started", WallClock.iso8601(started)))
        if let applied = appliedWall, state != .pending { out.append(("finished", WallClock.iso8601(applied))) }
        return out
    }
}
