// One client's link to a shared request budget in Redis (docs/beyond-one-machine.md).
//
// A lease thread keeps a few start slots ahead of the engine: when the engine has bulk requests
// ready and no slot, it says how many (`slotDelay`), and the lease thread asks Redis for that many
// (up to `batch`) in one script call; the engine then starts requests at their slots without any
// round trip of its own. Blocking Redis I/O happens only on the lease thread, never on the engine.
//
// Redis lost (an error or no answer within ioTimeoutMs, after one reconnect): the link falls back
// to a local budget of rate ÷ expectedProcesses, logs it once, and tries to rejoin every half second;
// back in Redis, it logs that once too. Jobs report both (SharedBudgetReport). Nothing is dropped:
// requests only wait for a slot or a local token, as they would for the local budget.

import Glibc

final class SharedBudget: @unchecked Sendable {
    struct Config: Equatable, Sendable {
        var url: RedisURL
        /// The Redis key (never holds the API key).
        var key: String
        /// What reports and logs call the budget: its name, or "key-<hash>".
        var name: String
        var rate: Int
        var expectedProcesses: Int
        var startFallback: SharedBudgetStartFallback

        init(settings s: ClientSettings) throws(YespoError) {
            guard let raw = s.sharedBudget.url else { throw YespoError(.invalidArgument, "no shared budget URL") }
            url = try RedisURL.parse(raw)
            let given = try s.sharedBudget.validatedName()
            key = SharedBudgetKey.redisKey(name: given, apiKey: s.apiKey)
            name = given ?? "key-" + SharedBudgetKey.derivedName(apiKey: s.apiKey)
            rate = s.requestsPerSecond
            expectedProcesses = s.sharedBudget.expectedProcesses
            startFallback = s.sharedBudget.startFallback
        }

        var localRate: Int { max(1, rate / max(1, expectedProcesses)) }
    }

    /// Slots are spaced windowMicros / rate apart (see SharedBudgetScript).
    static let windowMicros: Int64 = 1_060_000
    /// A slot not used within this long after its time is given up, never used late.
    static let latenessMicros: Int64 = 25_000
    static let ioTimeoutMs = 2000
    static let rejoinEveryMicros: Int64 = 500_000
    /// Fallback periods remembered for reports.
    static let maxPeriods = 256

    struct Period {
        var startMs: Int64
        var endMs: Int64?
        var reason: String
    }

    struct Counters {
        var leases = 0
        var slotsGranted = 0
        var slotsUsed = 0
        var slotsExpired = 0
    }

    let config: Config
    let intervalMicros: Int64
    let batch: Int
    let horizonMicros: Int64
    private let log: LogSink
    private let monitor = JobMonitor()

    // Guarded by `monitor`.
    private var slots: [Int64] = []          // local monotonic µs, ascending
    private var slotHead = 0
    private var demand = 0
    private var periods: [Period] = []
    private var onFallback = false
    private var counters = Counters()
    private var stopping = false
    private var wake: (@Sendable () -> Void)? = nil

    // The lease thread's own (and, before it starts, the creator's).
    private var connection: RESPConnection?
    private var scriptSHA = ""
    private var thread: JobThread?

    /// Connects and loads the script. Unreachable Redis throws, unless the start fallback is
    /// `.local`: then the link starts on the local budget and joins when Redis answers.
    init(settings: ClientSettings, log: LogSink) throws(YespoError) {
        config = try Config(settings: settings)
        self.log = log
        intervalMicros = max(1, (Self.windowMicros + Int64(config.rate) - 1) / Int64(config.rate))
        batch = max(1, min(16, (config.rate + 19) / 20))
        horizonMicros = max(200_000, 2 * Int64(batch) * intervalMicros)
        do {
            (connection, scriptSHA) = try Self.open(config)
            log.log(.info, "shared budget \(config.name) at \(config.url.display): joined (\(config.rate)/s for every process together)")
        } catch {
            let why = "cannot reach Redis at \(config.url.display): \(error.message)"
            guard config.startFallback == .local else {
                throw YespoError(.transport, "shared budget \(config.name): \(why) (set the shared budget fallback to local to start on a local budget of \(config.localRate)/s instead)")
            }
            enterFallback(reason: why)
        }
        do {
            thread = try JobThread(name: "shared budget lease") { [self] in leaseLoop() }
        } catch {
            connection?.close()
            throw error
        }
    }

