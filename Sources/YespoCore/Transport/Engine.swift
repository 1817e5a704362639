// The engine thread: owns the curl multi handle and every transfer, starts requests as the
// concurrency and the request budget allow, collects finished ones, schedules retries, and
// sleeps in curl_multi_poll until a socket, a timer or a submission (curl_multi_wakeup) needs it.
// Nothing here is touched by any other thread; work arrives only through the shared inbox.

import CCurl
import Glibc

final class Engine {
    /// Non-bulk requests in flight at once (single calls, import polling); they bypass the bulk limit.
    static let otherConcurrency = 8

    let shared: EngineShared
    let log: LogSink
    private var multi: UnsafeMutableRawPointer { shared.multi.pointer }
    private var settings: ClientSettings
    private var defaults: EasyDefaults
    private var budget: RequestBudget
    /// Bulk starts go through this instead of `budget` when a shared budget is set.
    private let sharedBudgets: SharedBudgetHolder
    private var bulkGate: SharedBudgetGate?
    private var adaptive: AdaptiveConcurrency
    private var random: SplitMix64

    private var live: [UInt64: Transfer] = [:]
    private var waitingBulk = FIFO<Transfer>()
    private var waitingOther = FIFO<Transfer>()
    private var delayed: [Transfer] = []
    private var inFlightBulk = 0
    /// No new bulk / other attempt starts before these times: a Retry-After speaks for the server
    /// as a whole, not just for the request that got it.
    private var bulkPausedUntil: Int64 = 0
    private var otherPausedUntil: Int64 = 0
    private var inFlightOther = 0
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Started attempts whose send the request budget has not seen yet (see RequestBudget).
    private var awaitingSend: [Transfer] = []

    init(shared: EngineShared, settings: ClientSettings, log: LogSink, seed: UInt64, sharedBudgets: SharedBudgetHolder) {
        self.shared = shared
        self.sharedBudgets = sharedBudgets
        bulkGate = sharedBudgets.link.map { SharedBudgetGate(link: $0, now: monotonicMicros()) }
        self.log = log
        self.settings = settings
        defaults = EasyDefaults(settings, maxResponseBytes: Transport.maxResponseBytes)
        budget = RequestBudget(rate: settings.requestsPerSecond, now: monotonicMicros())
        adaptive = AdaptiveConcurrency(limit: settings.concurrency, enabled: settings.adaptiveConcurrency)
        random = SplitMix64(seed: seed)
        applyConnectionLimits()
    }

    func run() {
        shared.engineThreadID.store(pthread_self(), ordering: .releasing)
        nameCurrentThread("yespo-engine")
        while true {
            if takeInbox() { break }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            confirmSends()
            collectFinished()
            let now = monotonicMicros()
            promoteDueRetries(now: now)
            let waitMicros = startWaiting(now: now)
            _ = curl_multi_poll(multi, nil, 0, Int32(pollTimeoutMs(now: now, budgetWait: waitMicros)), nil)
        }
        shutDown()
    }

    // MARK: inbox

    /// Takes submitted work; true when the transport is closing.
    private func takeInbox() -> Bool {
        let box = shared.inbox.withLock { box -> Inbox in
            let taken = box
            box.submissions.removeAll()
            box.cancellations.removeAll()
            box.settings = nil
            return taken
        }
        if let s = box.settings { apply(s) }
        let now = monotonicMicros()
        for sub in box.submissions { admit(sub, now: now) }
        for id in box.cancellations { cancel(id) }
        return box.closing
    }

    private func admit(_ sub: Submission, now: Int64) {
        if let problem = sub.request.problem {
            sub.completion(.failure(YespoError(.invalidArgument, problem), attempts: 0))
            return
        }
        let t = Transfer(sub, now: now, maxResponseBytes: Transport.maxResponseBytes)
        live[t.id] = t
        enqueue(t)
    }

    private func apply(_ s: ClientSettings) {
        settings = s
        defaults = EasyDefaults(s, maxResponseBytes: Transport.maxResponseBytes)
        budget.setRate(s.requestsPerSecond, now: monotonicMicros())
        let link = sharedBudgets.link
        if link !== bulkGate?.link {
            bulkGate?.idle()
            bulkGate = link.map { SharedBudgetGate(link: $0, now: monotonicMicros()) }
        }
        adaptive.setLimit(s.concurrency, enabled: s.adaptiveConcurrency)
        applyConnectionLimits()
    }

