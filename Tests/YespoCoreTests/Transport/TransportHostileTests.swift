// The transport against a loopback server that misbehaves on purpose: each test proves one rule
// of docs/contracts.md §4 (retries, caps, stalls, redirects, auth, cancellation, shutdown).

import Glibc
import Synchronization
import Testing
@testable import YespoCore

func quickSettings(_ url: String, _ change: (inout ClientSettings) -> Void = { _ in }) -> ClientSettings {
    var s = ClientSettings(apiKey: "test-key")
    s.baseURL = url
    s.requestsPerSecond = 0
    s.retryBaseMs = 5
    s.retryMaxMs = 40
    s.stallTimeoutMs = 1000
    s.timeoutMs = 10_000
    change(&s)
    return s
}

/// Runs `body` with a transport and a server, and tears both down whatever happens.
func withTransport<T>(_ server: HostileServer, _ change: (inout ClientSettings) -> Void = { _ in },
                      _ body: (Transport) throws -> T) throws -> T {
    defer { server.stop() }
    let t = try Transport(settings: quickSettings(server.url + "/api/v1", change), log: LogSink())
    defer { t.close() }
    return try body(t)
}

extension HTTPOutcome {
    var status: Int? { if case .response(let r, _) = self { return r.status }; return nil }
    var errorCode: YespoErrorCode? { if case .failure(let e, _) = self { return e.code }; return nil }
    var bodyText: String { if case .response(let r, _) = self { return String(decoding: r.body, as: UTF8.self) }; return "" }
}

@Suite("Transport against a hostile server")
struct TransportHostileTests {
    @Test func sendsAuthBodyAndHeadersAndReadsTheAnswer() throws {
        let server = try HostileServer { req, _ in
            .respond(status: 200, headers: ["TotalCount: 7", "Content-Type: application/json"], body: Array("{\"echo\":\(req.body.count)}".utf8))
        }
        try withTransport(server) { t in
            let out = t.perform(HTTPRequest(method: "POST", path: "/contacts?x=1", body: Array("{\"a\":1}".utf8)))
            #expect(out.status == 200)
            #expect(out.bodyText == "{\"echo\":7}")
            if case .response(let r, let attempts) = out {
                #expect(r.headers["totalcount"] == "7")
                #expect(attempts == 1)
            }
            let req = try #require(server.requests.first)
            #expect(req.method == "POST" && req.path == "/api/v1/contacts?x=1")
            // Basic auth: empty user, the key as password → base64(":test-key").
            #expect(req.headers["authorization"] == "Basic OnRlc3Qta2V5")
            #expect(req.headers["content-type"] == "application/json")
            #expect(req.headers["expect"] == nil)
            #expect(req.body == Array("{\"a\":1}".utf8))
        }
    }

    @Test func methodsWithoutBodies() throws {
        let server = try HostileServer { req, _ in .respond(status: 200, body: Array("\(req.method) \(req.body.count)".utf8)) }
        try withTransport(server) { t in
            #expect(t.perform(HTTPRequest(method: "GET", path: "/x")).bodyText == "GET 0")
            #expect(t.perform(HTTPRequest(method: "DELETE", path: "/x")).bodyText == "DELETE 0")
            #expect(t.perform(HTTPRequest(method: "PUT", path: "/x", body: Array("{}".utf8))).bodyText == "PUT 2")
            #expect(t.perform(HTTPRequest(method: "POST", path: "/x")).bodyText == "POST 0")
            #expect(t.perform(HTTPRequest(method: "BREW", path: "/x")).errorCode == .invalidArgument)
            #expect(t.perform(HTTPRequest(method: "GET", path: "x y")).errorCode == .invalidArgument)
        }
    }

    @Test func authFailureComesBackAtOnce() throws {
        let server = try HostileServer { _, _ in .respond(status: 401, body: Array("Unauthorized".utf8)) }
        try withTransport(server) { t in
            let out = t.perform(HTTPRequest(method: "POST", path: "/contacts", body: [], requestClass: .bulk))
            #expect(out.status == 401)
            #expect(out.attempts == 1)
            #expect(server.requests.count == 1)
        }
    }

