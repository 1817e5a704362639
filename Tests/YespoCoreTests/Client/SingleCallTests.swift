// Every single call of the client against the emulator, and the errors they map to.
import Testing
@testable import YespoCore

@Suite("Single calls against the emulator", .serialized)
struct SingleCallTests {
    func id(_ json: String) -> Int64? {
        guard case .success(let doc) = JSONDocument.parse(json) else { return nil }
        return doc.root["id"]?.int64
    }

    func code(_ body: () throws -> Void) -> YespoErrorCode? {
        do { try body(); return nil } catch { return (error as? YespoError)?.code }
    }

    @Test func contactLifecycle() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let added = try client.addContact(#"{"firstName":"Ann","externalCustomerId":"crm-1","channels":[{"type":"email","value":"ann@example.com"}]}"#)
            let annId = try #require(id(added))
            #expect(try client.getContact(id: annId).contains("ann@example.com"))
            try client.updateContact(id: annId, #"{"firstName":"Anna","channels":[{"type":"email","value":"ann@example.com"}]}"#)
            #expect(try client.getContact(id: annId).contains("Anna"))
            #expect(code { try client.updateContact(id: 987_654, #"{"firstName":"X","channels":[{"type":"email","value":"x@example.com"}]}"#) } == .notFound)

            let subscribed = try client.subscribe(#"{"contact":{"channels":[{"type":"email","value":"sub@example.com"}]},"groups":["Newsletter"],"formType":"footer"}"#)
            let subId = try #require(id(subscribed))
            #expect(subId != annId)

            let page = try client.searchContacts(#"{"email":"ann@example.com"}"#)
            #expect(page.contains("\"totalCount\":1"))
            #expect(page.contains("Anna"))

            try client.deleteContact(id: subId)
            #expect(code { _ = try client.getContact(id: subId) } == .notFound)
            try client.deleteContact(externalCustomerId: "crm-1", erase: false)
            #expect(code { _ = try client.getContact(id: annId) } == .notFound)
            #expect(code { try client.deleteContact(id: annId) } == .notFound)
        }
    }

    @Test func searchPagesCarryTheTotalCount() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            try job.feed(jobContacts("page", 0..<30).map { $0 })
            _ = try job.finish()
            _ = try emu.adminText("POST", "/imports/flush")
            let page = try client.searchContacts(#"{"lastname":"Test","maxrows":7,"startindex":1}"#)
            guard case .success(let doc) = JSONDocument.parse(page) else { Issue.record("not JSON: \(page)"); return }
            #expect(doc.root["totalCount"]?.int64 == 30)
            #expect(doc.root["contacts"]?.count == 7)
            #expect(code { _ = try client.searchContacts(#"{"maxrows":501}"#) } == .invalidArgument)
            #expect(code { _ = try client.searchContacts(#"{"emial":"a"}"#) } == .invalidArgument)
        }
    }

    @Test func importStatusAndWait() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "200"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            try job.feed(jobContacts("imp", 0..<10))
            let report = try job.finish()
            let session = try #require(report.outcome(row: 1)?.asyncSessionId)
            let early = try client.importStatus(session)
            #expect(early.contains("\"mapping\":["))
            let done = try client.waitForImport(session, timeoutMs: 10_000)
            guard case .success(let doc) = JSONDocument.parse(done) else { Issue.record("not JSON"); return }
            #expect(doc.root["status"]?.string == "FINISHED")
            #expect(doc.root["mapping"]?.count == 10)
            #expect(code { _ = try client.importStatus("no-such-session") } == .notFound)
        }
    }

    @Test func segmentsAttachDetachInRequestsOf500() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            var options = UpsertOptions()
            options.groupNames = ["Seeded"]
            options.wait = true
            let job = try client.beginUpsert(options)
            try job.feed(jobContacts("seg", 0..<1200))
            let report = try job.finish()
            let ids = (1...1200).compactMap { report.outcome(row: $0)?.contactId }
            #expect(ids.count == 1200)
            let segments = try client.listSegments(nil)
            guard case .success(let list) = JSONDocument.parse(segments),
                  let seeded = list.root.elements.first(where: { $0["name"]?.string == "Seeded" }),
                  let groupId = seeded["id"]?.int64 else { Issue.record("no segment in \(segments)"); return }
            try client.detachFromSegment(groupId: groupId, "{}")
            #expect(try client.segmentContacts(groupId: groupId, nil).contains("\"totalCount\":0"))
            _ = try emu.adminText("POST", "/stats/reset")
            try client.attachToSegment(groupId: groupId, "{\"contactIds\":[\(ids.map(String.init).joined(separator: ","))]}")
            #expect(try emu.stat("requests") == 3)
            let page = try client.segmentContacts(groupId: groupId, #"{"maxrows":10}"#)
            #expect(page.contains("\"totalCount\":1200"))
            try client.detachFromSegment(groupId: groupId, "{\"contactIds\":[\(ids.prefix(700).map(String.init).joined(separator: ","))]}")
            #expect(try client.segmentContacts(groupId: groupId, nil).contains("\"totalCount\":500"))
            #expect(code { try client.attachToSegment(groupId: groupId, #"{"contactIds":[1],"externalCustomerIds":["a"]}"#) } == .invalidArgument)
            #expect(code { try client.attachToSegment(groupId: groupId, "{}") } == .invalidArgument)
            try client.setUnsubscribed(#"["seg-1@example.com","seg-2@example.com"]"#, unsubscribe: true)
            try client.setUnsubscribed(#"{"emails":["seg-1@example.com"]}"#, unsubscribe: false)
        }
    }

    @Test func errorsCarryStatusAndNeverTheKey() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            let wrong = try jobClient(emu, apiKey: "secret-wrong-key")
            defer { wrong.close() }
            do {
                _ = try wrong.getContact(id: 1)
                Issue.record("a refused key succeeded")
            } catch let error as YespoError {
                #expect(error.code == .auth)
                #expect(error.httpStatus == 401)
                #expect(!error.message.contains("secret-wrong-key"))
            }
            let client = try jobClient(emu) { $0.maxRetries = 1 }
            _ = try emu.adminText("POST", "/faults", body: #"{"seed":1,"rules":[{"path":"/api/v1/contact/*","count":2,"action":"status","status":429},{"path":"/api/v1/contact/*","count":2,"action":"status","status":500}]}"#)
            #expect(code { _ = try client.getContact(id: 5) } == .rateLimited)
            do {
                _ = try client.getContact(id: 5)
                Issue.record("a 500 succeeded")
            } catch let error as YespoError {
                #expect(error.code == .http && error.httpStatus == 500)
                #expect(error.message.hasPrefix("GET /contact/5: HTTP 500"))
            }
            #expect(code { _ = try client.addContact("{not json") } == .invalidArgument)
            #expect(code { _ = try client.addContact("[1]") } == .invalidArgument)
            #expect(code { _ = try client.uploadContacts(#"{"dedupeOn":"email"}"#) } == .invalidArgument)
            #expect(code { _ = try client.getContact(id: -1) } == .invalidArgument)
            client.close()
            client.close()
            #expect(code { _ = try client.getContact(id: 1) } == .state)
            #expect(code { _ = try client.beginUpsert(UpsertOptions()) } == .state)
        }
    }
}

