import Testing
@testable import EmulatorCore

/// `failedShape`: the fields of a failedContacts entry are undocumented, so each plausible shape
/// can be asked for, from validation failures and from the rejectRows/failedObject faults.
@Suite struct FailedShapeTests {
    /// Row 0 is fine, row 1 has a bad email, row 2 has no channel.
    let twoBad = #"{"contacts":[\#(contactJSON(email: "ok@b.co")),\#(contactJSON(email: "nope")),{"channels":[]}]}"#
    let oneBad = #"{"contacts":[\#(contactJSON(email: "ok@b.co")),\#(contactJSON(email: "nope"))]}"#

    func failed(_ s: TestServer, shape: String, _ body: String) async -> JSONValue? {
        await s.admin("POST", "/config", json: #"{"failedShape":"\#(shape)"}"#)
        return await s.bulk(body)["failedContacts"]
    }

    func keys(_ v: JSONValue?) -> [String] {
        guard case .object(let members)? = v else { return [] }
        return members.map(\.0)
    }

    @Test func indexedIsTheDefault() async throws {
        try await withServer { s in
            #expect(await s.admin("GET", "/config")["failedShape"] == .string("indexed"))
            let f = try #require(await s.bulk(twoBad)["failedContacts"]?.arrayValue)
            #expect(f.map(keys) == [["index", "contact", "error"], ["index", "contact", "error"]])
            #expect(f.map { $0["index"] } == [.int(1), .int(2)])
        }
    }

    @Test func contactShapeHasNoPosition() async throws {
        try await withServer { s in
            let f = try #require(await failed(s, shape: "contact", twoBad)?.arrayValue)
            #expect(f.map(keys) == [["contact", "error"], ["contact", "error"]])
            #expect(f[0]["contact"]?["channels"]?.arrayValue?.first?["value"] == .string("nope"))
            #expect(f[0]["error"]?.stringValue?.contains("invalid email") == true)
        }
    }

    @Test func errorsShapeCarriesCodesAndMessages() async throws {
        try await withServer { s in
            let f = try #require(await failed(s, shape: "errors", twoBad)?.arrayValue)
            #expect(f.map(keys) == [["contact", "errors"], ["contact", "errors"]])
            let e = try #require(f[1]["errors"]?.arrayValue?.first)
            #expect(e["code"] == .string("INVALID_CONTACT"))
            #expect(e["message"]?.stringValue?.contains("no channel") == true)
            // A missing dedupe key has its own code.
            let m = await s.bulk(#"{"contacts":[\#(contactJSON(sms: "380501234567"))],"dedupeOn":"email"}"#)
            #expect(m["failedContacts"]?.arrayValue?.first?["errors"]?.arrayValue?.first?["code"] == .string("MISSING_DEDUPE_KEY"))
        }
    }

    @Test func messageShapeIdentifiesNothing() async throws {
        try await withServer { s in
            let f = try #require(await failed(s, shape: "message", twoBad)?.arrayValue)
            #expect(f.map(keys) == [["message"], ["message"]])
            #expect(f[0]["message"]?.stringValue?.contains("invalid email") == true)
        }
    }

    @Test func objectShapeIsAnObjectForASingleFailureOnly() async throws {
        try await withServer(flags: ["--failed-shape", "object"]) { s in
            let one = try #require(await s.bulk(oneBad)["failedContacts"])
            #expect(one.isObject)
            #expect(keys(one) == ["index", "contact", "error"])
            #expect(one["index"] == .int(1))
            let two = try #require(await s.bulk(twoBad)["failedContacts"]?.arrayValue)
            #expect(two.count == 2)
        }
    }

    @Test func mixedDrawsEntryShapesFromTheSeed() async throws {
        let rows = (0..<40).map { _ in contactJSON(email: "nope") }.joined(separator: ",")
        func shapes(seed: Int) async throws -> [[String]] {
            var out: [[String]] = []
            try await withServer(flags: ["--seed", String(seed), "--failed-shape", "mixed"]) { s in
                out = await s.bulk(#"{"contacts":[\#(rows)]}"#)["failedContacts"]?.arrayValue?.map(keys) ?? []
            }
            return out
        }
        let a = try await shapes(seed: 3)
        #expect(a.count == 40)
        #expect(Set(a) == [["index", "contact", "error"], ["contact", "error"], ["contact", "errors"]])
        #expect(try await shapes(seed: 3) == a)
    }

    @Test func faultRejectionsUseTheShapeToo() async throws {
        try await withServer { s in
            await s.admin("POST", "/config", json: #"{"failedShape":"errors"}"#)
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/contacts","count":1,"action":"rejectRows","match":["ok@b.co"]},{"path":"/api/v1/contacts","count":1,"action":"failedObject","match":["ok@b.co"]}]}"#)
            let rejected = try #require(await s.bulk(oneBad)["failedContacts"]?.arrayValue)
            #expect(rejected.count == 2)
            #expect(rejected[0]["errors"]?.arrayValue?.first?["code"] == .string("REJECTED"))
            // failedObject: one object, in the configured entry shape.
            let object = try #require(await s.bulk(oneBad)["failedContacts"])
            #expect(object.isObject)
            #expect(keys(object) == ["contact", "errors"])
        }
    }

    @Test func badShapesAreRefused() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/_emulator/config", json: #"{"failedShape":"weird"}"#, apiKey: nil)
            #expect(r.status == 400)
            #expect(r.text.contains("mixed"))
            #expect(throws: EmulatorOptions.UsageError.self) { try EmulatorOptions.parse(["--failed-shape", "weird"]) }
        }
    }
}