    @Test func serverErrorsAreRetriedThenSucceed() throws {
        let server = try HostileServer { _, i in i < 3 ? .respond(status: [500, 502, 503][i]) : .respond(status: 200, body: Array("ok".utf8)) }
        try withTransport(server) { t in
            let out = t.perform(HTTPRequest(method: "POST", path: "/contacts", body: [1], requestClass: .bulk))
            #expect(out.status == 200 && out.attempts == 4)
            #expect(t.stats().retries == 3)
            #expect(t.stats().requests == 4)
        }
    }

    @Test func retriesRunOutAndTheLastAnswerIsReturned() throws {
        let server = try HostileServer { _, _ in .respond(status: 503, body: Array("busy".utf8)) }
        try withTransport(server, { $0.maxRetries = 2 }) { t in
            let out = t.perform(HTTPRequest(method: "GET", path: "/x"))
            #expect(out.status == 503 && out.attempts == 3 && out.bodyText == "busy")
            #expect(server.requests.count == 3)
        }
    }

    @Test func droppedConnectionsAreRetried() throws {
        let server = try HostileServer { _, i in i < 2 ? .drop : .respond(status: 200) }
        try withTransport(server) { t in
            let out = t.perform(HTTPRequest(method: "POST", path: "/contacts", body: [1, 2], requestClass: .bulk))
            #expect(out.status == 200 && out.attempts == 3)
        }
    }

    @Test func dropsThatNeverStopEndAsTransportFailure() throws {
        let server = try HostileServer { _, _ in .drop }
        try withTransport(server, { $0.maxRetries = 1 }) { t in
            let out = t.perform(HTTPRequest(method: "GET", path: "/x"))
            #expect(out.errorCode == .transport && out.attempts == 2)
        }
    }

    @Test func garbageStatusLineIsAProtocolError() throws {
        let server = try HostileServer { _, _ in .raw(Array("SMTP ready\r\n\r\n".utf8)) }
        try withTransport(server) { t in
            #expect(t.perform(HTTPRequest(method: "GET", path: "/x")).errorCode == .protocol)
        }
    }

    @Test func aStalledServerTimesOutAndIsRetried() throws {
        let server = try HostileServer { _, i in i == 0 ? .stall(ms: 4000) : .respond(status: 200) }
        try withTransport(server, { $0.timeoutMs = 600 }) { t in
            let out = t.perform(HTTPRequest(method: "GET", path: "/x"))
            #expect(out.status == 200 && out.attempts == 2)
        }
    }

    @Test func aDrippingServerHitsTheStallTimeout() throws {
        let server = try HostileServer { _, _ in .drip(intervalMs: 2500) }
        try withTransport(server, { $0.maxRetries = 0 }) { t in
            let start = monotonicMicros()
            let out = t.perform(HTTPRequest(method: "GET", path: "/x"))
            #expect(out.errorCode == .timeout)
            #expect(monotonicMicros() - start < 8_000_000)
        }
    }

    @Test(arguments: [false, true])
    func anEndlessAnswerIsCappedNotBuffered(chunked: Bool) throws {
        let server = try HostileServer { _, _ in .endless(chunked: chunked) }
        try withTransport(server, { $0.maxRetries = 3 }) { t in
            let out = t.perform(HTTPRequest(method: "GET", path: "/x"))
            #expect(out.errorCode == .protocol)
            #expect(out.attempts == 1)   // a too-large answer is not retried
            #expect(t.stats().bytesReceived <= Transport.maxResponseBytes + 1_000_000)
        }
    }

