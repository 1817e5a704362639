import Testing
@testable import EmulatorCore

/// `importOrder` and `importDelayJitterMs`: a later session may be applied before an earlier one.
@Suite struct ImportOrderTests {
    /// Posts one session per name, each writing the same contact's firstName; returns their ids.
    func postSessions(_ s: TestServer, _ names: [String]) async -> [String] {
        var ids: [String] = []
        for name in names {
            let body = #"{"contacts":[\#(contactJSON(email: "same@b.co", first: name))],"dedupeOn":"email"}"#
            ids.append(await s.bulk(body)["asyncSessionId"]?.stringValue ?? "")
        }
        return ids
    }

    /// appliedSeq of each session, in arrival order.
    func appliedSeqs(_ s: TestServer) async -> [Int64] {
        await s.admin("GET", "/imports").arrayValue?.compactMap { $0["appliedSeq"]?.int64Value } ?? []
    }

    func firstName(_ s: TestServer) async -> JSONValue? { await s.allContacts().first?["firstName"] }

    @Test func arrivalIsTheDefault() async throws {
        try await withServer(flags: ["--import-delay-ms", "60000"]) { s in
            #expect(await s.admin("GET", "/config")["importOrder"] == .string("arrival"))
            _ = await postSessions(s, ["A", "B", "C"])
            await s.admin("POST", "/imports/flush")
            #expect(await appliedSeqs(s) == [1, 2, 3])
            #expect(await firstName(s) == .string("C"))
        }
    }

    @Test func reverseAppliesTheNewestFirst() async throws {
        try await withServer(flags: ["--import-delay-ms", "60000", "--import-order", "reverse"]) { s in
            _ = await postSessions(s, ["A", "B", "C"])
            await s.admin("POST", "/imports/flush")
            #expect(await appliedSeqs(s) == [3, 2, 1])
            #expect(await firstName(s) == .string("A"))
        }
    }

    @Test func shuffleIsASeededPermutation() async throws {
        func order(seed: Int) async throws -> [Int64] {
            var out: [Int64] = []
            try await withServer(flags: ["--seed", String(seed), "--import-delay-ms", "60000", "--import-order", "shuffle"]) { s in
                _ = await postSessions(s, (1...8).map { "N\($0)" })
                await s.admin("POST", "/imports/flush")
                out = await appliedSeqs(s)
            }
            return out
        }
        var orders: [[Int64]] = []
        for seed in 1...3 {
            let o = try await order(seed: seed)
            #expect(o.sorted() == Array(1...8))
            #expect(try await order(seed: seed) == o)
            orders.append(o)
        }
        #expect(orders.contains { $0 != Array(1...8) })
    }

    @Test func jitterLetsALaterSessionFinishFirst() async throws {
        // The jitter is large against the time it takes to post eight sessions, also on a loaded
        // machine (posting at 100 ms each kept arrival order with a 400 ms jitter under load).
        try await withServer(flags: ["--seed", "5", "--import-delay-ms", "20", "--import-delay-jitter-ms", "3000"]) { s in
            #expect(await s.admin("GET", "/config")["importDelayJitterMs"] == .int(3000))
            let ids = await postSessions(s, (1...8).map { "N\($0)" })
            for _ in 0..<300 {
                if await s.admin("GET", "/summary")["imports"]?["pending"] == .int(0) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let seqs = await appliedSeqs(s)
            #expect(seqs.count == ids.count)
            #expect(seqs != Array(1...8))
        }
    }

    @Test func badValuesAreRefused() async throws {
        try await withServer { s in
            for bad in [#"{"importOrder":"random"}"#, #"{"importOrder":1}"#, #"{"importDelayJitterMs":-1}"#] {
                #expect(await s.call("POST", "/_emulator/config", json: bad, apiKey: nil).status == 400, "\(bad)")
            }
            #expect(throws: EmulatorOptions.UsageError.self) { try EmulatorOptions.parse(["--import-order", "random"]) }
            #expect(throws: EmulatorOptions.UsageError.self) { try EmulatorOptions.parse(["--import-delay-jitter-ms", "-5"]) }
        }
    }
}