    /// The engine's wake-up: called when slots arrive or the mode changes.
    func setWake(_ w: (@Sendable () -> Void)?) {
        monitor.withLock { wake = w }
    }

    /// Stops the lease thread and closes the connection. Idempotent; never from the lease thread.
    func stop() {
        let t = monitor.withLock { () -> JobThread? in
            stopping = true
            wake = nil
            monitor.broadcast()
            let t = thread
            thread = nil
            return t
        }
        t?.join()
    }

    // MARK: the engine's side (engine thread only)

    /// nil: on the local fallback (use the local fallback budget). Else µs until a bulk request may
    /// start on a slot (0 = now). `ready` = bulk requests that could start now but for the budget.
    func slotDelay(now: Int64, ready: Int) -> Int64? {
        monitor.withLock {
            guard !onFallback else { return nil }
            dropExpiredLocked(now: now)
            let held = slots.count - slotHead
            if demand != ready {
                if ready > held && ready > demand { monitor.broadcast() }
                demand = ready
            }
            guard held > 0 else { return 1_000_000 }   // the lease thread wakes the engine
            return max(0, slots[slotHead] - now)
        }
    }

    /// Uses the first slot if it is due; false when there is none (or on the fallback).
    func takeSlot(now: Int64) -> Bool {
        monitor.withLock {
            guard !onFallback else { return false }
            dropExpiredLocked(now: now)
            guard slotHead < slots.count, slots[slotHead] <= now else { return false }
            slotHead += 1
            counters.slotsUsed += 1
            demand = max(0, demand - 1)
            if slotHead == slots.count { slots.removeAll(keepingCapacity: true); slotHead = 0 }
            return true
        }
    }

    /// No bulk request is waiting (any more): stop leasing for this process.
    func clearDemand() {
        monitor.withLock { demand = 0 }
    }

    private func dropExpiredLocked(now: Int64) {
        while slotHead < slots.count, slots[slotHead] + Self.latenessMicros < now {
            slotHead += 1
            counters.slotsExpired += 1
        }
        if slotHead == slots.count && slotHead > 0 { slots.removeAll(keepingCapacity: true); slotHead = 0 }
    }

    // MARK: reports

    struct Mark {
        let budget: SharedBudget
        let startMs: Int64
        let counters: Counters
    }

    func mark() -> Mark {
        monitor.withLock { Mark(budget: self, startMs: wallClockMillis(), counters: counters) }
    }

    func report(since mark: Mark) -> SharedBudgetReport {
        monitor.withLock {
            let now = wallClockMillis()
            let overlapping = periods.filter { ($0.endMs ?? Int64.max) >= mark.startMs }
            var r = SharedBudgetReport(name: config.name, redis: config.url.display, rate: config.rate,
                                       localRate: config.localRate, expectedProcesses: config.expectedProcesses)
            r.mode = onFallback ? "local" : "shared"
            r.fallbacks = overlapping.count
            r.fallbackSinceMs = overlapping.first?.startMs
            r.reason = overlapping.first?.reason
            if let last = overlapping.last, let end = last.endMs { r.rejoinedMs = end }
            r.fallbackMs = overlapping.reduce(0) { sum, p in
                sum + max(0, (p.endMs ?? now) - max(p.startMs, mark.startMs))
            }
            r.slotsUsed = counters.slotsUsed - mark.counters.slotsUsed
            r.slotsExpired = counters.slotsExpired - mark.counters.slotsExpired
            r.leases = counters.leases - mark.counters.leases
            return r
        }
    }

    // MARK: the lease thread

    private enum Step { case stop, lease(Int), rejoin }

    private func leaseLoop() {
        var notBefore: Int64 = 0
        var nextRejoin = monotonicMicros() + Self.rejoinEveryMicros
        while true {
            let step: Step = monitor.withLock {
                while true {
                    if stopping { return .stop }
                    let now = monotonicMicros()
                    if onFallback {
                        if now >= nextRejoin { return .rejoin }
                        monitor.wait(untilNs: UInt64(nextRejoin) * 1000)
                        continue
                    }
                    dropExpiredLocked(now: now)
                    let want = min(demand - (slots.count - slotHead), batch)
                    if want > 0 && now >= notBefore { return .lease(want) }
                    let until = want > 0 ? notBefore : now + 1_000_000
                    monitor.wait(untilNs: UInt64(until) * 1000)
                }
            }
            switch step {
            case .stop:
                connection?.close()
                connection = nil
                return
            case .rejoin:
                do {
                    (connection, scriptSHA) = try Self.open(config)
                    rejoin()
                    notBefore = 0
                } catch {
                    log.log(.debug, "shared budget \(config.name): Redis at \(config.url.display) still unreachable: \(error.message)")
                    nextRejoin = monotonicMicros() + Self.rejoinEveryMicros
                }
            case .lease(let want):
                do {
                    notBefore = try leaseSlots(want: want)
                } catch {
                    connection?.close()
                    connection = nil
                    enterFallback(reason: "lost Redis at \(config.url.display): \(error.message)")
                    nextRejoin = monotonicMicros() + Self.rejoinEveryMicros
                    wakeEngine()
                }
            }
        }
    }

