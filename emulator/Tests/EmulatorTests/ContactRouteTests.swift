import Testing
@testable import EmulatorCore

/// The one-contact methods: subscribe, add, update, get, delete, search.
@Suite struct ContactRouteTests {
    /// The seed guide's subscribe body, verbatim.
    static let guideSubscribe = """
        {
            "contact": {
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
                    "id": "12345",
                    "value": "..."
                }]
            },
            "groups": ["Subscribers"],
            "formType": "abc"
        }
        """

    @Test func guideSubscribeCreatesAnUnconfirmedContactAndTheFormEvent() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/api/v1/contact/subscribe", json: Self.guideSubscribe)
            #expect(r.status == 200)
            let id = try #require(r.json?["id"]?.int64Value)
            let c = try #require(await s.call("GET", "/api/v1/contact/\(id)").json)
            #expect(c["confirmed"] == .bool(false))
            #expect(c["source"] == .string("subscriptionForm"))
            #expect(c["groups"]?.arrayValue?.first?["name"] == .string("Subscribers"))
            #expect(c["fields"]?.arrayValue?.first?["id"] == .int(12345))
            let again = await s.call("POST", "/api/v1/contact/subscribe", json: Self.guideSubscribe)
            #expect(again.json?["id"]?.int64Value == id)
            let events = await s.admin("GET", "/events").arrayValue ?? []
            #expect(events.map { $0["type"]?.stringValue ?? "" } == ["subscribeFromApi-abc", "subscribeUpdateFromApi-abc"])
            #expect(events.allSatisfy { $0["key"] == .string(String(id)) })
            #expect(events[0]["params"]?["ContactId"] == .string(String(id)))
            #expect(events[0]["params"]?["EmailAddress"] == .string("mail@example.com"))
        }
    }

    @Test func subscribeWithoutFormTypeOrEmail() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/api/v1/contact/subscribe", json: #"{"contact":\#(contactJSON(sms: "380501234567"))}"#)
            #expect(r.status == 200)
            let e = try #require(await s.admin("GET", "/events").arrayValue?.first)
            #expect(e["type"] == .string("subscribeFromApi"))
            #expect(e["params"]?["EmailAddress"] == nil)
            #expect(await s.call("POST", "/api/v1/contact/subscribe", json: #"{"groups":[]}"#).status == 400)
        }
    }

    @Test func addContactCreatesConfirmedThenUpdatesByEmailWithoutEvents() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/api/v1/contact", json: contactJSON(email: "a@b.co", first: "A"))
            #expect(r.status == 200)
            let id = try #require(r.json?["id"]?.int64Value)
            let c = try #require(await s.contact(id))
            #expect(c["source"] == .string("api"))
            #expect(c["confirmed"] == .bool(true))
            let again = await s.call("POST", "/api/v1/contact", json: contactJSON(email: "a@b.co", last: "B"))
            #expect(again.json?["id"]?.int64Value == id)
            #expect(await s.contact(id)?["firstName"] == .string("A"))
            #expect(await s.contact(id)?["lastName"] == .string("B"))
            #expect(await s.admin("GET", "/events").arrayValue?.isEmpty == true)
            let bad = await s.call("POST", "/api/v1/contact", json: #"{"firstName":"NoChannel"}"#)
            #expect(bad.status == 400)
            #expect(bad.text.contains("no channel"))
        }
    }

    @Test func putUpdatesByIdAndNeverCreates() async throws {
        try await withServer { s in
            let id = try #require(await s.call("POST", "/api/v1/contact", json: contactJSON(email: "a@b.co")).json?["id"]?.int64Value)
            let r = await s.call("PUT", "/api/v1/contact/\(id)", json: #"{"firstName":"Put","channels":[{"type":"sms","value":"380501234567"}]}"#)
            #expect(r.status == 200)
            #expect(r.text == "Contact with id='\(id)' has been updated")
            #expect(r.header("content-type") == "application/json;charset=UTF-8")
            let c = try #require(await s.contact(id))
            #expect(c["firstName"] == .string("Put"))
            #expect(c["channels"]?.arrayValue?.count == 2)
            #expect(await s.call("PUT", "/api/v1/contact/999", json: #"{"firstName":"X"}"#).status == 404)
            #expect(await s.call("PUT", "/api/v1/contact/\(id)", json: #"{"firstName":5}"#).status == 400)
            #expect(await s.call("PUT", "/api/v1/contact/abc", json: "{}").status == 400)
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(1))
        }
    }

    @Test func deleteByIdAndByExternalIdWithAndWithoutErase() async throws {
        try await withServer { s in
            let a = try #require(await s.call("POST", "/api/v1/contact", json: contactJSON(email: "a@b.co", ext: "x-1")).json?["id"]?.int64Value)
            let b = try #require(await s.call("POST", "/api/v1/contact", json: contactJSON(email: "b@b.co", ext: "x-2")).json?["id"]?.int64Value)
            let c = try #require(await s.call("POST", "/api/v1/contact", json: contactJSON(email: "c@b.co")).json?["id"]?.int64Value)
            let del = await s.call("DELETE", "/api/v1/contact/\(c)")
            #expect(del.status == 200)
            #expect(del.text == "Contact with id='\(c)' has been deleted")
            #expect(await s.call("DELETE", "/api/v1/contact/\(c)").status == 404)
            #expect(await s.call("GET", "/api/v1/contact/\(c)").status == 404)
            #expect(await s.contact(c)?["deleted"] == .bool(true))
            #expect(await s.call("DELETE", "/api/v1/contact?externalCustomerId=x-1&erase=false").status == 200)
            #expect(await s.contact(a)?["deleted"] == .bool(true))
            #expect(await s.call("DELETE", "/api/v1/contact?externalCustomerId=x-2&erase=true").status == 200)
            #expect(await s.contact(b) == nil)
            #expect(await s.call("DELETE", "/api/v1/contact?externalCustomerId=x-2&erase=true").status == 404)
            #expect(await s.call("DELETE", "/api/v1/contact?externalCustomerId=nope").status == 404)
            #expect(await s.call("DELETE", "/api/v1/contact").status == 400)
            #expect(await s.call("DELETE", "/api/v1/contact?externalCustomerId=x-1&erase=maybe").status == 400)
            let summary = await s.admin("GET", "/summary")
            #expect(summary["contacts"] == .int(0))
            #expect(summary["deleted"] == .int(2))
            // An erased contact is gone for good: re-importing its externalCustomerId creates a new one.
            let again = await s.bulkAndWait(#"{"contacts":[\#(contactJSON(email: "b@b.co", ext: "x-2"))],"restoreDeleted":true}"#)
            #expect(again.mappingById["b@b.co"] != b)
        }
    }

    @Test func searchByEveryFieldWithPagingAndTotalCount() async throws {
        try await withServer { s in
            var rows: [String] = []
            for i in 1...12 {
                rows.append(contactJSON(email: "u\(i)@b.co", sms: "38050000\(String(format: "%04d", i))", ext: "e\(i)",
                                        first: i % 2 == 0 ? "Even" : "Odd", last: "L\(i % 3)"))
            }
            _ = await s.bulkAndWait(#"{"contacts":[\#(rows.joined(separator: ","))]}"#)
            let all = await s.call("GET", "/api/v1/contacts?maxrows=5")
            #expect(all.header("totalcount") == "12")
            #expect(all.json?.arrayValue?.count == 5)
            let page3 = await s.call("GET", "/api/v1/contacts?startindex=11&maxrows=5")
            #expect(page3.json?.arrayValue?.count == 2)
            #expect(await s.call("GET", "/api/v1/contacts?email=U3%40B.co").json?.arrayValue?.first?["externalCustomerId"] == .string("e3"))
            #expect(await s.call("GET", "/api/v1/contacts?sms=%2B380500000004").json?.arrayValue?.first?["externalCustomerId"] == .string("e4"))
            #expect(await s.call("GET", "/api/v1/contacts?externalCustomerId=e5").json?.arrayValue?.count == 1)
            let evens = await s.call("GET", "/api/v1/contacts?firstname=Even")
            #expect(evens.header("totalcount") == "6")
            #expect(await s.call("GET", "/api/v1/contacts?firstname=Even&lastname=L0").header("totalcount") == "2")
            #expect(await s.call("GET", "/api/v1/contacts?email=none%40b.co").json?.arrayValue?.isEmpty == true)
            #expect(await s.call("GET", "/api/v1/contacts?maxrows=501").status == 400)
            #expect(await s.call("GET", "/api/v1/contacts?startindex=0").status == 400)
        }
    }

    @Test func unknownRoutesAndMethods() async throws {
        try await withServer { s in
            #expect(await s.call("GET", "/api/v1/nothing").status == 404)
            #expect(await s.call("PATCH", "/api/v1/contacts", json: "{}").status == 405)
            #expect(await s.call("GET", "/elsewhere").status == 404)
        }
    }
}