@Suite("File upload against the emulator", .serialized)
struct UploadCallTests {
    @Test func uploadFromALinkImportsTheFile() throws {
        var csv = "First name,Last name,Email\r\n"
        for n in 0..<25 { csv += "U\(n),Upload,\(jobEmail("upl", n))\r\n" }
        let file = Array(csv.utf8)
        // A whole answer, then close: the emulator's fetcher reads to the end of the connection.
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: \(file.count)\r\nConnection: close\r\n\r\n".utf8) + file
        let server = try HostileServer { _, _ in .raw(answer) }
        defer { server.stop() }
        try EmulatorProcess.with(["--quiet", "--import-delay-ms", "20"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let answer = try client.uploadContacts(#"{"link":"http://127.0.0.1:\#(server.port)/contacts.csv","dedupeOn":"email","groupNames":["Uploaded"]}"#)
            guard case .success(let doc) = JSONDocument.parse(answer), let session = doc.root["asyncSessionId"]?.string else {
                Issue.record("no session in \(answer)"); return
            }
            let status = try client.waitForImport(session, timeoutMs: 10_000)
            #expect(status.contains("\"FINISHED\""), "\(status)")
            let emails = try emulatorEmails(emu)
            #expect((0..<25).allSatisfy { emails[jobEmail("upl", $0)] == 1 })
        }
    }
}
