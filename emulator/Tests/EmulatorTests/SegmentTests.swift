import Testing
@testable import EmulatorCore

@Suite struct SegmentTests {
    /// Three contacts (ext e1..e3) and a segment "List" with the first of them, via groupNames.
    func setUp(_ s: TestServer) async throws -> (group: Int64, ids: [Int64]) {
        let rows = (1...3).map { contactJSON(email: "u\($0)@b.co", ext: "e\($0)") }
        let st = await s.bulkAndWait(#"{"contacts":[\#(rows.joined(separator: ","))]}"#)
        let ids = (1...3).compactMap { st.mappingById["e\($0)"] ?? st.mappingById["u\($0)@b.co"] }
        _ = await s.bulkAndWait(#"{"contacts":[\#(rows[0])],"groupNames":["List"]}"#)
        let groups = await s.call("GET", "/api/v1/groups")
        let group = try #require(groups.json?.arrayValue?.first { $0["name"] == .string("List") }?["id"]?.int64Value)
        return (group, ids)
    }

    @Test func groupsListingWithNameFilterAndPaging() async throws {
        try await withServer { s in
            let (group, _) = try await setUp(s)
            _ = await s.bulkAndWait(#"{"contacts":[\#(contactJSON(email: "z@b.co"))],"groupNames":["Other","Listeners"]}"#)
            let all = await s.call("GET", "/api/v1/groups")
            #expect(all.json?.arrayValue?.count == 3)
            #expect(all.json?.arrayValue?.first?["type"] == .string("Static"))
            let named = await s.call("GET", "/api/v1/groups?name=list")
            #expect(Set(named.json?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []) == ["List", "Listeners"])
            #expect(await s.call("GET", "/api/v1/groups?startindex=2&maxrows=1").json?.arrayValue?.count == 1)
            let members = await s.call("GET", "/api/v1/group/\(group)/contacts")
            #expect(members.header("totalcount") == "1")
            #expect(await s.call("GET", "/api/v1/group/999/contacts").status == 404)
        }
    }

    @Test func attachAndDetachByIdsAndExternalIds() async throws {
        try await withServer { s in
            let (group, ids) = try await setUp(s)
            #expect(ids.count == 3)
            let attach = await s.call("POST", "/api/v1/group/\(group)/contacts/attach", json: #"{"contactIds":[\#(ids[1])]}"#)
            #expect(attach.status == 200)
            _ = await s.call("POST", "/api/v1/group/\(group)/contacts/attach", json: #"{"externalCustomerIds":["e3"]}"#)
            #expect(await s.call("GET", "/api/v1/group/\(group)/contacts").header("totalcount") == "3")
            _ = await s.call("POST", "/api/v1/group/\(group)/contacts/detach", json: #"{"externalCustomerIds":["e1"]}"#)
            let left = await s.call("GET", "/api/v1/group/\(group)/contacts")
            #expect(left.header("totalcount") == "2")
            #expect(Set(left.json?.arrayValue?.compactMap { $0["id"]?.int64Value } ?? []) == [ids[1], ids[2]])
            // Detach with no ids empties the segment.
            #expect(await s.call("POST", "/api/v1/group/\(group)/contacts/detach", json: "{}").status == 200)
            #expect(await s.call("GET", "/api/v1/group/\(group)/contacts").header("totalcount") == "0")
        }
    }

    @Test func attachLimitsAndErrors() async throws {
        try await withServer { s in
            let (group, ids) = try await setUp(s)
            let many = (1...501).map(String.init).joined(separator: ",")
            let tooMany = await s.call("POST", "/api/v1/group/\(group)/contacts/attach", json: #"{"contactIds":[\#(many)]}"#)
            #expect(tooMany.status == 400)
            #expect(tooMany.text.contains("500"))
            let fiveHundred = (1...500).map(String.init).joined(separator: ",")
            #expect(await s.call("POST", "/api/v1/group/\(group)/contacts/attach", json: #"{"contactIds":[\#(fiveHundred)]}"#).status == 200)
            let both = await s.call("POST", "/api/v1/group/\(group)/contacts/attach",
                                    json: #"{"contactIds":[\#(ids[0])],"externalCustomerIds":["e2"]}"#)
            #expect(both.status == 400)
            #expect(await s.call("POST", "/api/v1/group/424242/contacts/attach", json: #"{"contactIds":[\#(ids[0])]}"#).status == 404)
            #expect(await s.call("POST", "/api/v1/group/\(group)/contacts/attach", json: #"{"contactIds":"x"}"#).status == 400)
        }
    }

    @Test func unsubscribedAddAndDelete() async throws {
        try await withServer { s in
            #expect(await s.call("POST", "/api/v1/emails/unsubscribed/add", json: #"{"emails":["A@b.co","c@d.ee"]}"#).status == 200)
            #expect(await s.admin("GET", "/unsubscribed") == .array([.string("a@b.co"), .string("c@d.ee")]))
            #expect(await s.call("POST", "/api/v1/emails/unsubscribed/delete", json: #"{"emails":["a@b.co"]}"#).status == 200)
            #expect(await s.admin("GET", "/unsubscribed") == .array([.string("c@d.ee")]))
            #expect(await s.call("POST", "/api/v1/emails/unsubscribed/add", json: #"{"emails":["nope"]}"#).status == 400)
        }
    }
}
