// The shared budget against a real redis-server and the emulator: the lease script's slots,
// Redis unreachable at start (error, or the local fallback when asked), two clients on one
// budget drawing no 429, and Redis killed and restarted under a running job. No timing is
// asserted: counts, states and orders only.
import Glibc
import Synchronization
import Testing
@testable import YespoCore

private let secretKey = "test-key"

/// A value shared with callbacks and threads (Mutex itself cannot be captured by an escaping closure).
private final class Box<T: Sendable>: Sendable {
    private let m: Mutex<T>
    init(_ v: T) { m = Mutex(v) }
    func update<R>(_ f: (inout T) -> R) -> R { m.withLock { f(&$0) } }
    var value: T { m.withLock { $0 } }
}

private func budgetClient(_ emu: EmulatorProcess, redis: String, rate: Int, name: String? = nil,
                          _ change: (inout ClientSettings) -> Void = { _ in }) throws -> YespoClient {
    try jobClient(emu, apiKey: secretKey) { s in
        s.requestsPerSecond = rate
        s.chunkSize = 50
        s.sharedBudget.url = redis
        s.sharedBudget.name = name
        change(&s)
    }
}

@Suite("Shared budget against Redis", .serialized)
struct SharedBudgetRedisTests {
    @Test func leaseScriptHandsOutEvenlySpacedSlotsOnRedisTime() throws {
        try RedisProcess.with { redis in
            let c = try RESPConnection(host: "127.0.0.1", port: redis.port, timeoutMs: 2000)
            defer { c.close() }
            let sha = try SharedBudgetScript.load(c)
            let first = try SharedBudgetScript.lease(c, sha: sha, key: "yespo:budget:t", intervalMicros: 100_000,
                                                     want: 5, horizonMicros: 10_000_000)
            #expect(first.slots.count == 5)
            #expect(first.slots.first == first.redisNow)   // an idle budget starts now, with no burst credit
            #expect(zip(first.slots, first.slots.dropFirst()).allSatisfy { $1 - $0 == 100_000 })
            #expect(first.nextFree == first.slots[4] + 100_000)
            let second = try SharedBudgetScript.lease(c, sha: sha, key: "yespo:budget:t", intervalMicros: 100_000,
                                                      want: 3, horizonMicros: 10_000_000)
            #expect(second.slots == [first.nextFree, first.nextFree + 100_000, first.nextFree + 200_000])
            // Nothing free within the horizon: no slot, and the answer says when the next one is.
            let none = try SharedBudgetScript.lease(c, sha: sha, key: "yespo:budget:t", intervalMicros: 100_000,
                                                    want: 3, horizonMicros: 0)
            #expect(none.slots.isEmpty && none.nextFree == second.nextFree)
            guard case .integer(let ttl) = try c.command(["PTTL", "yespo:budget:t"]) else { Issue.record("no TTL"); return }
            #expect(ttl > 0)   // an idle budget's key goes away by itself
        }
    }

