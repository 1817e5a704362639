import Testing
@testable import EmulatorCore

/// eventKeyForNewContacts follows the API reference: 1..100 characters, any except
/// ‹ ; ’ \ / | " ' ^ ? ! , >
@Suite struct EventKeyTests {
    func post(_ s: TestServer, key: String) async -> HTTPResult {
        let body = JSONValue.object([
            ("contacts", .array([.object([("channels", .array([.object([("type", .string("email")), ("value", .string("a@b.co"))])]))])])),
            ("eventKeyForNewContacts", .string(key)),
        ])
        return await s.call("POST", "/api/v1/contacts", json: body.jsonText)
    }

    @Test func keysTheReferenceAllows() async throws {
        let good = ["new_contact-2", "a b", "newContact", "ключ", "a<b", "x.y:z", "#1", String(repeating: "é", count: 100)]
        try await withServer { s in
            for key in good {
                let r = await post(s, key: key)
                #expect(r.status == 200, "\(key): \(r.text)")
            }
            await s.admin("POST", "/imports/flush")
            // Only the first import created the contact, so one event, under the first key.
            let events = await s.admin("GET", "/events").arrayValue ?? []
            #expect(events.map { $0["type"] } == [.string("new_contact-2")])
        }
    }

    @Test func keysTheReferenceExcludes() async throws {
        let bad = ["a;b", "a/b", "a,b", "a\\b", "a|b", "a\"b", "a'b", "a^b", "a?b", "a!b", "a>b",
                   "a\u{2039}b", "a\u{2019}b", "", String(repeating: "a", count: 101)]
        try await withServer { s in
            for key in bad {
                let r = await post(s, key: key)
                #expect(r.status == 400, "\(key)")
                #expect(r.text.contains("eventKeyForNewContacts"), "\(r.text)")
            }
            #expect(await s.admin("GET", "/imports").arrayValue?.isEmpty == true)
        }
    }

    @Test func theFileUploadFollowsTheSameRule() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/api/v1/contacts/upload",
                                 json: #"{"link":"http://127.0.0.1:1/f.csv","eventKeyForNewContacts":"a;b"}"#)
            #expect(r.status == 400)
            #expect(r.text.contains("';'"))
        }
    }
}
