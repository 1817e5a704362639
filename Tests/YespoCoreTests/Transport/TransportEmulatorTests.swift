// The transport against the real emulator over loopback: the emulator's own counters prove that
// concurrency and the request budget hold, and its fault rules drive the retry paths.

import Glibc
import Synchronization
import Testing
@testable import YespoCore

/// A valid bulk body of `n` contacts whose emails start with `tag`.
func bulkBody(_ tag: String, _ n: Int = 1) -> [UInt8] {
    let contacts = (0..<n).map { "{\"channels\":[{\"type\":\"email\",\"value\":\"\(tag)-\($0)@example.com\"}]}" }
    return Array("{\"dedupeOn\":\"email\",\"contacts\":[\(contacts.joined(separator: ","))]}".utf8)
}

func bulk(_ tag: String, _ n: Int = 1) -> HTTPRequest {
    HTTPRequest(method: "POST", path: "/contacts", body: bulkBody(tag, n), requestClass: .bulk)
}

/// Submits every request and waits for all completions; returns the outcomes in submission order.
func sendAll(_ t: Transport, _ requests: [HTTPRequest]) -> [HTTPOutcome] {
    let results = Mutex<[Int: HTTPOutcome]>([:])
    let done = OneShot<Bool>()
    for (i, r) in requests.enumerated() {
        t.submit(r) { out in
            let count = results.withLock { $0[i] = out; return $0.count }
            if count == requests.count { done.fulfil(true) }
        }
    }
    if !requests.isEmpty { _ = done.wait() }
    return results.withLock { m in (0..<requests.count).compactMap { m[$0] } }
}

func emulatorTransport(_ emu: EmulatorProcess, _ change: (inout ClientSettings) -> Void = { _ in }) throws -> Transport {
    try Transport(settings: quickSettings(emu.baseURL, change), log: LogSink())
}