    @Test func unreachableRedisAtStartIsAClearErrorWithoutThePassword() throws {
        let port = try freePort()
        var s = ClientSettings(apiKey: secretKey)
        s.baseURL = "http://127.0.0.1:1/api/v1"
        s.sharedBudget.url = "redis://:hunter2@127.0.0.1:\(port)/0"
        do {
            _ = try YespoClient(settings: s)
            Issue.record("the client was created without Redis")
        } catch {
            #expect(error.code == .transport)
            #expect(error.message.contains("redis://127.0.0.1:\(port)/0"), "\(error.message)")
            #expect(!error.message.contains("hunter2") && !error.message.contains(secretKey))
        }
        // Through configure: the settings are refused whole and the client keeps its old ones.
        s.sharedBudget.url = nil
        let client = try YespoClient(settings: s)
        defer { client.close() }
        #expect(throws: YespoError.self) {
            try client.configure { $0.sharedBudget.url = "redis://:hunter2@127.0.0.1:\(port)/0" }
        }
        #expect(client.settings.sharedBudget.url == nil)
    }

    @Test func localFallbackAtStartIsReported() throws {
        let port = try freePort()
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try budgetClient(emu, redis: "redis://127.0.0.1:\(port)/0", rate: 40) {
                $0.sharedBudget.startFallback = .local
                $0.sharedBudget.expectedProcesses = 2
            }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            try job.feed(jobContacts("fallback", 0..<300))
            let report = try job.finish()
            #expect(report.accepted == 300)
            let b = try #require(report.sharedBudget)
            #expect(b.mode == "local" && b.fallbacks == 1 && b.localRate == 20)
            #expect(b.fallbackSinceMs != nil && b.rejoinedMs == nil)
            #expect(b.reason?.contains("redis://127.0.0.1:\(port)/0") == true)
            #expect(report.summaryJSON().contains("\"sharedBudget\":{\"name\":\"key-"))
        }
    }

    @Test func twoClientsOnOneBudgetDrawNo429() throws {
        try RedisProcess.with { redis in
            try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "20"]) { emu in
                // Each client alone would be allowed the whole 20/s: only the shared budget keeps
                // the two together under the emulator's limit.
                let clients = try (0..<2).map { _ in try budgetClient(emu, redis: redis.url, rate: 20, name: "pair") }
                defer { for c in clients { c.close() } }
                let jobs = try clients.map { try $0.beginUpsert(UpsertOptions()) }
                let reports = Box<[UpsertReport]>([])
                let threads = try jobs.enumerated().map { i, job in
                    try JobThread(name: "feeder \(i)") {
                        try? job.feed(jobContacts("pair\(i)", 0..<1000))
                        if let r = try? job.finish() { reports.update { $0.append(r) } }
                    }
                }
                for t in threads { t.join() }
                let done = reports.value
                #expect(done.count == 2)
                #expect(done.allSatisfy { $0.accepted == 1000 && $0.throttled == 0 })
                #expect(done.allSatisfy { $0.sharedBudget?.name == "pair" && $0.sharedBudget?.fallbacks == 0 })
                #expect(try emu.stat("bulkRequests") == 40)
                #expect(jsonInt(try emu.adminText("GET", "/stats"), "429") == nil)
                #expect(try redis.keys("*") == ["yespo:budget:pair"])
            }
        }
    }

    @Test func redisKilledAndRestartedUnderAJob() throws {
        try RedisProcess.with { redis in
            try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
                let client = try budgetClient(emu, redis: redis.url, rate: 20) {
                    $0.chunkSize = 10
                    $0.sharedBudget.expectedProcesses = 2
                }
                defer { client.close() }
                let job = try client.beginUpsert(UpsertOptions())
                let batches = Box(0)
                let problems = Box<[String]>([])
                job.setOutcomeHandler { _ in
                    // The job's callback thread: kill Redis after 10 chunks, bring it back after 20.
                    let n = batches.update { $0 += 1; return $0 }
                    if n == 10 { redis.kill() }
                    if n == 20 {
                        do { try redis.start() } catch { problems.update { $0.append("\(error)") } }
                    }
                }
                try job.feed(jobContacts("lost", 0..<600))
                let report = try job.finish()
                #expect(problems.value.isEmpty)
                #expect(report.accepted == 600 && report.notSent == 0 && report.complete)
                let b = try #require(report.sharedBudget)
                #expect(b.fallbacks == 1, "\(report.summaryJSON())")
                #expect(b.mode == "shared" && b.fallbackSinceMs != nil && b.rejoinedMs != nil)
                #expect((b.rejoinedMs ?? 0) >= (b.fallbackSinceMs ?? Int64.max))
                #expect(try emu.stat("contactsReceived") == 600)
                // Back in Redis under the hash of the key, never the key.
                let keys = try redis.keys("*")
                #expect(keys.count == 1 && keys.allSatisfy { $0.hasPrefix("yespo:budget:key-") && !$0.contains(secretKey) })
            }
        }
    }
}
