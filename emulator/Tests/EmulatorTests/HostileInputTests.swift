import Foundation
import Testing
@testable import EmulatorCore

/// Bad bytes never crash the emulator: each gets a 4xx with a reason, and the server still
/// answers afterwards.
@Suite struct HostileInputTests {
    func expect4xx(_ r: HTTPResult, mentioning words: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect((400..<500).contains(r.status), "status \(r.status)", sourceLocation: sourceLocation)
        #expect(!r.text.isEmpty, "a reason is given", sourceLocation: sourceLocation)
        for w in words { #expect(r.text.contains(w), "\(r.text) should mention \(w)", sourceLocation: sourceLocation) }
    }

    @Test func invalidJSONNamesTheByteOffset() async throws {
        try await withServer { s in
            expect4xx(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[{"channels" [] }]}"#), mentioning: ["byte 25", "':'"])
            expect4xx(await s.call("POST", "/api/v1/contacts", json: ""), mentioning: ["byte 0"])
            expect4xx(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[]} trailing"#), mentioning: ["after the JSON value"])
            expect4xx(await s.call("POST", "/api/v1/contact", json: "nul"))
            expect4xx(await s.call("PUT", "/api/v1/contact/1", json: "{'single':'quotes'}"))
        }
    }

    @Test func aBodyCutShortIsInvalidJSON() async throws {
        try await withServer { s in
            let full = #"{"contacts":[\#(contactJSON(email: "a@b.co", first: "Cut"))],"dedupeOn":"email"}"#
            for cut in stride(from: 1, to: full.utf8.count, by: 7) {
                let r = await s.callBytes("POST", "/api/v1/contacts", body: Array(full.utf8.prefix(cut)))
                expect4xx(r, mentioning: ["invalid JSON"])
            }
            #expect(await s.admin("GET", "/imports").arrayValue?.isEmpty == true)
        }
    }

    @Test func wrongTypesEverywhere() async throws {
        try await withServer { s in
            let cases = [
                #"{"contacts":[{"channels":"email"}]}"#,
                #"{"contacts":[{"channels":[{"type":1,"value":"a@b.co"}]}]}"#,
                #"{"contacts":[{"channels":[{"type":"email","value":["a@b.co"]}]}]}"#,
                #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"address":"here"}]}"#,
                #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"fields":[{"id":{},"value":"v"}]}]}"#,
                #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"fields":[{"id":1,"value":{}}]}]}"#,
                #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"firstName":false}]}"#,
                #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"externalCustomerId":1.5}]}"#,
            ]
            for body in cases {
                let answer = await s.bulk(body)
                let failed = answer["failedContacts"]?.arrayValue
                #expect(failed?.count == 1, "\(body)")
                #expect(failed?.first?["error"]?.stringValue?.isEmpty == false)
            }
            expect4xx(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":"all"}"#))
            expect4xx(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[\#(contactJSON(email: "a@b.co"))],"dedupeOn":5}"#))
            expect4xx(await s.call("POST", "/api/v1/contact/subscribe", json: #"{"contact":"x"}"#))
            expect4xx(await s.call("POST", "/api/v1/emails/unsubscribed/add", json: #"{"emails":"a@b.co"}"#))
        }
    }

    @Test func nonUTF8BytesAreRejectedWithAReason() async throws {
        try await withServer { s in
            var body = Array(#"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"firstName":""#.utf8)
            body += [0xC3, 0x28, 0xFF]
            body += Array(#""}]}"#.utf8)
            expect4xx(await s.callBytes("POST", "/api/v1/contacts", body: body), mentioning: ["UTF-8"])
            let lone = Array(#"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"firstName":"\udc00"}]}"#.utf8)
            expect4xx(await s.callBytes("POST", "/api/v1/contacts", body: lone), mentioning: ["surrogate"])
        }
    }

    @Test func tenMegabytesOfGarbage() async throws {
        try await withServer { s in
            var rng = SeededRandom(seed: 3)
            let garbage = (0..<(10 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            expect4xx(await s.callBytes("POST", "/api/v1/contacts", body: garbage), mentioning: ["invalid JSON"])
            expect4xx(await s.callBytes("POST", "/api/v1/contact", body: garbage))
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
        }
    }

    @Test func hugeStringsAndDeepNesting() async throws {
        try await withServer { s in
            let huge = String(repeating: "x", count: 5 << 20)
            let answer = await s.bulk(#"{"contacts":[\#(contactJSON(email: "a@b.co", first: huge))]}"#)
            #expect(answer["failedContacts"]?.arrayValue?.first?["error"]?.stringValue?.contains("longer than 40") == true)
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            expect4xx(await s.call("POST", "/api/v1/contacts", json: deep), mentioning: ["nesting"])
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        try await withServer({ $0.settings.maxBodyMb = 1 }) { s in
            let big = [UInt8](repeating: 0x20, count: 2 << 20)
            let r = await s.callBytes("POST", "/api/v1/contacts", body: big)
            #expect(r.status == 413 || r.status == -1)
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
        }
    }

    @Test func malformedHTTPGetsAnAnswerOrAClose() async throws {
        try await withServer { s in
            _ = await RawHTTPClient.send(port: s.port, raw: Array("NOT HTTP AT ALL\r\n\r\n".utf8), timeoutSeconds: 5)
            _ = await RawHTTPClient.send(port: s.port, raw: Array("POST /api/v1/contacts HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"con".utf8), timeoutSeconds: 1)
            #expect(await s.call("GET", "/api/v1/groups").status == 200)
        }
    }

    @Test func extremeNumbersNeverTrap() async throws {
        try await withServer { s in
            let min = Int64.min, max = Int64.max
            #expect(await s.call("GET", "/_emulator/contacts/\(min)", apiKey: nil).status == 404)
            #expect(await s.call("GET", "/api/v1/contact/\(max)").status == 404)
            #expect(await s.call("GET", "/api/v1/contact/99999999999999999999999").status == 400)
            let answer = await s.bulk(#"{"contacts":[{"id":\#(min),"channels":[{"type":"email","value":"a@b.co"}]}],"dedupeOn":"id"}"#)
            #expect(answer["asyncSessionId"] != nil)
            await s.admin("POST", "/imports/flush")
            let attach = await s.call("POST", "/api/v1/group/1/contacts/attach", json: #"{"contactIds":[\#(min),\#(max)]}"#)
            #expect(attach.status == 404)
            #expect(await s.call("POST", "/_emulator/config", json: #"{"latencyMs":1e300}"#, apiKey: nil).status == 200)
            await s.admin("POST", "/config", json: #"{"latencyMs":0}"#)
            #expect(await s.call("GET", "/api/v1/contacts?startindex=9223372036854775807").status == 200)
            #expect(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[{"channels":[{"type":"email","value":"a@b.co"}],"fields":[{"id":1e400,"value":"x"}]}]}"#).status == 400)
        }
    }
}