    /// One lease (reconnecting once, reloading the script after NOSCRIPT); returns when to ask
    /// again at the earliest (0 = whenever needed).
    private func leaseSlots(want: Int) throws(RedisFailure) -> Int64 {
        var attempt = 0
        while true {
            attempt += 1
            do throws(RedisFailure) {
                if connection == nil { (connection, scriptSHA) = try Self.open(config) }
                guard let c = connection else { throw RedisFailure("no connection") }
                let before = monotonicMicros()
                let lease = try SharedBudgetScript.lease(c, sha: scriptSHA, key: config.key, intervalMicros: intervalMicros,
                                                         want: want, horizonMicros: horizonMicros)
                let after = monotonicMicros()
                // Redis's clock → ours: Redis read TIME about halfway through the round trip.
                let offset = (before + after) / 2 - lease.redisNow
                let granted = lease.slots.map { $0 + offset }
                monitor.withLock {
                    counters.leases += 1
                    counters.slotsGranted += granted.count
                    slots.append(contentsOf: granted)
                }
                if !granted.isEmpty {
                    wakeEngine()
                    return 0
                }
                // Nothing free within the horizon: ask again when the next free slot enters it.
                let due = lease.nextFree - horizonMicros + offset
                return min(max(due, after + 1000), after + 500_000)
            } catch {
                if error.message == "NOSCRIPT", attempt < 3, let c = connection {
                    scriptSHA = try SharedBudgetScript.load(c)
                    continue
                }
                connection?.close()
                connection = nil
                if attempt >= 2 { throw error }
            }
        }
    }

    private func rejoin() {
        let lostMs = monitor.withLock { () -> Int64 in
            onFallback = false
            let now = wallClockMillis()
            guard let i = periods.indices.last else { return 0 }
            periods[i].endMs = now
            return now - periods[i].startMs
        }
        log.log(.warn, "shared budget \(config.name): Redis at \(config.url.display) is back after \(lostMs / 1000).\(lostMs % 1000 / 100) s; rejoined the shared budget")
        wakeEngine()
    }

    /// Switches to the local fallback budget; logs once per loss (outside the lock).
    private func enterFallback(reason: String) {
        let entered = monitor.withLock { () -> Bool in
            guard !onFallback else { return false }
            onFallback = true
            slots.removeAll()
            slotHead = 0
            periods.append(Period(startMs: wallClockMillis(), endMs: nil, reason: reason))
            if periods.count > Self.maxPeriods { periods.removeFirst(periods.count - Self.maxPeriods) }
            return true
        }
        guard entered else { return }
        log.log(.warn, "shared budget \(config.name): \(reason); continuing on a local budget of \(config.localRate)/s (rate \(config.rate) ÷ \(config.expectedProcesses) expected processes) until Redis is back")
    }

    private func wakeEngine() {
        let w = monitor.withLock { wake }
        w?()
    }

    private static func open(_ c: Config) throws(RedisFailure) -> (RESPConnection, String) {
        let conn = try RESPConnection(host: c.url.host, port: c.url.port, timeoutMs: ioTimeoutMs)
        do throws(RedisFailure) {
            if let password = c.url.password {
                let args = c.url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                if case .error(let e) = try conn.command(args) {
                    throw RedisFailure("Redis refused the credentials (\(e.prefix { $0 != " " }))")
                }
            }
            if c.url.database != 0, case .error(let e) = try conn.command(["SELECT", String(c.url.database)]) {
                throw RedisFailure("SELECT \(c.url.database) failed: \(e)")
            }
            return (conn, try SharedBudgetScript.load(conn))
        } catch {
            conn.close()
            throw error
        }
    }
}

/// Milliseconds since the Unix epoch (for report times).
func wallClockMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
