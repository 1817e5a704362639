import Testing
@testable import EmulatorCore

/// The five matching rules of the seed guide, plus every dedupeOn mode.
@Suite struct MatchingRuleTests {
    func importOne(_ s: TestServer, _ contact: String, dedupeOn: String = "email", extra: String = "") async -> JSONValue {
        await s.bulkAndWait(#"{"contacts":[\#(contact)],"dedupeOn":"\#(dedupeOn)"\#(extra)}"#)
    }

    func onlyId(_ status: JSONValue) -> Int64? { status["mapping"]?.arrayValue?.first?["contactId"]?.int64Value }

    @Test func rule1UnknownExternalIdWithKnownEmailUpdatesThatContact() async throws {
        try await withServer { s in
            let first = try #require(onlyId(await importOne(s, contactJSON(email: "a@b.co", first: "Ann"))))
            let second = try #require(onlyId(await importOne(s, contactJSON(email: "a@b.co", ext: "crm-1", first: "Anna"))))
            #expect(second == first)
            let c = try #require(await s.contact(first))
            #expect(c["externalCustomerId"] == .string("crm-1"))
            #expect(c["firstName"] == .string("Anna"))
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(1))
        }
    }

    @Test func rule2SeveralWithTheSameEmailTheMostRecentlyUpdatedWins() async throws {
        try await withServer { s in
            // Two contacts sharing an email exist when they were imported deduplicated by phone.
            let a = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", sms: "380500000001"), dedupeOn: "sms")))
            let b = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", sms: "380500000002"), dedupeOn: "sms")))
            #expect(a != b)
            #expect(await s.call("PUT", "/api/v1/contact/\(a)", json: #"{"lastName":"Touched"}"#).status == 200)
            let hit = onlyId(await importOne(s, contactJSON(email: "same@b.co", first: "ToA")))
            #expect(hit == a)
            #expect(await s.call("PUT", "/api/v1/contact/\(b)", json: #"{"lastName":"Touched"}"#).status == 200)
            let hit2 = onlyId(await importOne(s, contactJSON(email: "same@b.co", first: "ToB")))
            #expect(hit2 == b)
            #expect(await s.contact(a)?["firstName"] == .string("ToA"))
            #expect(await s.contact(b)?["firstName"] == .string("ToB"))
        }
    }

    @Test func rule3TheContactWithoutExternalIdTakesTheNewOne() async throws {
        try await withServer { s in
            let without = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", sms: "380500000002"), dedupeOn: "sms")))
            // The one with another externalCustomerId is the most recently updated.
            let other = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", sms: "380500000001", ext: "other"), dedupeOn: "sms")))
            let hit = onlyId(await importOne(s, contactJSON(email: "same@b.co", ext: "new")))
            #expect(hit == without)
            #expect(await s.contact(without)?["externalCustomerId"] == .string("new"))
            #expect(await s.contact(other)?["externalCustomerId"] == .string("other"))
        }
    }

