import Testing
@testable import EmulatorCore

/// Message sends: unknown recipients become channel-only contacts (source singleMessage), known
/// ones are not touched, every recipient is logged.
@Suite struct MessageRouteTests {
    func contactsBy(_ s: TestServer, source: String) async -> [JSONValue] {
        await s.allContacts().filter { $0["source"] == .string(source) }
    }

    @Test func emailSendCreatesChannelOnlyContactsAndLeavesKnownOnesAlone() async throws {
        try await withServer { s in
            let known = await s.call("POST", "/api/v1/contact", json: contactJSON(email: "known@b.co", first: "Kim"))
            let knownId = try #require(known.json?["id"]?.int64Value)
            let r = await s.call("POST", "/api/v1/message/email", json: #"{"from":"shop@b.co","subject":"Hi","htmlText":"<p>Hi</p>","emails":["New@B.co","known@b.co","bad"]}"#)
            #expect(r.status == 200)
            let results = try #require(r.json?["results"]?.arrayValue)
            #expect(results.map { $0["locator"] } == [.string("New@B.co"), .string("known@b.co"), .string("bad")])
            #expect(results.map { $0["status"] } == [.string("OK"), .string("OK"), .string("ERROR")])
            #expect(results[0]["requestId"]?.stringValue?.count == 36)
            let created = await contactsBy(s, source: "singleMessage")
            #expect(created.count == 1)
            let c = try #require(created.first)
            #expect(c["channels"] == .array([.object([("type", .string("email")), ("value", .string("new@b.co"))])]))
            #expect(c["confirmed"] == .bool(true))
            #expect(c["groups"] == .array([]))
            #expect(c["firstName"] == nil)
            let kim = try #require(await s.contact(knownId))
            #expect(kim["firstName"] == .string("Kim"))
            #expect(kim["source"] == .string("api"))
            // No events.
            #expect(await s.admin("GET", "/events").arrayValue?.isEmpty == true)
            let log = await s.admin("GET", "/messages?kind=email").arrayValue ?? []
            #expect(log.count == 3)
            #expect(log[0]["contactCreated"] == .bool(true))
            #expect(log[1]["contactId"] == .int(knownId))
            #expect(log[1]["contactCreated"] == .bool(false))
            #expect(log[2]["error"]?.stringValue?.contains("invalid email") == true)
            #expect(log[0]["details"]?["subject"] == .string("Hi"))
        }
    }

    @Test func emailSendValidatesItsBody() async throws {
        try await withServer { s in
            for body in [#"{"subject":"Hi","htmlText":"x","emails":["a@b.co"]}"#,
                         #"{"from":"f@b.co","htmlText":"x","emails":["a@b.co"]}"#,
                         #"{"from":"f@b.co","subject":"Hi","emails":["a@b.co"]}"#,
                         #"{"from":"f@b.co","subject":"Hi","htmlText":"x","emails":[]}"#,
                         #"{"from":"f@b.co","subject":"Hi","htmlText":"x","emails":"a@b.co"}"#, "[]"] {
                #expect(await s.call("POST", "/api/v1/message/email", json: body).status == 400, "\(body)")
            }
            #expect(await s.call("POST", "/api/v1/message/email", json: #"{"from":"f@b.co","subject":"Hi","plainText":"x","emails":["a@b.co"]}"#).status == 200)
        }
    }

    @Test func smsSendCreatesPhoneOnlyContacts() async throws {
        try await withServer { s in
            _ = await s.call("POST", "/api/v1/contact", json: contactJSON(sms: "380501112233", first: "Ola"))
            let r = await s.call("POST", "/api/v1/message/sms", json: #"{"from":"Shop","text":"Sale","phoneNumbers":["+380 50 111 22 33","380679998877"]}"#)
            #expect(r.status == 200)
            #expect(r.json?["results"]?.arrayValue?.allSatisfy { $0["status"] == .string("OK") } == true)
            let created = await contactsBy(s, source: "singleMessage")
            #expect(created.map { $0["channels"] } == [.array([.object([("type", .string("sms")), ("value", .string("380679998877"))])])])
            #expect(await s.allContacts().first?["firstName"] == .string("Ola"))
            #expect(await s.call("POST", "/api/v1/message/sms", json: #"{"from":"Shop","phoneNumbers":["380679998877"]}"#).status == 400)
        }
    }

    @Test func preparedSendUsesTheEmailFlag() async throws {
        try await withServer { s in
            let r = await s.call("POST", "/api/v1/message/77/send", json: #"{"recipients":["p@b.co"],"email":true,"fromName":"Shop"}"#)
            #expect(r.status == 200)
            #expect(r.json?["results"]?.arrayValue?.count == 1)
            let sms = await s.call("POST", "/api/v1/message/77/send", json: #"{"recipients":["380631234567"],"email":false}"#)
            #expect(sms.status == 200)
            let created = await contactsBy(s, source: "singleMessage")
            #expect(created.count == 2)
            #expect(created[1]["channels"]?.arrayValue?.first?["type"] == .string("sms"))
            let log = await s.admin("GET", "/messages?kind=prepared").arrayValue ?? []
            #expect(log.map { $0["messageId"] } == [.int(77), .int(77)])
            #expect(await s.call("POST", "/api/v1/message/77/send", json: #"{"recipients":[]}"#).status == 400)
            #expect(await s.call("POST", "/api/v1/message/77/send", json: #"{"recipients":["a@b.co"],"email":"yes"}"#).status == 400)
            #expect(await s.call("POST", "/api/v1/message/abc/send", json: #"{"recipients":["a@b.co"]}"#).status == 400)
        }
    }

    @Test func smartSendAnswersIdZeroAndResultsPerRecipient() async throws {
        try await withServer { s in
            let known = await s.call("POST", "/api/v1/contact", json: contactJSON(email: "k@b.co", first: "Ken"))
            let knownId = try #require(known.json?["id"]?.int64Value)
            let r = await s.call("POST", "/api/v1/message/1853402/smartsend", json: #"""
                {"recipients":[{"locator":"s@b.co","jsonParam":"{\"name\":\"S\"}"},{"contactId":\#(knownId)},{"contactId":999}],
                 "email":true,"fromName":"Shop","externalRequestId":"req-1"}
                """#)
            #expect(r.status == 200)
            #expect(r.json?["id"] == .int(0))
            let results = try #require(r.json?["results"]?.arrayValue)
            #expect(results.map { $0["status"] } == [.string("OK"), .string("OK"), .string("ERROR")])
            #expect(await contactsBy(s, source: "singleMessage").count == 1)
            #expect(await s.contact(knownId)?["firstName"] == .string("Ken"))
            let log = await s.admin("GET", "/messages?locator=s@b.co").arrayValue ?? []
            #expect(log.first?["details"]?["externalRequestId"] == .string("req-1"))
            #expect(log.first?["kind"] == .string("smartsend"))
            let tooMany = (0...1000).map { #"{"locator":"r\#($0)@b.co"}"# }.joined(separator: ",")
            #expect(await s.call("POST", "/api/v1/message/1/smartsend", json: #"{"recipients":[\#(tooMany)],"email":true}"#).status == 400)
            #expect(await s.call("POST", "/api/v1/message/1/smartsend", json: #"{"recipients":[{}],"email":true}"#).status == 400)
        }
    }

    @Test func faultsAndTheOtherRateLimitApplyToSends() async throws {
        try await withServer { s in
            let body = #"{"from":"f@b.co","subject":"Hi","htmlText":"x","emails":["a@b.co"]}"#
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/message/*","count":1,"action":"drop"}]}"#)
            guard case .closed = await s.call("POST", "/api/v1/message/email", json: body) else {
                Issue.record("expected a dropped connection"); return
            }
            #expect(await s.admin("GET", "/messages").arrayValue?.isEmpty == true)
            await s.admin("POST", "/config", json: #"{"rateLimitOther":1,"rateLimitBulk":0}"#)
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(await s.call("POST", "/api/v1/message/email", json: body).status) }
            #expect(statuses.contains(429))
            #expect(statuses.contains(200))
        }
    }

    @Test func resetForgetsTheMessageLog() async throws {
        try await withServer { s in
            _ = await s.call("POST", "/api/v1/message/sms", json: #"{"from":"Shop","text":"x","phoneNumbers":["380501112233"]}"#)
            #expect(await s.admin("GET", "/messages").arrayValue?.count == 1)
            await s.admin("POST", "/reset")
            #expect(await s.admin("GET", "/messages").arrayValue?.isEmpty == true)
            #expect(await s.allContacts().isEmpty)
        }
    }
}
