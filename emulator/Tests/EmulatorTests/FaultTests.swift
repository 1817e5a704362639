import Foundation
import Testing
@testable import EmulatorCore

/// Every fault action of the contract, applied over real HTTP.
@Suite struct FaultTests {
    let oneContact = #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}]}]}"#

    func setFaults(_ s: TestServer, _ rules: String, seed: Int = 1) async {
        await s.admin("POST", "/faults", json: #"{"seed":\#(seed),"rules":[\#(rules)]}"#)
    }

    @Test func statusForTheNextNRequestsWithRetryAfter() async throws {
        try await withServer { s in
            await setFaults(s, #"{"method":"POST","path":"/api/v1/contacts","count":2,"action":"status","status":503,"retryAfter":2}"#)
            for _ in 0..<2 {
                let r = await s.call("POST", "/api/v1/contacts", json: oneContact)
                #expect(r.status == 503)
                #expect(r.header("retry-after") == "2")
            }
            #expect(await s.call("POST", "/api/v1/contacts", json: oneContact).status == 200)
            let stats = await s.admin("GET", "/stats")
            #expect(stats["faultsInjected"] == .int(2))
            #expect(stats["statuses"]?["503"] == .int(2))
            // Nothing of the faulted requests was imported.
            #expect(await s.admin("GET", "/imports").arrayValue?.count == 1)
        }
    }

    @Test func afterSkipsAndMethodAndPrefixMatch() async throws {
        try await withServer { s in
            await setFaults(s, #"{"method":"GET","path":"/api/v1/contact/*","after":1,"count":1,"action":"status","status":500}"#)
            #expect(await s.call("GET", "/api/v1/contact/1").status == 404)       // skipped by after
            #expect(await s.call("POST", "/api/v1/contact", json: "{}").status == 400)  // other method
            #expect(await s.call("GET", "/api/v1/contact/1").status == 500)
            #expect(await s.call("GET", "/api/v1/contact/1").status == 404)       // spent
        }
    }

    @Test func probabilityIsReproducibleWithTheSameSeed() async throws {
        func pattern(seed: Int) async throws -> [Int] {
            var out: [Int] = []
            try await withServer { s in
                await setFaults(s, #"{"path":"/api/v1/groups","probability":0.5,"action":"status","status":502}"#, seed: seed)
                for _ in 0..<24 { out.append(await s.call("GET", "/api/v1/groups").status) }
            }
            return out
        }
        let a = try await pattern(seed: 7)
        let b = try await pattern(seed: 7)
        #expect(a == b)
        #expect(a.contains(502) && a.contains(200))
    }

    @Test func dropClosesWithoutAnswering() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"drop"}"#)
            let r = await s.call("POST", "/api/v1/contacts", json: oneContact)
            guard case .closed(let bytes) = r else { Issue.record("expected a dropped connection, got \(r.status)"); return }
            #expect(bytes.isEmpty)
            #expect(await s.admin("GET", "/imports").arrayValue?.isEmpty == true)
            #expect(await s.admin("GET", "/stats")["faultsInjected"] == .int(1))
        }
    }

    @Test func dropMidResponseSendsHeadAndPartOfTheBody() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"dropMidResponse"}"#)
            let r = await s.call("POST", "/api/v1/contacts", json: oneContact)
            guard case .closed(let bytes) = r else { Issue.record("expected a cut response, got \(r.status)"); return }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.contains("{\"asyncSessionId\""))
            #expect(!text.hasSuffix("}"))
        }
    }

    @Test func stallHoldsTheConnectionThenCloses() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"stall","delayMs":300}"#)
            let start = ContinuousClock.now
            let r = await s.call("POST", "/api/v1/contacts", json: oneContact)
            let waited = ContinuousClock.now - start
            guard case .closed(let bytes) = r else { Issue.record("expected a stalled connection, got \(r.status)"); return }
            #expect(bytes.isEmpty)
            #expect(waited >= .milliseconds(290))
        }
    }

    @Test func truncateCutsTheJSONBodyInHalf() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"truncate"}"#)
            let r = await s.call("POST", "/api/v1/contacts", json: oneContact)
            #expect(r.status == 200)
            #expect(r.header("content-length") == String(r.body.count))
            #expect(r.json == nil)
            #expect(r.text.hasPrefix("{\"asyncSessionId\""))
        }
    }

    @Test func garbageAnswersNonJSON() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/importstatus/*","count":1,"action":"garbage"}"#)
            let r = await s.call("GET", "/api/v1/importstatus/x")
            #expect(r.status == 200)
            #expect(r.text == "<html>oops</html>")
        }
    }

    @Test func failedObjectAnswersASingleObject() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"failedObject","match":["bad@b.co"]}"#)
            let body = #"{"contacts":[\#(contactJSON(email: "good@b.co")),\#(contactJSON(email: "bad@b.co"))]}"#
            let answer = await s.bulk(body)
            let failed = try #require(answer["failedContacts"])
            #expect(failed.isObject)
            #expect(failed["index"] == .int(1))
            await s.admin("POST", "/imports/flush")
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(1))
        }
    }

    @Test func rejectRowsByMatchAndFraction() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"rejectRows","match":["+380 50 000 0003"],"fraction":0.2}"#)
            let rows = (1...200).map { contactJSON(email: "u\($0)@b.co", sms: "38050\(String(format: "%07d", $0))") }
            let answer = await s.bulk(#"{"contacts":[\#(rows.joined(separator: ","))]}"#)
            let failed = try #require(answer["failedContacts"]?.arrayValue)
            #expect(failed.contains { $0["index"] == .int(2) })
            #expect(failed.allSatisfy { $0["error"] == .string("rejected by fault rule") })
            #expect(failed.count > 10 && failed.count < 90)
            await s.admin("POST", "/imports/flush")
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(Int64(200 - failed.count)))
        }
    }

    @Test func badRequestRowsRejectsTheWholeRequest() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"badRequestRows","match":["bad@b.co"]}"#)
            let body = #"{"contacts":[\#(contactJSON(email: "good@b.co")),\#(contactJSON(email: "bad@b.co"))]}"#
            let r = await s.call("POST", "/api/v1/contacts", json: body)
            #expect(r.status == 400)
            #expect(r.text.contains("bad@b.co"))
            #expect(r.text.contains("index 1"))
            #expect(await s.admin("GET", "/imports").arrayValue?.isEmpty == true)
        }
    }

    @Test func importErrorEndsTheSessionInError() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/contacts","count":1,"action":"importError"}"#)
            let status = await s.bulkAndWait(oneContact)
            #expect(status["status"] == .string("ERROR"))
            #expect(status["description"]?.stringValue?.isEmpty == false)
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(0))
            #expect(await s.admin("GET", "/summary")["imports"]?["error"] == .int(1))
        }
    }

    @Test func delayAnswersNormallyButLater() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/groups","count":1,"action":"delay","delayMs":250}"#)
            let start = ContinuousClock.now
            let r = await s.call("GET", "/api/v1/groups")
            #expect(r.status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(240))
        }
    }

    @Test func clearingAndReplacingRules() async throws {
        try await withServer { s in
            await setFaults(s, #"{"path":"/api/v1/*","action":"status","status":500}"#)
            #expect(await s.call("GET", "/api/v1/groups").status == 500)
            await s.admin("DELETE", "/faults")
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
            let bad = await s.call("POST", "/_emulator/faults", json: #"{"rules":[{"path":"/x","action":"explode"}]}"#, apiKey: nil)
            #expect(bad.status == 400)
            #expect(bad.text.contains("explode"))
        }
    }
}