@Suite("Transport against the emulator", .serialized)
struct TransportEmulatorTests {
    @Test func bulkConcurrencyNeverExceedsTheSetting() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--latency-ms", "40"]) { emu in
            let t = try emulatorTransport(emu) { $0.concurrency = 3 }
            defer { t.close() }
            let outs = sendAll(t, (0..<24).map { bulk("c\($0)") })
            #expect(outs.allSatisfy { $0.status == 200 })
            #expect(try emu.stat("maxInFlightBulk") == 3)
            #expect(try emu.stat("bulkRequests") == 24)
        }
    }

    @Test func theRequestBudgetIsNeverExceeded() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let t = try emulatorTransport(emu) { $0.concurrency = 8; $0.requestsPerSecond = 15 }
            defer { t.close() }
            let outs = sendAll(t, (0..<40).map { bulk("r\($0)") })
            #expect(outs.allSatisfy { $0.status == 200 })
            let peak = try emu.stat("peakBulkRequestsPerSecond")
            #expect(peak <= 15)
            #expect(peak >= 8)   // the budget is used, not just obeyed
        }
    }

    @Test func withTheServersOwnLimitAsBudgetNothingIsThrottled() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "20"]) { emu in
            let t = try emulatorTransport(emu) { $0.concurrency = 8; $0.requestsPerSecond = 20 }
            defer { t.close() }
            let outs = sendAll(t, (0..<50).map { bulk("s\($0)") })
            #expect(outs.allSatisfy { $0.status == 200 && $0.attempts == 1 })
            #expect(t.stats().throttled == 0)
            #expect(jsonInt(try emu.adminText("GET", "/stats"), "429") ?? 0 == 0)
        }
    }

    @Test(arguments: [nil, 1] as [Int?])
    func throttlingIsRetriedThroughWithAndWithoutRetryAfter(retryAfter: Int?) throws {
        var args = ["--quiet", "--rate-limit-bulk", "5"]
        if let ra = retryAfter { args += ["--retry-after", "\(ra)"] }
        try EmulatorProcess.with(args) { emu in
            let t = try emulatorTransport(emu) { $0.concurrency = 6; $0.maxRetries = 30; $0.retryBaseMs = 100; $0.retryMaxMs = 1000 }
            defer { t.close() }
            let outs = sendAll(t, (0..<15).map { bulk("t\($0)") })
            #expect(outs.allSatisfy { $0.status == 200 })
            let stats = t.stats()
            #expect(stats.throttled > 0)
            #expect(stats.retries == stats.throttled)
            #expect(stats.concurrency < 6)   // adaptive concurrency backed off and has not fully recovered
            #expect(try emu.stat("bulkRequests") == stats.requests)
            _ = try emu.adminText("POST", "/imports/flush")
            #expect(jsonInt(try emu.adminText("GET", "/summary"), "contacts") == 15)
        }
    }

    @Test func serverErrorsDropsAndCutAnswersAreRetried() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let rules = """
            {"seed":7,"rules":[
             {"method":"POST","path":"/api/v1/contacts","count":2,"action":"status","status":500},
             {"method":"POST","path":"/api/v1/contacts","count":2,"action":"status","status":503,"retryAfter":1},
             {"method":"POST","path":"/api/v1/contacts","count":2,"action":"drop"},
             {"method":"POST","path":"/api/v1/contacts","count":2,"action":"dropMidResponse"},
             {"method":"POST","path":"/api/v1/contacts","count":1,"action":"stall","delayMs":3000}]}
            """
            _ = try emu.adminText("POST", "/faults", body: rules)
            let t = try emulatorTransport(emu) { $0.concurrency = 4; $0.timeoutMs = 1500 }
            defer { t.close() }
            let outs = sendAll(t, (0..<12).map { bulk("f\($0)", 3) })
            #expect(outs.allSatisfy { $0.status == 200 })
            #expect(try emu.stat("faultsInjected") == 9)
            // curl itself re-sends once when a reused keep-alive connection is dropped before any
            // byte of answer, so the two plain drops may not reach our retry count.
            #expect((7...9).contains(t.stats().retries))
            #expect(try emu.stat("bulkRequests") == 12 + 9)
            _ = try emu.adminText("POST", "/imports/flush")
            #expect(jsonInt(try emu.adminText("GET", "/summary"), "contacts") == 36)
        }
    }

    @Test func aWrongKeyIsRefusedAtOnce() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            let t = try Transport(settings: quickSettings(emu.baseURL) { $0.apiKey = "not-the-key" }, log: LogSink())
            defer { t.close() }
            let out = t.perform(bulk("k"))
            #expect(out.status == 401 && out.attempts == 1)
            #expect(jsonInt(try emu.adminText("GET", "/stats"), "401") == 1)
        }
    }

    @Test func theKeyNeverAppearsInLogsOrErrors() throws {
        try EmulatorProcess.with(["--quiet", "--api-key", "sEcReT-kEy-42"]) { emu in
            let lines = Mutex<[String]>([])
            let sink = LogSink()
            sink.setHandler(maxLevel: .debug) { _, line in lines.withLock { $0.append(line) } }
            _ = try emu.adminText("POST", "/faults", body: #"{"rules":[{"path":"/api/v1/contacts","count":1,"action":"status","status":500}]}"#)
            let t = try Transport(settings: quickSettings(emu.baseURL) { $0.apiKey = "sEcReT-kEy-42" }, log: sink)
            let out = t.perform(bulk("l"))
            t.close()
            #expect(out.status == 200 && out.attempts == 2)
            let all = lines.withLock { $0 }
            #expect(all.count >= 2)
            #expect(!all.contains { $0.contains("sEcReT") || $0.contains(base64Encode(Array(":sEcReT-kEy-42".utf8))) })
        }
    }

    /// Not a speed assertion: prints requests/s and the engine thread's CPU per request.
    @Test func measureThroughput() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--rate-limit-other", "0"]) { emu in
            let t = try emulatorTransport(emu) { $0.concurrency = 8 }
            defer { t.close() }
            _ = sendAll(t, (0..<50).map { bulk("w\($0)") })   // warm up connections
            let n = 2000
            let cpu0 = t.engineCPUMicros
            let start = monotonicMicros()
            let outs = sendAll(t, (0..<n).map { bulk("m\($0)") })
            let elapsed = Double(monotonicMicros() - start) / 1e6
            let cpu = Double(t.engineCPUMicros - cpu0)
            #expect(outs.allSatisfy { $0.status == 200 })
            print("transport throughput: \(Int(Double(n) / elapsed)) bulk requests/s (1 contact each, concurrency 8); engine CPU \(Int(cpu / Double(n))) µs/request; connections opened \(t.stats().connectionsOpened)")
        }
    }
}