    @Test func rule4BothWithOtherExternalIdsMeansANewContact() async throws {
        try await withServer { s in
            let a = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", sms: "380500000001", ext: "o1"), dedupeOn: "sms")))
            let b = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", sms: "380500000002", ext: "o2"), dedupeOn: "sms")))
            let c = try #require(onlyId(await importOne(s, contactJSON(email: "same@b.co", ext: "o3"))))
            #expect(c != a && c != b)
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(3))
            #expect(await s.contact(c)?["externalCustomerId"] == .string("o3"))
        }
    }

    @Test func rule5DeletedContactIsSkippedOrRestored() async throws {
        try await withServer { s in
            let id = try #require(onlyId(await importOne(s, contactJSON(email: "gone@b.co", ext: "crm-9", first: "Was"))))
            #expect(await s.call("DELETE", "/api/v1/contact?externalCustomerId=crm-9&erase=false").status == 200)
            #expect(await s.call("GET", "/api/v1/contact/\(id)").status == 404)
            let skipped = await importOne(s, contactJSON(email: "gone@b.co", ext: "crm-9", first: "Back"),
                                          extra: #","restoreDeleted":false"#)
            #expect(skipped["status"] == .string("FINISHED"))
            #expect(skipped["mapping"]?.arrayValue?.isEmpty == true)
            #expect(await s.contact(id)?["deleted"] == .bool(true))
            #expect(await s.contact(id)?["firstName"] == .string("Was"))
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(0))
            let restored = await importOne(s, contactJSON(email: "gone@b.co", ext: "crm-9", first: "Back"),
                                           extra: #","restoreDeleted":true"#)
            #expect(onlyId(restored) == id)
            let c = await s.call("GET", "/api/v1/contact/\(id)")
            #expect(c.status == 200)
            #expect(c.json?["firstName"] == .string("Back"))
        }
    }

    @Test func knownExternalIdWinsOverADifferentEmail() async throws {
        try await withServer { s in
            let a = try #require(onlyId(await importOne(s, contactJSON(email: "a@b.co", ext: "crm-1"))))
            let b = try #require(onlyId(await importOne(s, contactJSON(email: "b@b.co"))))
            let hit = onlyId(await importOne(s, contactJSON(email: "b@b.co", ext: "crm-1", first: "Moved")))
            #expect(hit == a)
            #expect(hit != b)
            #expect(await s.contact(a)?["channels"]?.arrayValue?.first?["value"] == .string("b@b.co"))
        }
    }

    @Test func everyDedupeModeMatchesAndReportsItsValue() async throws {
        try await withServer { s in
            let push = #""channels":[{"type":"mobilepush","value":"tok-1"},{"type":"webpush","value":"wp-1"}]"#
            let base = try #require(onlyId(await importOne(s,
                #"{"channels":[{"type":"email","value":"m@b.co"},{"type":"sms","value":"+38 (050) 111-22-33"},{"type":"mobilepush","value":"tok-1"},{"type":"webpush","value":"wp-1"}],"externalCustomerId":"e-1","fields":[{"id":77,"value":"k-1"}]}"#)))
            let cases: [(String, String, String)] = [
                ("email", contactJSON(email: "M@B.co "), "m@b.co"),
                ("sms", contactJSON(sms: "380501112233"), "380501112233"),
                ("email_or_sms", contactJSON(sms: "380501112233"), "380501112233"),
                ("email_or_sms", contactJSON(email: "m@b.co", sms: "380509999999"), "m@b.co"),
                ("id", #"{"id":\#(base),"channels":[{"type":"email","value":"m@b.co"}]}"#, String(base)),
                ("fieldId", #"{"channels":[{"type":"email","value":"m@b.co"}],"fields":[{"id":"77","value":"k-1"}]}"#, "k-1"),
                ("externalCustomerId", #"{"externalCustomerId":"e-1","channels":[{"type":"email","value":"m@b.co"}]}"#, "e-1"),
                ("push", "{\(push)}", "tok-1"),
                ("webpush", "{\(push)}", "wp-1"),
            ]
            for (mode, contact, value) in cases {
                let extra = mode == "fieldId" ? #","fieldId":77"# : ""
                let status = await importOne(s, contact, dedupeOn: mode, extra: extra)
                #expect(status.mappingById[value] == base, "dedupeOn \(mode): \(status.jsonText)")
            }
            #expect(await s.admin("GET", "/summary")["contacts"] == .int(1))
        }
    }

    @Test func contactFieldsLimitWhatAnUpdateWrites() async throws {
        try await withServer { s in
            let id = try #require(onlyId(await importOne(s,
                contactJSON(email: "a@b.co", sms: "380500000001", first: "Ann", last: "Old",
                            extra: #""address":{"town":"Kyiv","region":"North"},"languageCode":"uk""#))))
            // Only lastName and town are written; firstName stays although the request lacks it.
            _ = await importOne(s, contactJSON(email: "a@b.co", last: "New", extra: #""address":{"town":"Lviv","region":"West"}"#),
                                extra: #","contactFields":["lastName","town"]"#)
            var c = try #require(await s.contact(id))
            #expect(c["firstName"] == .string("Ann"))
            #expect(c["lastName"] == .string("New"))
            #expect(c["address"]?["town"] == .string("Lviv"))
            #expect(c["address"]?["region"] == .string("North"))
            #expect(c["languageCode"] == .string("uk"))
            #expect(c["channels"]?.arrayValue?.count == 2)
            // Without contactFields every standard field is written: missing ones become empty;
            // channels the request does not carry are kept.
            _ = await importOne(s, contactJSON(email: "a@b.co", first: "Only"))
            c = try #require(await s.contact(id))
            #expect(c["firstName"] == .string("Only"))
            #expect(c["lastName"] == nil)
            #expect(c["address"] == nil)
            #expect(c["languageCode"] == nil)
            #expect(Set(c["channels"]?.arrayValue?.map { $0["type"]?.stringValue ?? "" } ?? []) == ["email", "sms"])
        }
    }

    @Test func customFieldsIDsLimitWhichFieldsAreWritten() async throws {
        try await withServer { s in
            let fields = #""fields":[{"id":1,"value":"one"},{"id":2,"value":"two"}]"#
            let id = try #require(onlyId(await importOne(s, contactJSON(email: "a@b.co", extra: fields), extra: #","customFieldsIDs":[1]"#)))
            var c = try #require(await s.contact(id))
            #expect(c["fields"]?.arrayValue?.count == 1)
            #expect(c["fields"]?.arrayValue?.first?["id"] == .int(1))
            let update = #""fields":[{"id":1,"value":"uno"},{"id":2,"value":"dos"}]"#
            _ = await importOne(s, contactJSON(email: "a@b.co", extra: update), extra: #","customFieldsIDs":[2]"#)
            c = try #require(await s.contact(id))
            let values = Dictionary(uniqueKeysWithValues: (c["fields"]?.arrayValue ?? []).map {
                ($0["id"]?.int64Value ?? 0, $0["value"]?.stringValue ?? "")
            })
            #expect(values == [1: "one", 2: "dos"])
            // Without customFieldsIDs every field sent is written.
            _ = await importOne(s, contactJSON(email: "a@b.co", extra: update))
            c = try #require(await s.contact(id))
            #expect(c["fields"]?.arrayValue?.first { $0["id"] == .int(1) }?["value"] == .string("uno"))
        }
    }

    @Test func groupNamesAndExcludeMoveContactsBetweenSegments() async throws {
        try await withServer { s in
            let id = try #require(onlyId(await importOne(s, contactJSON(email: "a@b.co"), extra: #","groupNames":["Subscribers","VIP"]"#)))
            _ = await importOne(s, contactJSON(email: "a@b.co"), extra: #","groupNames":["Customers"],"groupNamesExclude":["Subscribers"]"#)
            let names = Set(await s.contact(id)?["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
            #expect(names == ["VIP", "Customers"])
            let groups = await s.admin("GET", "/groups")
            #expect(groups.arrayValue?.first { $0["name"] == .string("Subscribers") }?["size"] == .int(0))
        }
    }

    @Test func duplicatesInsideOneRequestCollapseIntoOneContact() async throws {
        try await withServer { s in
            let status = await s.bulkAndWait(#"{"contacts":[\#(contactJSON(email: "a@b.co", first: "One")),\#(contactJSON(email: "A@b.co", first: "Two"))]}"#)
            let ids = status["mapping"]?.arrayValue?.compactMap { $0["contactId"]?.int64Value } ?? []
            #expect(ids.count == 2)
            #expect(Set(ids).count == 1)
            #expect(await s.contact(ids[0])?["firstName"] == .string("Two"))
        }
    }

    @Test func eventsOnlyForNewContactsKeyedByEmailElsePhone() async throws {
        try await withServer { s in
            _ = await importOne(s, contactJSON(email: "old@b.co"))
            let body = #"{"contacts":[\#(contactJSON(email: "old@b.co")),\#(contactJSON(email: "new@b.co")),\#(contactJSON(sms: "380500000009"))],"dedupeOn":"email_or_sms","eventKeyForNewContacts":"welcome2"}"#
            _ = await s.bulkAndWait(body)
            let events = await s.admin("GET", "/events").arrayValue ?? []
            #expect(events.count == 2)
            #expect(events.map { $0["key"]?.stringValue ?? "" } == ["new@b.co", "380500000009"])
            #expect(events.allSatisfy { $0["type"] == .string("welcome2") })
            #expect(events[1]["params"]?["EmailAddress"] == .string(""))
        }
    }
}
