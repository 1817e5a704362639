import Foundation
import Testing
@testable import EmulatorCore

/// Auth, rate limits, latency and the stats that observe them.
@Suite struct RealismTests {
    @Test func authAcceptsOnlyConfiguredKeysWithAnyUser() async throws {
        try await withServer({ $0.apiKeys = ["k1", "k2"] }) { s in
            #expect(await s.call("GET", "/api/v1/groups", apiKey: "k1").status == 200)
            #expect(await s.call("GET", "/api/v1/groups", apiKey: "k2").status == 200)
            let wrong = await s.call("GET", "/api/v1/groups", apiKey: "test-key")
            #expect(wrong.status == 401)
            #expect(wrong.json?["status"] == .int(401))
            #expect(wrong.header("content-type") == "application/json;charset=UTF-8")
            #expect(!wrong.text.contains("test-key"))
            #expect(await s.call("GET", "/api/v1/groups", apiKey: nil).status == 401)
            for header in ["Bearer k1", "Basic !!!", "Basic " + Data("no-colon".utf8).base64EncodedString(), "Basic"] {
                #expect(await s.call("GET", "/api/v1/groups", apiKey: nil, headers: [("Authorization", header)]).status == 401)
            }
            let emptyUser = "Basic " + Data(":k2".utf8).base64EncodedString()
            #expect(await s.call("GET", "/api/v1/groups", apiKey: nil, headers: [("Authorization", emptyUser)]).status == 200)
        }
    }

    /// Fires `n` requests at once; the limiter sees them inside one second even on a busy machine.
    func burst(_ s: TestServer, _ n: Int, _ method: String, _ path: String, json: String? = nil) async -> [HTTPResult] {
        await withTaskGroup(of: HTTPResult.self) { g in
            for _ in 0..<n { g.addTask { await s.call(method, path, json: json) } }
            var out: [HTTPResult] = []
            for await r in g { out.append(r) }
            return out
        }
    }

    @Test func bulkRateLimitAnswers429WithoutRetryAfterByDefault() async throws {
        try await withServer({ $0.settings.rateLimitBulk = 1 }) { s in
            let body = #"{"contacts":[\#(contactJSON(email: "a@b.co"))]}"#
            let results = await burst(s, 8, "POST", "/api/v1/contacts", json: body)
            let limited = results.filter { $0.status == 429 }
            #expect(results.filter { $0.status == 200 }.count >= 1)
            #expect(limited.count >= 5)
            #expect(limited.allSatisfy { $0.header("retry-after") == nil && !$0.text.isEmpty })
            // Other routes have their own (unlimited) bucket.
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
            // The bucket refills.
            try await Task.sleep(for: .milliseconds(1100))
            #expect(await s.call("POST", "/api/v1/contacts", json: body).status == 200)
            #expect(await s.admin("GET", "/stats")["statuses"]?["429"] == .int(Int64(limited.count)))
            // Rejected requests imported nothing.
            #expect(await s.admin("GET", "/imports").arrayValue?.count == 8 - limited.count + 1)
        }
    }

    @Test func retryAfterSettingAndOtherRoutesLimit() async throws {
        try await withServer({ $0.settings.rateLimitOther = 1; $0.settings.retryAfter = 3 }) { s in
            let results = await burst(s, 8, "GET", "/api/v1/groups")
            let limited = results.filter { $0.status == 429 }
            #expect(limited.count >= 5)
            #expect(limited.allSatisfy { $0.header("retry-after") == "3" })
            // Changing the limit at run time takes effect.
            await s.admin("POST", "/config", json: #"{"rateLimitOther":0,"retryAfter":null}"#)
            #expect(await burst(s, 8, "GET", "/api/v1/groups").allSatisfy { $0.status == 200 })
            #expect(await s.admin("GET", "/config")["retryAfter"] == .null)
        }
    }

    @Test func latencyModelDelaysBulkByContactCount() async throws {
        try await withServer({ $0.settings.latencyMs = 100; $0.settings.latencyPerContactUs = 1000 }) { s in
            let rows = (0..<200).map { contactJSON(email: "u\($0)@b.co") }.joined(separator: ",")
            var start = ContinuousClock.now
            #expect(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[\#(rows)]}"#).status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(295))   // 100 + 200 × 1 ms
            start = ContinuousClock.now
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(95))
        }
    }

    @Test func statsCountRoutesStatusesBytesAndConcurrency() async throws {
        try await withServer({ $0.settings.latencyMs = 300 }) { s in
            let body = #"{"contacts":[\#(contactJSON(email: "a@b.co")),\#(contactJSON(email: "c@b.co"))]}"#
            await withTaskGroup(of: Int.self) { g in
                for _ in 0..<5 { g.addTask { await s.call("POST", "/api/v1/contacts", json: body).status } }
                g.addTask { await s.call("GET", "/api/v1/contact/5").status }
                for await _ in g {}
            }
            let st = await s.admin("GET", "/stats")
            #expect(st["requests"] == .int(6))
            #expect(st["bulkRequests"] == .int(5))
            #expect(st["contactsReceived"] == .int(10))
            #expect(st["bytesReceived"] == .int(Int64(5 * body.utf8.count)))
            #expect(st["byRoute"]?["POST /api/v1/contacts"] == .int(5))
            #expect(st["byRoute"]?["GET /api/v1/contact/{id}"] == .int(1))
            #expect(st["statuses"]?["200"] == .int(5))
            #expect(st["statuses"]?["404"] == .int(1))
            #expect((st["maxInFlightBulk"]?.int64Value ?? 0) >= 2)
            #expect((st["maxInFlight"]?.int64Value ?? 0) >= (st["maxInFlightBulk"]?.int64Value ?? 0))
            #expect(st["peakRequestsPerSecond"] == .int(6))
            #expect(st["peakBulkRequestsPerSecond"] == .int(5))
            #expect((st["bulkSpanMs"]?.int64Value ?? -1) >= 0)   // first to last bulk start
            let zero = await s.admin("POST", "/stats/reset")
            #expect(zero["requests"] == .int(0))
            #expect(zero["bulkSpanMs"] == .int(0))
            #expect(zero["maxInFlight"] == .int(0))
        }
    }

    @Test func expectContinueGetsAnInterimAnswer() async throws {
        try await withServer { s in
            let body = Array(#"{"contacts":[\#(contactJSON(email: "a@b.co"))]}"#.utf8)
            let auth = Data("u:test-key".utf8).base64EncodedString()
            let head = "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \(auth)\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
            let (gotContinue, result) = await RawHTTPClient.sendExpectingContinue(port: s.port, head: Array(head.utf8), body: body)
            #expect(gotContinue)
            #expect(result.status == 200)
        }
    }
}
