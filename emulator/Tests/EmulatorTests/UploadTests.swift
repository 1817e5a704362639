import Testing
@testable import EmulatorCore

/// POST /contacts/upload against a real loopback file server.
@Suite struct UploadTests {
    static let csv = #"""
        First name,Last name,Address,Region,City,Postcode,Email,Sms,Language code,Timezone,External customer id,PROFILE.77
        John,Smith,"First str. 1, apt 2",West,London,12345,mail@example.com,380942583691,en,Europe/London,crm-1,gold
        "Ann ""Q""",Lee,,,,,ann@example.com,,,,,
        Bad,Row,,,,,not-an-email,,,,,\#r
        Phone,Only,,,,,,380501234567,,,crm-3,

        """#

    func waitFinished(_ s: TestServer, _ id: String) async throws -> JSONValue {
        for _ in 0..<200 {
            await s.admin("POST", "/imports/flush")
            let st = await s.call("GET", "/api/v1/importstatus/\(id)").json ?? .null
            if st["status"] == .string("FINISHED") || st["status"] == .string("ERROR") { return st }
            try await Task.sleep(for: .milliseconds(25))
        }
        return .null
    }

    @Test func importsTheFileWithBasicAuthFromTheLink() async throws {
        let files = try await FileServer.start(files: ["/contacts.csv": Array(Self.csv.utf8)])
        defer { Task { await files.stop() } }
        try await withServer { s in
            let body = #"{"link":"http://user:secret@127.0.0.1:\#(files.port)/contacts.csv","dedupeOn":"email_or_sms","groupNames":["FromFile"],"eventKeyForNewContacts":"fileNew"}"#
            let r = await s.call("POST", "/api/v1/contacts/upload", json: body)
            #expect(r.status == 200)
            let id = try #require(r.json?["asyncSessionId"]?.stringValue)
            let st = try await waitFinished(s, id)
            #expect(st["status"] == .string("FINISHED"))
            let mapping = st.mappingById
            #expect(Set(mapping.keys) == ["mail@example.com", "ann@example.com", "380501234567"])
            let john = try #require(await s.contact(mapping["mail@example.com"] ?? 0))
            #expect(john["source"] == .string("fileImport"))
            #expect(john["externalCustomerId"] == .string("crm-1"))
            #expect(john["address"]?["address"] == .string("First str. 1, apt 2"))
            #expect(john["address"]?["town"] == .string("London"))
            #expect(john["timeZone"] == .string("Europe/London"))
            #expect(john["fields"]?.arrayValue?.first?["id"] == .int(77))
            #expect(john["groups"]?.arrayValue?.first?["name"] == .string("FromFile"))
            #expect(await s.contact(mapping["ann@example.com"] ?? 0)?["firstName"] == .string("Ann \"Q\""))
            #expect(await s.admin("GET", "/events").arrayValue?.count == 3)
        }
        await files.stop()
    }

    @Test func aFileThatCannotBeFetchedEndsInError() async throws {
        let files = try await FileServer.start(files: ["/contacts.csv": Array(Self.csv.utf8), "/empty.csv": []])
        try await withServer { s in
            let cases = [
                "http://user:wrong@127.0.0.1:\(files.port)/contacts.csv": "401",
                "http://user:secret@127.0.0.1:\(files.port)/missing.csv": "404",
                "http://user:secret@127.0.0.1:\(files.port)/empty.csv": "empty",
                "http://127.0.0.1:1/contacts.csv": "connect",
            ]
            for (link, reason) in cases {
                let r = await s.call("POST", "/api/v1/contacts/upload", json: #"{"link":"\#(link)"}"#)
                let id = try #require(r.json?["asyncSessionId"]?.stringValue)
                let st = try await waitFinished(s, id)
                #expect(st["status"] == .string("ERROR"), "\(link)")
                #expect(st["description"]?.stringValue?.contains(reason) == true, "\(st.jsonText) should mention \(reason)")
            }
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(0))
        }
        await files.stop()
    }

    @Test func badUploadRequestsAre400() async throws {
        try await withServer { s in
            #expect(await s.call("POST", "/api/v1/contacts/upload", json: "{}").status == 400)
            let https = await s.call("POST", "/api/v1/contacts/upload", json: #"{"link":"https://h/f.csv"}"#)
            #expect(https.status == 400)
            #expect(https.text.contains("http://"))
            #expect(await s.call("POST", "/api/v1/contacts/upload", json: #"{"link":"http://h/f.csv","dedupeOn":"x"}"#).status == 400)
        }
    }

    @Test func csvRecordsFollowRFC4180() {
        let r = CSVContacts.records("a,\"b,c\",\"d\"\"e\"\r\n\"multi\nline\",x\nlast")
        #expect(r == [["a", "b,c", "d\"e"], ["multi\nline", "x"], ["last"]])
    }
}
