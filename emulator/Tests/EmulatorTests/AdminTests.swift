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

    @Test func issue12KeysHaveTheirDefaultsMergeAndRejectBadValues() async throws {
        try await withServer { s in
            let c = await s.admin("GET", "/config")
            #expect(c["duplicateWindowMs"] == .int(0))
            #expect(c["duplicateStatus"] == .int(400))
            #expect(c["duplicateBody"] == .string("Duplicated request"))
            #expect(c["failedShape"] == .string("indexed"))
            #expect(c["importOrder"] == .string("arrival"))
            #expect(c["importDelayJitterMs"] == .int(0))
            let merged = await s.admin("POST", "/config", json: #"{"duplicateWindowMs":250,"importOrder":"shuffle"}"#)
            #expect(merged["duplicateWindowMs"] == .int(250))
            #expect(merged["importOrder"] == .string("shuffle"))
            #expect(merged["failedShape"] == .string("indexed"))
            for bad in [#"{"duplicateWindowMs":-1}"#, #"{"duplicateWindowMs":"5"}"#, #"{"duplicateStatus":99}"#,
                        #"{"duplicateStatus":600}"#, #"{"duplicateBody":5}"#, #"{"failedShape":null}"#,
                        #"{"importOrder":"reverse","importDelayJitterMs":1.5}"#] {
                #expect(await s.call("POST", "/_emulator/config", json: bad, apiKey: nil).status == 400, "\(bad)")
            }
            // A rejected change changes nothing, not even its valid keys.
            #expect(await s.admin("GET", "/config")["importOrder"] == .string("shuffle"))
        }
    }

    @Test func contactsDumpCarriesEveryField() async throws {
        try await withServer { s in
            let full = #"{"externalCustomerId":"crm-1","firstName":"Ann","lastName":"Lee","channels":[{"type":"email","value":"a@b.co"},{"type":"sms","value":"380501234567"}],"address":{"region":"West","town":"London","address":"First str. 1","postcode":"12345"},"fields":[{"id":7,"value":"gold"}],"languageCode":"en","timeZone":"Europe/London","contactKey":"k-1"}"#
            _ = await s.bulkAndWait(#"{"contacts":[\#(full),\#(contactJSON(email: "gone@b.co"))],"groupNames":["VIP"]}"#)
            let all = await s.allContacts()
            #expect(all.count == 2)
            #expect(await s.call("DELETE", "/api/v1/contact/\(all[1]["id"]?.int64Value ?? 0)").status == 200)
            let dump = await s.allContacts()
            let c = try #require(dump.first)
            guard case .object(let members) = c else { Issue.record("not an object"); return }
            #expect(members.map(\.0) == ["id", "externalCustomerId", "firstName", "lastName", "channels", "address", "fields",
                                         "languageCode", "timeZone", "contactKey", "groups", "source", "confirmed",
                                         "deleted", "updatedAt"])
            #expect(c["channels"]?.arrayValue?.map { $0["value"] } == [.string("a@b.co"), .string("380501234567")])
            #expect(c["address"] == (try JSONParser.parse(#"{"region":"West","town":"London","address":"First str. 1","postcode":"12345"}"#)))
            #expect(c["fields"]?.arrayValue?.first?["id"] == .int(7))
            #expect(c["groups"]?.arrayValue?.map { $0["name"] } == [.string("VIP")])
            #expect(c["source"] == .string("import"))
            #expect(c["confirmed"] == .bool(true))
            #expect(c["deleted"] == .bool(false))
            // Deleted contacts are dumped too; unset fields are left out, not null.
            let gone = try #require(dump.last)
            #expect(gone["deleted"] == .bool(true))
            #expect(gone["firstName"] == nil && gone["address"] == nil)
            #expect((gone["updatedAt"]?.int64Value ?? 0) > (c["updatedAt"]?.int64Value ?? 0))
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