    private func applyConnectionLimits() {
        // One connection per transfer we allow in flight, so curl never queues a transfer inside
        // itself (queued time would count against its timeout) and keeps each connection alive.
        let connections = settings.concurrency + Self.otherConcurrency
        _ = yespo_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections)
        _ = yespo_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, connections)
        shared.counters.concurrency.store(adaptive.current, ordering: .relaxed)
    }

    // MARK: scheduling

    private func enqueue(_ t: Transfer) {
        t.state = .waiting
        if t.requestClass == .bulk { waitingBulk.push(t) } else { waitingOther.push(t) }
    }

    private func promoteDueRetries(now: Int64) {
        guard !delayed.isEmpty else { return }
        var keep: [Transfer] = []
        for t in delayed where t.state == .delayed {
            if t.dueAt <= now { enqueue(t) } else { keep.append(t) }
        }
        delayed = keep
    }

    /// Starts what the limits allow; returns microseconds until the budget allows the next start
    /// when something is waiting for it, else nil. Other requests go first; bulk requests go
    /// through the shared budget's gate when there is one, else through the same local budget.
    private func startWaiting(now: Int64) -> Int64? {
        var budgetWait: Int64? = nil
        while inFlightOther < Self.otherConcurrency, now >= otherPausedUntil,
              let t = waitingOther.peek(skipping: { $0.state != .waiting }) {
            let wait = budget.delayUntilAllowed(now: now)
            if wait > 0 { budgetWait = wait; break }
            _ = waitingOther.pop()
            budget.consume(now: now)
            start(t, now: now)
        }
        if budgetWait != nil && bulkGate == nil { return budgetWait }   // one budget for both: bulk waits too
        while inFlightBulk < adaptive.current, now >= bulkPausedUntil,
              let t = waitingBulk.peek(skipping: { $0.state != .waiting }) {
            let wait: Int64
            if var gate = bulkGate {
                gate.ready = min(waitingBulk.count, adaptive.current - inFlightBulk)
                wait = gate.delayUntilAllowed(now: now)
                if wait == 0 { gate.consume(now: now) }
                bulkGate = gate
            } else {
                wait = budget.delayUntilAllowed(now: now)
                if wait == 0 { budget.consume(now: now) }
            }
            if wait > 0 { return min(wait, budgetWait ?? wait) }
            _ = waitingBulk.pop()
            start(t, now: now)
        }
        bulkGate?.idle()   // nothing more can start now: lease nothing for this process
        return budgetWait
    }

    private func pollTimeoutMs(now: Int64, budgetWait: Int64?) -> Int {
        var wait: Int64 = 1_000_000
        if let b = budgetWait { wait = min(wait, b) }
        if bulkPausedUntil > now, !waitingBulk.isEmpty { wait = min(wait, bulkPausedUntil - now) }
        if otherPausedUntil > now, !waitingOther.isEmpty { wait = min(wait, otherPausedUntil - now) }
        for t in delayed where t.state == .delayed { wait = min(wait, t.dueAt - now) }
        return Int(max(0, (wait + 999) / 1000))
    }

    // MARK: attempts

    private func start(_ t: Transfer, now: Int64) {
        // The budget's record of this start (when windowed), confirmed once curl sends it.
        let slot = budget.takeLastConsumed()
        guard let h = idleHandles.popLast() ?? curl_easy_init() else {
            if let slot { budget.settle(slot) }
            finish(t, .failure(YespoError(.noMemory, "could not create a curl handle"), attempts: t.attempts))
            return
        }
        t.resetResponse()
        if let problem = EasySetup.configure(h, for: t, defaults) {
            if let slot { budget.settle(slot) }
            idleHandles.append(h)
            finish(t, .failure(YespoError(.internal, "curl refused an option: \(problem)"), attempts: t.attempts))
            return
        }
        let rc = curl_multi_add_handle(multi, h)
        guard rc == CURLM_OK else {
            if let slot { budget.settle(slot) }
            idleHandles.append(h)
            finish(t, .failure(YespoError(.internal, "curl_multi_add_handle: \(String(cString: curl_multi_strerror(rc)))"), attempts: t.attempts))
            return
        }
        t.easy = h
        t.state = .inFlight
        t.attempts += 1
        t.attemptStartedAt = now
        t.sentAt = 0
        t.budgetSlot = slot   // the previous attempt's was settled in detach
        if t.budgetSlot != nil { awaitingSend.append(t) }
        if t.requestClass == .bulk { inFlightBulk += 1 } else { inFlightOther += 1 }
        shared.counters.requests.wrappingAdd(1, ordering: .relaxed)
        shared.counters.inFlight.wrappingAdd(1, ordering: .relaxed)
    }

    /// Tells the request budget when started attempts really went out (curl's pre-request
    /// callback ran during the last perform); attempts that ended unsent keep their start.
    private func confirmSends() {
        guard !awaitingSend.isEmpty else { return }
        awaitingSend.removeAll { t in
            guard let slot = t.budgetSlot else { return true }
            guard t.sentAt > 0 else { return false }
            budget.confirm(slot, sentAt: t.sentAt)
            t.budgetSlot = nil
            return true
        }
    }

    /// Takes the handle off the wire and back into the idle pool.
    private func detach(_ t: Transfer) {
        if let slot = t.budgetSlot {
            if t.sentAt > 0 { budget.confirm(slot, sentAt: t.sentAt) } else { budget.settle(slot) }
            t.budgetSlot = nil
        }
        guard let h = t.easy else { return }
        _ = curl_multi_remove_handle(multi, h)
        t.easy = nil
        if t.requestClass == .bulk { inFlightBulk -= 1 } else { inFlightOther -= 1 }
        shared.counters.inFlight.wrappingAdd(-1, ordering: .relaxed)
        if idleHandles.count < settings.concurrency + Self.otherConcurrency {
            idleHandles.append(h)
        } else {
            curl_easy_cleanup(h)
        }
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let msg = curl_multi_info_read(multi, &left) {
            guard msg.pointee.msg == CURLMSG_DONE, let h = msg.pointee.easy_handle else { continue }
            let code = msg.pointee.data.result
            var priv: UnsafeMutableRawPointer? = nil
            _ = yespo_easy_getinfo_ptr(h, CURLINFO_PRIVATE, &priv)
            guard let p = priv else { continue }
            let t = Unmanaged<Transfer>.fromOpaque(p).takeUnretainedValue()
            attemptEnded(t, h: h, code: code)
        }
    }

    private func attemptEnded(_ t: Transfer, h: UnsafeMutableRawPointer, code: CURLcode) {
        var status = 0, connects = 0, headerBytes = 0
        var sent: curl_off_t = 0
        _ = yespo_easy_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        _ = yespo_easy_getinfo_long(h, CURLINFO_NUM_CONNECTS, &connects)
        _ = yespo_easy_getinfo_long(h, CURLINFO_HEADER_SIZE, &headerBytes)
        _ = yespo_easy_getinfo_off(h, CURLINFO_SIZE_UPLOAD_T, &sent)
        let c = shared.counters
        c.connectionsOpened.wrappingAdd(connects, ordering: .relaxed)
        c.bytesSent.wrappingAdd(Int(sent), ordering: .relaxed)
        c.bytesReceived.wrappingAdd(headerBytes + t.responseBody.count, ordering: .relaxed)
        let detail = t.curlErrorDetail
        detach(t)
        let now = monotonicMicros()

        if t.tooLarge || code == CURLE_FILESIZE_EXCEEDED {
            finish(t, .failure(YespoError(.protocol, "\(t.logName): the answer is larger than \(Transport.maxResponseBytes >> 20) MiB; not read further"), attempts: t.attempts))
            return
        }
        if code != CURLE_OK {
            let error = CurlFailure.error(code, detail: detail, request: t.logName, trust: defaults.trustOrigin)
            if CurlFailure.isRetryable(code), t.attempts <= settings.maxRetries {
                retryLater(t, reason: error.message, delayMs: backoff(t), now: now)
            } else {
                finish(t, .failure(error, attempts: t.attempts))
            }
            return
        }
        let response = HTTPResponse(status: status, body: t.responseBody, headers: t.responseHeaders)
        if status == 429 {
            c.throttled.wrappingAdd(1, ordering: .relaxed)
            if t.requestClass == .bulk {
                adaptive.throttled(attemptStartedAt: t.attemptStartedAt, now: now)
                c.concurrency.store(adaptive.current, ordering: .relaxed)
                // Only a local budget that is windowed is ours to widen; the shared one has its own slots.
                if budget.rate > 0 { budget.widenMargin() }
            }
        }
        if RetryPolicy.isRetryable(status: status), t.attempts <= settings.maxRetries {
            var delay = backoff(t)
            if let ra = response.headers["retry-after"],
               let ms = RetryPolicy.retryAfterMs(ra, nowEpochSeconds: wallClockSeconds(),
                                                 capMs: max(settings.retryMaxMs, RetryPolicy.maxRetryAfterMs)) {
                delay = ms
                let until = now + Int64(ms) * 1000
                if t.requestClass == .bulk { bulkPausedUntil = max(bulkPausedUntil, until) } else { otherPausedUntil = max(otherPausedUntil, until) }
            }
            if log.isEnabled(.debug) { log.log(.debug, "\(t.logName) body: \(Self.snippet(t.responseBody))") }
            retryLater(t, reason: "HTTP \(status)", delayMs: delay, now: now)
            return
        }
        if t.requestClass == .bulk, status < 500, status != 429 {
            adaptive.succeeded()
            c.concurrency.store(adaptive.current, ordering: .relaxed)
        }
        if log.isEnabled(.debug), status >= 300 {
            log.log(.debug, "\(t.logName) body: \(Self.snippet(t.responseBody))")
        }
        finish(t, .response(response, attempts: t.attempts))
    }

    private func backoff(_ t: Transfer) -> Int {
        RetryPolicy.backoffMs(retry: t.attempts, baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs, random: &random)
    }

    private func retryLater(_ t: Transfer, reason: String, delayMs: Int, now: Int64) {
        shared.counters.retries.wrappingAdd(1, ordering: .relaxed)
        log.log(.warn, "\(t.logName): \(reason); retry \(t.attempts)/\(settings.maxRetries) in \(delayMs) ms")
        t.state = .delayed
        t.dueAt = now + Int64(delayMs) * 1000
        delayed.append(t)
    }

    private func finish(_ t: Transfer, _ outcome: HTTPOutcome) {
        guard t.state != .done else { return }
        if t.easy != nil { detach(t) }
        t.state = .done
        live.removeValue(forKey: t.id)
        t.release()
        if log.isEnabled(.info) {
            let ms = Double((monotonicMicros() - t.submittedAt) / 100) / 10
            switch outcome {
            case .response(let r, let a): log.log(.info, "\(t.logName) → \(r.status) in \(ms) ms (attempts \(a))")
            case .failure(let e, let a): log.log(e.code == .cancelled ? .info : .warn, "\(t.logName) failed after \(a) attempt(s): \(e.message)")
            }
        }
        t.completion(outcome)
    }

    private func cancel(_ id: UInt64) {
        guard let t = live[id] else { return }
        finish(t, .failure(YespoError(.cancelled, "\(t.logName) was cancelled"), attempts: t.attempts))
    }

    private func shutDown() {
        // Submissions that raced with close() are answered too: every completion runs exactly once.
        let late = shared.inbox.withLock { box -> [Submission] in
            let s = box.submissions
            box.submissions.removeAll()
            return s
        }
        for t in Array(live.values).sorted(by: { $0.id < $1.id }) {
            finish(t, .failure(YespoError(.cancelled, "\(t.logName) was cancelled: the client is closing"), attempts: t.attempts))
        }
        for s in late { s.completion(.failure(YespoError(.cancelled, "the client is closing"), attempts: 0)) }
        for h in idleHandles { curl_easy_cleanup(h) }
        idleHandles.removeAll()
        _ = curl_multi_cleanup(multi)
    }

    /// A log-safe excerpt of a body: at most 300 bytes, control characters shown as spaces.
    static func snippet(_ body: [UInt8]) -> String {
        let cut = body.prefix(300).map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: " ") : $0 }
        return String(decoding: cut, as: UTF8.self) + (body.count > 300 ? "… (\(body.count) bytes)" : "")
    }
}
