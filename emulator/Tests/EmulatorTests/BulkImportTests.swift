import Testing
@testable import EmulatorCore

@Suite struct BulkImportTests {
    /// The seed guide's bulk body, verbatim (with its odd whitespace normalised to spaces).
    static let guideBody = """
        {
            "contacts": [{
                "channels": [{
                    "type": "email",
                    "value": "mail@example.com"
                }, {
                    "type": "sms",
                    "value": "380942583691"
                }],
                "firstName": "John",
                "lastName": "Smith",
                "address": {
                    "town": "London",
                    "region": "West",
                    "address": "First str. 1",
                    "postcode": "12345"
                },
                "fields": [{
                    "id": 12345,
                    "value": "..."
                }]
            }],
            "dedupeOn": "email",
            "customFieldsIDs": [12345],
            "groupNames": ["Customers"],
            "groupNamesExclude": ["Subscribers"],
            "restoreDeleted": false,
            "eventKeyForNewContacts": "newContact"
        }
        """

    @Test func guideBodyCreatesTheDocumentedContactEventAndSegment() async throws {
        try await withServer { s in
            let answer = await s.bulk(Self.guideBody)
            #expect(answer["asyncSessionId"]?.stringValue?.count == 36)
            #expect(answer["failedContacts"] == nil)
            await s.admin("POST", "/imports/flush")
            let status = await s.call("GET", "/api/v1/importstatus/\(answer["asyncSessionId"]?.stringValue ?? "")")
            #expect(status.json?["status"]?.stringValue == "FINISHED")
            let id = try #require(status.json?.mappingById["mail@example.com"])
            let c = await s.call("GET", "/api/v1/contact/\(id)")
            #expect(c.status == 200)
            let contact = try #require(c.json)
            #expect(contact["firstName"] == .string("John"))
            #expect(contact["lastName"] == .string("Smith"))
            #expect(contact["address"]?["town"] == .string("London"))
            #expect(contact["address"]?["postcode"] == .string("12345"))
            #expect(contact["fields"]?.arrayValue?.first?["value"] == .string("..."))
            #expect(contact["source"] == .string("import"))
            #expect(contact["confirmed"] == .bool(true))
            #expect(contact["groups"]?.arrayValue?.first?["name"] == .string("Customers"))
            #expect(contact["groups"]?.arrayValue?.first?["type"] == .string("Static"))
            let events = await s.admin("GET", "/events")
            let e = try #require(events.arrayValue?.first)
            #expect(e["type"] == .string("newContact"))
            #expect(e["key"] == .string("mail@example.com"))
            #expect(e["params"]?["contactId"] == .string(String(id)))
            #expect(e["params"]?["EmailAddress"] == .string("mail@example.com"))
            #expect(e["params"]?["SMS"] == .string("380942583691"))
            // A second import of the same contact is an update: no new event.
            _ = await s.bulkAndWait(Self.guideBody)
            #expect(await s.admin("GET", "/events").arrayValue?.count == 1)
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(1))
        }
    }

    @Test func importStaysInProgressUntilAppliedOrFlushed() async throws {
        try await withServer({ $0.settings.importDelayMs = 60_000 }) { s in
            let answer = await s.bulk(#"{"contacts":[\#(contactJSON(email: "a@b.co"))],"dedupeOn":"email"}"#)
            let id = try #require(answer["asyncSessionId"]?.stringValue)
            let early = await s.call("GET", "/api/v1/importstatus/\(id)")
            #expect(early.json?["status"] == .string("STARTED"))
            #expect(early.json?["mapping"] == nil)
            #expect(await s.admin("GET", "/summary")["imports"]?["pending"] == .int(1))
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(0))
            await s.admin("POST", "/imports/flush")
            let late = await s.call("GET", "/api/v1/importstatus/\(id)")
            #expect(late.json?["status"] == .string("FINISHED"))
            #expect(late.json?.mappingById["a@b.co"] != nil)
        }
    }

    @Test func importerAppliesWithoutBeingAsked() async throws {
        try await withServer({ $0.settings.importDelayMs = 50 }) { s in
            _ = await s.bulk(#"{"contacts":[\#(contactJSON(email: "a@b.co"))]}"#)
            var finished = false
            for _ in 0..<100 where !finished {
                try await Task.sleep(for: .milliseconds(20))
                let summary = await s.call("GET", "/_emulator/imports", apiKey: nil)
                finished = summary.json?.arrayValue?.first?["status"] == .string("FINISHED")
            }
            #expect(finished)
        }
    }

    @Test func unknownImportSessionIs404() async throws {
        try await withServer { s in
            #expect(await s.call("GET", "/api/v1/importstatus/nope").status == 404)
        }
    }

    @Test func validationFailuresAreListedWithIndexAndReason() async throws {
        try await withServer { s in
            let longName = String(repeating: "é", count: 41)
            let rows = [
                contactJSON(email: "ok@example.com"),                                     // 0 ok
                #"{"channels":[]}"#,                                                     // 1 no channel
                contactJSON(email: "not-an-email"),                                       // 2 bad email
                contactJSON(email: "x@example.com", first: longName),                     // 3 long name
                #"{"channels":[{"type":"email","value":"a@b.co"},{"type":"email","value":"c@b.co"},{"type":"email","value":"d@b.co"}]}"#, // 4 three emails
                contactJSON(sms: "12"),                                                   // 5 bad phone
                #"{"channels":[{"type":"fax","value":"1"}]}"#,                           // 6 bad type
                #""just a string""#,                                                     // 7 not an object
                contactJSON(sms: "380501234567"),                                        // 8 no email for dedupeOn=email
                #"{"id":"abc","channels":[{"type":"email","value":"q@b.co"}]}"#,         // 9 id wrong type
                contactJSON(email: "ok2@example.com", first: String(repeating: "é", count: 40)), // 10 ok: 40 is allowed
                contactJSON(sms: "380501234567", ext: "crm-1"),                          // 11 ok: ext needs no email
            ]
            let answer = await s.bulk(#"{"contacts":[\#(rows.joined(separator: ","))],"dedupeOn":"email"}"#)
            let failed = try #require(answer["failedContacts"]?.arrayValue)
            let byIndex = Dictionary(uniqueKeysWithValues: failed.compactMap { f in
                f["index"]?.int64Value.map { (Int($0), f["error"]?.stringValue ?? "") }
            })
            #expect(Set(byIndex.keys) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
            #expect(byIndex[1]?.contains("no channel") == true)
            #expect(byIndex[2]?.contains("invalid email") == true)
            #expect(byIndex[3]?.contains("longer than 40") == true)
            #expect(byIndex[4]?.contains("more than two email") == true)
            #expect(byIndex[5]?.contains("invalid phone") == true)
            #expect(byIndex[6]?.contains("fax") == true)
            #expect(byIndex[7]?.contains("JSON object") == true)
            #expect(byIndex[8]?.contains("no email") == true)
            #expect(byIndex[9]?.contains("id must be an integer") == true)
            // The failed contact is echoed as sent.
            #expect(failed.first { $0["index"] == .int(2) }?["contact"]?["channels"]?.arrayValue?.first?["value"] == .string("not-an-email"))
            await s.admin("POST", "/imports/flush")
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(3))
            #expect(await s.admin("GET", "/imports").arrayValue?.first?["contacts"] == .int(3))
        }
    }

    @Test func requestLevelProblemsAre400WithAReason() async throws {
        try await withServer { s in
            let one = contactJSON(email: "a@b.co")
            let many = Array(repeating: one, count: 3001).joined(separator: ",")
            let cases: [(String, String)] = [
                (#"{"contacts":[]}"#, "1 to 3000"),
                (#"{"contacts":[\#(many)]}"#, "3001"),
                (#"{"nothing":1}"#, "'contacts'"),
                (#"{"contacts":{}}"#, "'contacts'"),
                (#"{"contacts":[\#(one)],"dedupeOn":"phone"}"#, "dedupeOn"),
                (#"{"contacts":[\#(one)],"dedupeOn":"fieldId"}"#, "fieldId"),
                (#"{"contacts":[\#(one)],"eventKeyForNewContacts":"has;semicolon"}"#, "';'"),
                (#"{"contacts":[\#(one)],"eventKeyForNewContacts":"\#(String(repeating: "a", count: 101))"}"#, "100"),
                (#"{"contacts":[\#(one)],"restoreDeleted":"yes"}"#, "restoreDeleted"),
                (#"{"contacts":[\#(one)],"groupNames":"Customers"}"#, "groupNames"),
                (#"{"contacts":[\#(one)],"customFieldsIDs":["x"]}"#, "customFieldsIDs"),
                (#"[1,2]"#, "JSON object"),
            ]
            for (body, reason) in cases {
                let r = await s.call("POST", "/api/v1/contacts", json: body)
                #expect(r.status == 400, "\(body.prefix(80))")
                #expect(r.text.contains(reason), "\(r.text) should mention \(reason)")
                #expect(r.header("content-type") == "application/json;charset=UTF-8")
            }
            let exactly3000 = Array(repeating: one, count: 3000).joined(separator: ",")
            #expect(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[\#(exactly3000)]}"#).status == 200)
            #expect(await s.admin("GET", "/imports").arrayValue?.count == 1)
        }
    }

    @Test func trailingSlashFromTheGuideWorks() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/api/v1/contacts/", json: #"{"contacts":[\#(contactJSON(email: "a@b.co"))]}"#)
            #expect(r.status == 200)
        }
    }
}