    @Test func redirectsAreReturnedNotFollowedAndCredentialsStayHome() throws {
        let elsewhere = try HostileServer { _, _ in .respond(status: 200) }
        defer { elsewhere.stop() }
        let server = try HostileServer { _, _ in .respond(status: 302, headers: ["Location: \(elsewhere.url)/steal"]) }
        try withTransport(server) { t in
            let out = t.perform(HTTPRequest(method: "GET", path: "/contacts"))
            #expect(out.status == 302)
            if case .response(let r, _) = out { #expect(r.headers["location"] == "\(elsewhere.url)/steal") }
        }
        #expect(elsewhere.requests.isEmpty)
    }

    @Test func retryAfterSecondsIsHonoured() throws {
        let server = try HostileServer { _, i in i == 0 ? .respond(status: 429, headers: ["Retry-After: 1"]) : .respond(status: 200) }
        try withTransport(server) { t in
            let start = monotonicMicros()
            let out = t.perform(HTTPRequest(method: "POST", path: "/contacts", body: [1], requestClass: .bulk))
            let waited = monotonicMicros() - start
            #expect(out.status == 200 && out.attempts == 2)
            #expect(waited >= 950_000)   // retryMaxMs is 40 ms: only Retry-After explains the wait
            #expect(t.stats().throttled == 1)
        }
    }

    @Test func retryAfterHoldsBackTheOtherWaitingRequestsToo() throws {
        let arrivals = Mutex<[Int64]>([])
        let server = try HostileServer { _, i in
            arrivals.withLock { $0.append(monotonicMicros()) }
            return i == 0 ? .respond(status: 429, headers: ["Retry-After: 1"]) : .respond(status: 200)
        }
        try withTransport(server, { $0.concurrency = 1 }) { t in
            let outs = sendAll(t, (0..<3).map { _ in HTTPRequest(method: "POST", path: "/contacts", body: [1], requestClass: .bulk) })
            #expect(outs.allSatisfy { $0.status == 200 })
            let times = arrivals.withLock { $0 }
            #expect(times.count == 4)
            // Without the pause, the second request would take the free slot at once after the 429.
            if times.count == 4 { #expect(times[1] - times[0] >= 950_000) }
        }
    }

    @Test func cancelEndsQueuedAndInFlightRequestsOnce() throws {
        let server = try HostileServer { _, _ in .delayed(ms: 3000, status: 200, body: []) }
        try withTransport(server, { $0.concurrency = 1 }) { t in
            let calls = Mutex<[UInt64: Int]>([:])
            let codes = Mutex<[YespoErrorCode?]>([])
            var tickets: [RequestTicket] = []
            for _ in 0..<3 {
                let tk = t.submit(HTTPRequest(method: "POST", path: "/contacts", body: [1], requestClass: .bulk)) { out in
                    codes.withLock { $0.append(out.errorCode) }
                }
                tickets.append(tk)
                calls.withLock { $0[tk.id] = 0 }
            }
            usleep(200_000)   // the first is on the wire, the other two wait for the concurrency slot
            #expect(t.stats().inFlight == 1)
            let start = monotonicMicros()
            for tk in tickets { t.cancel(tk); t.cancel(tk) }
            while codes.withLock({ $0.count }) < 3 && monotonicMicros() - start < 2_000_000 { usleep(5000) }
            #expect(monotonicMicros() - start < 1_500_000)
            usleep(50_000)
            #expect(codes.withLock { $0 } == [.cancelled, .cancelled, .cancelled])
            #expect(t.stats().inFlight == 0)
        }
    }

    @Test func closeWhileBusyCompletesEverythingOnce() throws {
        let server = try HostileServer { _, _ in .delayed(ms: 2000, status: 200, body: []) }
        defer { server.stop() }
        let t = try Transport(settings: quickSettings(server.url, { $0.concurrency = 4 }), log: LogSink())
        let count = Atomic<Int>(0)
        let cancelled = Atomic<Int>(0)
        for i in 0..<50 {
            t.submit(HTTPRequest(method: "POST", path: "/contacts", body: [1], requestClass: i % 2 == 0 ? .bulk : .other)) { out in
                count.wrappingAdd(1, ordering: .relaxed)
                if out.errorCode == .cancelled { cancelled.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        usleep(100_000)
        t.close()
        #expect(count.load(ordering: .relaxed) == 50)
        #expect(cancelled.load(ordering: .relaxed) == 50)
        t.close()   // idempotent
        let late = Mutex<YespoErrorCode?>(nil)
        t.submit(HTTPRequest(method: "GET", path: "/x")) { out in late.withLock { $0 = out.errorCode } }
        #expect(late.withLock { $0 } == .cancelled)
        #expect(t.perform(HTTPRequest(method: "GET", path: "/x")).errorCode == .cancelled)
    }

    @Test func closeFromACompletionDoesNotDeadlock() throws {
        let server = try HostileServer { _, _ in .respond(status: 200) }
        defer { server.stop() }
        let t = try Transport(settings: quickSettings(server.url), log: LogSink())
        let done = OneShot<Int>()
        t.submit(HTTPRequest(method: "GET", path: "/x")) { out in
            #expect(t.perform(HTTPRequest(method: "GET", path: "/y")).errorCode == .state)
            t.close()
            done.fulfil(out.status ?? -1)
        }
        #expect(done.wait() == 200)
        t.close()
    }

    @Test func manyThreadsPerformAtOnce() throws {
        let server = try HostileServer { req, _ in .respond(status: 200, body: Array(req.path.utf8)) }
        try withTransport(server, { $0.concurrency = 4 }) { t in
            let wrong = Atomic<Int>(0)
            try runThreads(16) { n in
                for k in 0..<25 {
                    let path = "/t\(n)/\(k)"
                    let out = t.perform(HTTPRequest(method: "GET", path: path, requestClass: k % 2 == 0 ? .bulk : .other))
                    if out.bodyText != "/api/v1" + path { wrong.wrappingAdd(1, ordering: .relaxed) }
                }
            }
            #expect(wrong.load(ordering: .relaxed) == 0)
            #expect(server.requests.count == 400)
            #expect(t.stats().requests == 400)
            // Keep-alive: far fewer connections than requests, never more than the allowed transfers.
            #expect(t.stats().connectionsOpened <= 4 + Engine.otherConcurrency)
            #expect(server.maxConcurrentConnections <= 4 + Engine.otherConcurrency)
        }
    }

    @Test func updatedSettingsApplyToLaterRequests() throws {
        let inFlight = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let server = try HostileServer { req, _ in
            let now = inFlight.wrappingAdd(1, ordering: .relaxed).newValue
            if req.path.hasSuffix("/late") { _ = peak.max(now, ordering: .relaxed) }
            usleep(30_000)
            inFlight.wrappingAdd(-1, ordering: .relaxed)
            return .respond(status: 200, body: Array((req.headers["user-agent"] ?? "").utf8))
        }
        try withTransport(server, { $0.concurrency = 1 }) { t in
            let early = sendAll(t, (0..<5).map { _ in HTTPRequest(method: "POST", path: "/early", body: [1], requestClass: .bulk) })
            #expect(early.allSatisfy { $0.bodyText.hasPrefix("yespo/") })
            #expect(server.maxConcurrentConnections == 1)
            var s = quickSettings(server.url + "/api/v1") { $0.concurrency = 4; $0.userAgent = "changed/1" }
            t.update(settings: s)
            let late = sendAll(t, (0..<16).map { _ in HTTPRequest(method: "POST", path: "/late", body: [1], requestClass: .bulk) })
            #expect(late.allSatisfy { $0.bodyText == "changed/1" })
            #expect(peak.load(ordering: .relaxed) == 4)
            #expect(t.stats().concurrency == 4)
            s.baseURL = "ftp://nowhere"
            t.update(settings: s)   // invalid: ignored, the transport keeps working
            #expect(t.perform(HTTPRequest(method: "GET", path: "/after")).status == 200)
        }
    }

    @Test func bulkConcurrencyIsNeverExceeded() throws {
        let inFlight = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let server = try HostileServer { _, _ in
            let now = inFlight.wrappingAdd(1, ordering: .relaxed).newValue
            _ = peak.max(now, ordering: .relaxed)
            usleep(20_000)
            inFlight.wrappingAdd(-1, ordering: .relaxed)
            return .respond(status: 200)
        }
        try withTransport(server, { $0.concurrency = 3 }) { t in
            let done = Atomic<Int>(0)
            for _ in 0..<30 {
                t.submit(HTTPRequest(method: "POST", path: "/contacts", body: [1], requestClass: .bulk)) { _ in done.wrappingAdd(1, ordering: .relaxed) }
            }
            while done.load(ordering: .relaxed) < 30 { usleep(5000) }
            #expect(peak.load(ordering: .relaxed) == 3)
        }
    }
}

/// Runs `body(i)` on `n` threads at once and waits for all of them.
func runThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
    final class Job { let i: Int; let body: @Sendable (Int) -> Void; init(_ i: Int, _ b: @escaping @Sendable (Int) -> Void) { self.i = i; body = b } }
    var tids: [pthread_t] = []
    for i in 0..<n {
        var tid = pthread_t()
        let arg = Unmanaged.passRetained(Job(i, body)).toOpaque()
        let rc = pthread_create(&tid, nil, { a in
            guard let a else { return nil }
            let job = Unmanaged<Job>.fromOpaque(a).takeRetainedValue()
            job.body(job.i)
            return nil
        }, arg)
        guard rc == 0 else { throw TestSetupError("pthread_create failed") }
        tids.append(tid)
    }
    for tid in tids { pthread_join(tid, nil) }
}
