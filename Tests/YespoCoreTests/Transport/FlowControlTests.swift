// The pure parts of flow control and settings, checked without a network: Retry-After parsing,
// backoff bounds, the budget's exact window, adaptive concurrency, and which base URLs are allowed.

import Testing
@testable import YespoCore

@Suite("Flow control and settings")
struct FlowControlTests {
    @Test func retryAfterSecondsAndDates() {
        let now: Int64 = 784_111_777   // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.retryAfterMs("3", nowEpochSeconds: now, capMs: 120_000) == 3000)
        #expect(RetryPolicy.retryAfterMs(" 0 ", nowEpochSeconds: now, capMs: 120_000) == 0)
        #expect(RetryPolicy.retryAfterMs("999999999999", nowEpochSeconds: now, capMs: 120_000) == 120_000)
        #expect(RetryPolicy.retryAfterMs("Sun, 06 Nov 1994 08:49:47 GMT", nowEpochSeconds: now, capMs: 120_000) == 10_000)
        #expect(RetryPolicy.retryAfterMs("Sunday, 06-Nov-94 08:49:39 GMT", nowEpochSeconds: now, capMs: 120_000) == 2000)
        #expect(RetryPolicy.retryAfterMs("Sun Nov  6 08:49:40 1994", nowEpochSeconds: now, capMs: 120_000) == 3000)
        #expect(RetryPolicy.retryAfterMs("Sun, 06 Nov 1994 08:00:00 GMT", nowEpochSeconds: now, capMs: 120_000) == 0)
        #expect(RetryPolicy.retryAfterMs("soon", nowEpochSeconds: now, capMs: 120_000) == nil)
        #expect(RetryPolicy.parseHTTPDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryPolicy.parseHTTPDate("Tue, 29 Feb 2028 12:00:00 GMT") == 1_835_438_400)   // date -u -d "2028-02-29 12:00:00" +%s
    }

    @Test func backoffIsFullJitterUnderTheCap() {
        var rng = SplitMix64(seed: 1)
        var seen = Set<Int>()
        for retry in 1...40 {
            let d = RetryPolicy.backoffMs(retry: retry, baseMs: 100, maxMs: 2000, random: &rng)
            #expect(d >= 0 && d <= min(2000, 100 << min(retry - 1, 30)))
            seen.insert(d)
        }
        #expect(seen.count > 20)
        #expect(RetryPolicy.backoffMs(retry: 99, baseMs: Int.max / 2, maxMs: 500, random: &rng) <= 500)
    }

    @Test func budgetAllowsAtMostRateStartsInAnyWindow() {
        var b = RequestBudget(rate: 50, now: 0)
        var starts: [Int64] = []
        var now: Int64 = 0
        while now < 5_000_000 {
            let wait = b.delayUntilAllowed(now: now)
            if wait == 0 { b.consume(now: now); starts.append(now) } else { now += wait }
        }
        #expect(starts.count >= 220)   // ~50/s over 5 s, minus the window's margin
        for (i, s) in starts.enumerated() {
            let inWindow = starts[i...].prefix { $0 < s + 1_000_000 }.count
            #expect(inWindow <= 50)
        }
        // The burst is rate/10: the first 5 go at once, the 6th waits.
        var fresh = RequestBudget(rate: 50, now: 0)
        for _ in 0..<5 { #expect(fresh.delayUntilAllowed(now: 0) == 0); fresh.consume(now: 0) }
        #expect(fresh.delayUntilAllowed(now: 0) > 0)
        var none = RequestBudget(rate: 0, now: 0)
        for _ in 0..<1000 { #expect(none.delayUntilAllowed(now: 0) == 0); none.consume(now: 0) }
    }

    @Test func adaptiveConcurrencyHalvesOncePerRoundAndRecovers() {
        var a = AdaptiveConcurrency(limit: 16, enabled: true)
        a.throttled(attemptStartedAt: 10, now: 100)
        #expect(a.current == 8)
        a.throttled(attemptStartedAt: 50, now: 120)   // was on the wire before the cut: no second cut
        #expect(a.current == 8)
        a.throttled(attemptStartedAt: 150, now: 200)
        #expect(a.current == 4)
        for _ in 0..<4 { a.succeeded() }
        #expect(a.current == 5)
        for _ in 0..<1000 { a.succeeded() }
        #expect(a.current == 16)
        var off = AdaptiveConcurrency(limit: 4, enabled: false)
        off.throttled(attemptStartedAt: 0, now: 1)
        #expect(off.current == 4)
    }

    @Test func plainHTTPOnlyToLoopbackUnlessAllowed() throws {
        func check(_ url: String, insecure: Bool = false) -> YespoErrorCode? {
            var s = ClientSettings(apiKey: "k")
            s.baseURL = url
            s.allowInsecureHTTP = insecure
            do { _ = try s.validated(); return nil } catch { return error.code }
        }
        #expect(check("https://api.yespo.io/api/v1") == nil)
        #expect(check("http://127.0.0.1:8080/api/v1") == nil)
        #expect(check("http://127.9.8.7/api/v1") == nil)
        #expect(check("http://localhost:1/api/v1") == nil)
        #expect(check("http://[::1]:99/api/v1") == nil)
        #expect(check("http://api.yespo.io/api/v1") == .invalidArgument)
        #expect(check("http://127.0.0.1.evil.com/api/v1") == .invalidArgument)
        #expect(check("http://128.0.0.1/api/v1") == .invalidArgument)
        #expect(check("http://api.yespo.io/api/v1", insecure: true) == nil)
        #expect(check("ftp://127.0.0.1/") == .invalidArgument)
        #expect(check("https://user:pw@api.yespo.io/") == .invalidArgument)
        #expect(check("https://api.yespo.io/api v1") == .invalidArgument)
        var s = ClientSettings(apiKey: "k")
        s.baseURL = "https://api.yespo.io/api/v1/"
        #expect(try s.validated().baseURL == "https://api.yespo.io/api/v1")
    }

    @Test func settingsRangesAreCheckedAndTheKeyIsNeverQuoted() {
        var s = ClientSettings(apiKey: "top-secret\n")
        #expect(throws: YespoError.self) { try s.validated() }
        do { _ = try s.validated() } catch { #expect(!error.message.contains("top-secret")) }
        s = ClientSettings(apiKey: "")
        #expect(throws: YespoError.self) { try s.validated() }
        s = ClientSettings(apiKey: "k")
        s.concurrency = 0
        #expect(throws: YespoError.self) { try s.validated() }
        s.concurrency = 257
        #expect(throws: YespoError.self) { try s.validated() }
        s.concurrency = 8
        s.chunkSize = 3001
        #expect(throws: YespoError.self) { try s.validated() }
        s.chunkSize = 3000
        #expect((try? s.validated()) != nil)
    }

    @Test func base64MatchesKnownValues() {
        #expect(base64Encode(Array(":test-key".utf8)) == "OnRlc3Qta2V5")
        #expect(base64Encode(Array("a".utf8)) == "YQ==")
        #expect(base64Encode(Array("ab".utf8)) == "YWI=")
        #expect(base64Encode([]) == "")
    }
}
