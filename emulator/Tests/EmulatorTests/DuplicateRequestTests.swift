import Testing
@testable import EmulatorCore

/// "Duplicated request": a byte-identical request from the same key, repeated within the window
/// of one that was processed, is refused and not processed.
@Suite struct DuplicateRequestTests {
    let bulkBody = #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}]}],"dedupeOn":"email"}"#

    func importCount(_ s: TestServer) async -> Int { await s.admin("GET", "/imports").arrayValue?.count ?? -1 }

    @Test func offByDefault() async throws {
        try await withServer { s in
            #expect(await s.admin("GET", "/config")["duplicateWindowMs"] == .int(0))
            for _ in 0..<3 { #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200) }
            #expect(await importCount(s) == 3)
        }
    }

    @Test func aRepeatedBulkBodyIsRefusedAndNotImported() async throws {
        try await withServer { s in
            await s.admin("POST", "/config", json: #"{"duplicateWindowMs":5000}"#)
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)
            let again = await s.call("POST", "/api/v1/contacts", json: bulkBody)
            #expect(again.status == 400)
            #expect(again.text == "Duplicated request")
            #expect(await importCount(s) == 1)
            // One byte more is another request.
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody + " ").status == 200)
            #expect(await importCount(s) == 2)
            let stats = await s.admin("GET", "/stats")
            #expect(stats["duplicatedRequests"] == .int(1))
            #expect(stats["statuses"]?["400"] == .int(1))
        }
    }

    @Test func theSameBodyFromAnotherKeyIsNoDuplicate() async throws {
        try await withServer(flags: ["--api-key", "k1", "--api-key", "k2", "--duplicate-window-ms", "5000"]) { s in
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody, apiKey: "k1").status == 200)
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody, apiKey: "k2").status == 200)
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody, apiKey: "k1").status == 400)
            #expect(await importCount(s) == 2)
        }
    }

    @Test func singleAddIsCoveredWithCustomStatusAndBody() async throws {
        let flags = ["--duplicate-window-ms", "5000", "--duplicate-status", "409",
                     "--duplicate-body", #"{"error":"Duplicated request"}"#]
        try await withServer(flags: flags) { s in
            let c = contactJSON(email: "one@b.co", first: "Ann")
            #expect(await s.call("POST", "/api/v1/contact", json: c).status == 200)
            let again = await s.call("POST", "/api/v1/contact", json: c)
            #expect(again.status == 409)
            #expect(again.json?["error"] == .string("Duplicated request"))
            // A change made in between is not undone by the refused repeat.
            let id = try #require(await s.allContacts().first?["id"]?.int64Value)
            #expect(await s.call("PUT", "/api/v1/contact/\(id)", json: #"{"firstName":"Bea"}"#).status == 200)
            #expect(await s.call("POST", "/api/v1/contact", json: c).status == 409)
            #expect(await s.contact(id)?["firstName"] == .string("Bea"))
            let cfg = await s.admin("GET", "/config")
            #expect(cfg["duplicateStatus"] == .int(409))
            #expect(cfg["duplicateBody"] == .string(#"{"error":"Duplicated request"}"#))
        }
    }

    @Test func theWindowExpires() async throws {
        // Wide enough that a loaded machine still sends the repeat inside it.
        try await withServer(flags: ["--duplicate-window-ms", "1500"]) { s in
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 400)
            try await Task.sleep(for: .milliseconds(1700))
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)
            #expect(await importCount(s) == 2)
        }
    }

    @Test func requestsThatProcessNothingAreNotRemembered() async throws {
        try await withServer(flags: ["--duplicate-window-ms", "5000"]) { s in
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/contacts","count":1,"action":"status","status":503},{"path":"/api/v1/contacts","count":1,"action":"drop"},{"path":"/api/v1/contacts","count":1,"action":"importError"}]}"#)
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 503)
            guard case .closed = await s.call("POST", "/api/v1/contacts", json: bulkBody) else {
                Issue.record("expected a dropped connection"); return
            }
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)  // importError
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)  // processed
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 400)  // duplicate
            // A request refused with 400 for its content is not remembered either.
            let bad = #"{"contacts":[]}"#
            #expect(await s.call("POST", "/api/v1/contacts", json: bad).text.contains("1 to 3000"))
            #expect(await s.call("POST", "/api/v1/contacts", json: bad).text.contains("1 to 3000"))
            #expect(await s.admin("GET", "/stats")["duplicatedRequests"] == .int(1))
        }
    }

    @Test func aRetryAfterALostAnswerIsADuplicate() async throws {
        for action in ["dropMidResponse", "truncate", "garbage", "delay"] {
            try await withServer(flags: ["--duplicate-window-ms", "5000"]) { s in
                await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/contacts","count":1,"action":"\#(action)","delayMs":10}]}"#)
                _ = await s.call("POST", "/api/v1/contacts", json: bulkBody)
                #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 400, "\(action)")
                #expect(await importCount(s) == 1, "\(action)")
            }
        }
    }

    @Test func identicalRequestsAtOnceProcessOnlyOne() async throws {
        try await withServer(flags: ["--duplicate-window-ms", "5000"]) { s in
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { await s.call("POST", "/api/v1/contacts", json: bulkBody).status } }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 400, 400, 400, 400, 400])
            #expect(await importCount(s) == 1)
        }
    }

    @Test func resetForgetsWhatWasSeenButKeepsTheWindow() async throws {
        try await withServer(flags: ["--duplicate-window-ms", "5000"]) { s in
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)
            await s.admin("POST", "/reset")
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 400)
        }
    }

    @Test func theDuplicatedFaultForcesTheErrorWithoutProcessing() async throws {
        try await withServer { s in
            await s.admin("POST", "/config", json: #"{"duplicateStatus":422,"duplicateBody":"Duplicated request (forced)"}"#)
            await s.admin("POST", "/faults", json: #"{"rules":[{"method":"POST","path":"/api/v1/contact*","count":2,"action":"duplicated"}]}"#)
            let bulk = await s.call("POST", "/api/v1/contacts", json: bulkBody)
            #expect(bulk.status == 422)
            #expect(bulk.text == "Duplicated request (forced)")
            #expect(await s.call("POST", "/api/v1/contact", json: contactJSON(email: "x@b.co")).status == 422)
            #expect(await importCount(s) == 0)
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(0))
            let stats = await s.admin("GET", "/stats")
            #expect(stats["faultsInjected"] == .int(2))
            #expect(stats["duplicatedRequests"] == .int(2))
            #expect(await s.call("POST", "/api/v1/contacts", json: bulkBody).status == 200)
        }
    }
}
