import Testing
@testable import EmulatorCore

@Suite struct AdminTests {
    @Test func configReadsAndMergesAndRejectsBadValues() async throws {
        try await withServer({ $0.settings.importDelayMs = 7 }) { s in
            let c = await s.admin("GET", "/config")
            #expect(c["importDelayMs"] == .int(7))
            #expect(c["rateLimitBulk"] == .int(200))
            #expect(c["maxBodyMb"] == .int(64))
            #expect(c["retryAfter"] == .null)
            let merged = await s.admin("POST", "/config", json: #"{"latencyMs":1.5,"retryAfter":4}"#)
            #expect(merged["latencyMs"] == .double(1.5))
            #expect(merged["retryAfter"] == .int(4))
            #expect(merged["importDelayMs"] == .int(7))
            for bad in [#"{"latencyMs":-1}"#, #"{"nope":1}"#, #"{"maxBodyMb":0}"#, "[]", "{"] {
                #expect(await s.call("POST", "/_emulator/config", json: bad, apiKey: nil).status == 400, "\(bad)")
            }
            #expect(await s.admin("GET", "/config")["latencyMs"] == .double(1.5))
        }
    }

    @Test func resetForgetsStateButKeepsConfig() async throws {
        try await withServer { s in
            await s.admin("POST", "/config", json: #"{"latencyMs":1}"#)
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/groups","action":"status","status":500}]}"#)
            _ = await s.bulkAndWait(#"{"contacts":[\#(contactJSON(email: "a@b.co"))],"groupNames":["G"],"eventKeyForNewContacts":"e"}"#)
            await s.admin("POST", "/reset")
            let summary = await s.admin("GET", "/summary")
            let empty = try JSONParser.parse(#"{"contacts":0,"deleted":0,"groups":0,"events":0,"imports":{"pending":0,"finished":0,"error":0}}"#)
            #expect(summary == empty)
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
            #expect(await s.admin("GET", "/stats")["requests"] == .int(1))
            #expect(await s.admin("GET", "/config")["latencyMs"] == .int(1))
        }
    }

    @Test func contactsDumpIsNDJSONWithEveryStoredContact() async throws {
        try await withServer { s in
            for part in 0..<2 {
                let rows = (0..<2500).map { contactJSON(email: "u\(part)-\($0)@b.co", ext: "x\(part)-\($0)") }.joined(separator: ",")
                _ = await s.bulkAndWait(#"{"contacts":[\#(rows)],"groupNames":["All"]}"#)
            }
            #expect(await s.call("DELETE", "/api/v1/contact/100000001").status == 200)
            let r = await s.call("GET", "/_emulator/contacts", apiKey: nil)
            #expect(r.header("content-type") == "application/x-ndjson")
            let lines = r.text.split(separator: "\n")
            #expect(lines.count == 5000)
            let first = try JSONParser.parse(String(try #require(lines.first)))
            #expect(first["deleted"] == .bool(true))
            #expect(first["source"] == .string("import"))
            #expect(first["groups"]?.arrayValue?.first?["name"] == .string("All"))
            let imports = await s.admin("GET", "/imports")
            #expect(imports.arrayValue?.first?["contacts"] == .int(2500))
            #expect(imports.arrayValue?.first?["dedupeOn"] == .string("email"))
            #expect(await s.call("GET", "/_emulator/contacts/1", apiKey: nil).status == 404)
            #expect(await s.call("GET", "/_emulator/nothing", apiKey: nil).status == 404)
        }
    }

    @Test func adminIsNotCountedNorFaulted() async throws {
        try await withServer { s in
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/*","action":"status","status":500}]}"#)
            await s.admin("GET", "/summary")
            #expect(await s.admin("GET", "/stats")["requests"] == .int(0))
        }
    }
}
