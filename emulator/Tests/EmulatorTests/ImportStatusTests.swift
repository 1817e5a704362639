import Testing
@testable import EmulatorCore

/// /importstatus walks STARTED → IMPORTING → FINISHED | ERROR, with `timestamps`.
@Suite struct ImportStatusTests {
    let one = #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}]}]}"#

    /// `2025-06-01T12:00:00.123Z`
    func isISO(_ v: JSONValue?) -> Bool {
        guard let s = v?.stringValue else { return false }
        return s.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil
    }

    func poll(_ s: TestServer, _ id: String) async -> JSONValue {
        await s.call("GET", "/api/v1/importstatus/\(id)").json ?? .null
    }

    @Test func aPollerSeesEveryStatusWithTimestamps() async throws {
        try await withServer(flags: ["--import-delay-ms", "4000"]) { s in
            let id = try #require(await s.bulk(one)["asyncSessionId"]?.stringValue)
            let started = await poll(s, id)
            #expect(started["status"] == .string("STARTED"))
            #expect(started["mapping"] == nil)
            #expect(isISO(started["timestamps"]?["created"]))
            #expect(started["timestamps"]?["started"] == nil)
            // Wide margins: the suite runs in parallel on a small machine.
            try await Task.sleep(for: .milliseconds(2700))
            let importing = await poll(s, id)
            #expect(importing["status"] == .string("IMPORTING"))
            #expect(isISO(importing["timestamps"]?["started"]))
            #expect(importing["timestamps"]?["finished"] == nil)
            try await Task.sleep(for: .milliseconds(1500))
            let finished = await poll(s, id)
            #expect(finished["status"] == .string("FINISHED"))
            #expect(finished.mappingById["a@b.co"] != nil)
            let t = try #require(finished["timestamps"])
            #expect(isISO(t["created"]) && isISO(t["started"]) && isISO(t["finished"]))
            // ISO-8601 text in UTC sorts as time does.
            let c = t["created"]?.stringValue ?? "", st = t["started"]?.stringValue ?? "", f = t["finished"]?.stringValue ?? ""
            #expect(c < st && st <= f)
        }
    }

    @Test func errorCarriesADescriptionAndFinishedTime() async throws {
        try await withServer { s in
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/contacts","count":1,"action":"importError"}]}"#)
            let status = await s.bulkAndWait(one)
            #expect(status["status"] == .string("ERROR"))
            #expect(status["description"]?.stringValue?.isEmpty == false)
            #expect(isISO(status["timestamps"]?["finished"]))
            #expect(isISO(status["timestamps"]?["started"]))
        }
    }

    @Test func flushFinishesAStartedSession() async throws {
        try await withServer(flags: ["--import-delay-ms", "60000"]) { s in
            let id = try #require(await s.bulk(one)["asyncSessionId"]?.stringValue)
            let listed = await s.admin("GET", "/imports").arrayValue?.first
            #expect(listed?["status"] == .string("STARTED"))
            #expect(isISO(listed?["timestamps"]?["created"]))
            await s.admin("POST", "/imports/flush")
            let done = await poll(s, id)
            #expect(done["status"] == .string("FINISHED"))
            // Applied before half the delay: started is when it was applied.
            #expect(done["timestamps"]?["started"] == done["timestamps"]?["finished"])
            #expect(await s.admin("GET", "/imports").arrayValue?.first?["appliedSeq"] == .int(1))
        }
    }

    /// A zero-delay session that is not applied yet answers STARTED to its first poll (the
    /// importer usually applies it before anyone asks, so this is checked on the model).
    @Test func zeroDelayAnswersStartedToTheFirstPollOnly() throws {
        var registry = ImportRegistry(seed: 0)
        let now = ContinuousClock.now
        registry.add(ImportSession(id: "s", contactCount: 0, dedupeOn: .email, rows: [], options: ImportOptions()),
                     delayMs: 0, jitterMs: 0, now: now)
        var s = try #require(registry.sessions["s"])
        #expect(s.statusName(now: now) == "STARTED")
        #expect(s.timestamps(now: now).map(\.0) == ["created"])
        s.polled = true
        #expect(s.statusName(now: now) == "IMPORTING")
    }

    @Test func theImporterStillFinishesZeroDelaySessions() async throws {
        try await withServer { s in
            let id = try #require(await s.bulk(one)["asyncSessionId"]?.stringValue)
            var seen: [String] = []
            for _ in 0..<50 {
                let st = await poll(s, id)["status"]?.stringValue ?? "?"
                if seen.last != st { seen.append(st) }
                if st == "FINISHED" { break }
            }
            #expect(seen.last == "FINISHED")
            #expect(seen.allSatisfy { ["STARTED", "IMPORTING", "FINISHED"].contains($0) })
        }
    }
}
