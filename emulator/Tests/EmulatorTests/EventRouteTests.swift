import Testing
@testable import EmulatorCore

/// POST /api/v2/event: the type key rule, where the key comes from, required params.
@Suite struct EventRouteTests {
    func event(_ s: TestServer, _ body: String) async -> HTTPResult {
        await s.call("POST", "/api/v2/event", json: body)
    }

    @Test func keyValueIsTheKeyAndParamsAreKept() async throws {
        try await withServer { s in
            let r = await event(s, #"{"eventTypeKey":"cart_abandoned-2","keyValue":"k-1","params":[{"name":"sum","value":"10"},{"name":"n","value":3}]}"#)
            #expect(r.status == 200)
            #expect(r.body.isEmpty)
            let e = try #require(await s.admin("GET", "/events").arrayValue?.first)
            #expect(e["type"] == .string("cart_abandoned-2"))
            #expect(e["key"] == .string("k-1"))
            #expect(e["params"] == .object([("sum", .string("10")), ("n", .string("3"))]))
        }
    }

    @Test func withoutKeyValueTheKeyComesFromAParamByPriority() async throws {
        try await withServer { s in
            #expect(await event(s, #"{"eventTypeKey":"t","params":[{"name":"phone","value":"380501112233"},{"name":"email","value":"a@b.co"}]}"#).status == 200)
            #expect(await event(s, #"{"eventTypeKey":"t","params":[{"name":"pushToken","value":"tok"},{"name":"externalCustomerId","value":"crm-1"}]}"#).status == 200)
            #expect(await event(s, #"{"eventTypeKey":"t","keyValue":"","params":[{"name":"contactId","value":"100000001"},{"name":"email","value":"a@b.co"}]}"#).status == 200)
            let keys = await s.admin("GET", "/events?type=t").arrayValue?.map { $0["key"] }
            #expect(keys == [.string("a@b.co"), .string("crm-1"), .string("100000001")])
        }
    }

    @Test func noKeyAnywhereIs400() async throws {
        try await withServer { s in
            let r = await event(s, #"{"eventTypeKey":"t","params":[{"name":"sum","value":"10"}]}"#)
            #expect(r.status == 400)
            #expect(r.text.contains("keyValue"))
            #expect(await event(s, #"{"eventTypeKey":"t"}"#).status == 400)
            #expect(await s.admin("GET", "/events").arrayValue?.isEmpty == true)
        }
    }

    @Test func theTypeKeyFollowsTheEventKeyRule() async throws {
        try await withServer { s in
            for bad in [#""eventTypeKey":"a;b""#, #""eventTypeKey":"a/b""#, #""eventTypeKey":"""#,
                        #""eventTypeKey":"\#(String(repeating: "x", count: 101))""#, #""eventTypeKey":5"#, #""keyValue":"k""#] {
                let r = await event(s, "{\(bad),\"keyValue\":\"k\"}")
                #expect(r.status == 400, "\(bad)")
            }
            #expect(await event(s, #"{"eventTypeKey":"\#(String(repeating: "x", count: 100))","keyValue":"k"}"#).status == 200)
            #expect(await event(s, #"{"eventTypeKey":"t","keyValue":"k","params":{"a":"b"}}"#).status == 400)
            #expect(await event(s, #"{"eventTypeKey":"t","keyValue":"k","params":[{"value":"b"}]}"#).status == 400)
            #expect(await event(s, "not json").status == 400)
        }
    }

    @Test func requiredParamsAreCheckedPerType() async throws {
        try await withServer { s in
            let cfg = await s.admin("POST", "/config", json: #"{"eventRequiredParams":{"orderPaid":["orderId","sum"]}}"#)
            #expect(cfg["eventRequiredParams"] == .object([("orderPaid", .array([.string("orderId"), .string("sum")]))]))
            let missing = await event(s, #"{"eventTypeKey":"orderPaid","keyValue":"k","params":[{"name":"orderId","value":"1"}]}"#)
            #expect(missing.status == 400)
            #expect(missing.text == "The event should have the following params: [orderId, sum]")
            #expect(missing.header("content-type") == "application/json;charset=UTF-8")
            #expect(await event(s, #"{"eventTypeKey":"orderPaid","keyValue":"k","params":[{"name":"sum","value":"2"},{"name":"orderId","value":"1"}]}"#).status == 200)
            // Other types are not checked.
            #expect(await event(s, #"{"eventTypeKey":"other","keyValue":"k"}"#).status == 200)
            let bad = await s.call("POST", "/_emulator/config", json: #"{"eventRequiredParams":{"t":"a"}}"#, apiKey: nil)
            #expect(bad.status == 400)
        }
    }

    @Test func requiredParamsFromTheCommandLine() async throws {
        try await withServer(flags: ["--event-required-params", "paid=a,b"]) { s in
            let r = await event(s, #"{"eventTypeKey":"paid","keyValue":"k"}"#)
            #expect(r.text == "The event should have the following params: [a, b]")
        }
        #expect(throws: EmulatorOptions.UsageError.self) { try EmulatorOptions.parse(["--event-required-params", "noequals"]) }
    }

    @Test func authFaultsAndRateLimitApplyToTheV2Path() async throws {
        try await withServer { s in
            #expect(await s.call("POST", "/api/v2/event", json: #"{"eventTypeKey":"t","keyValue":"k"}"#, apiKey: "wrong").status == 401)
            #expect(await s.call("GET", "/api/v2/event").status == 405)
            #expect(await s.call("POST", "/api/v2/contacts", json: "{}").status == 404)
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v2/event","count":1,"action":"status","status":502}]}"#)
            #expect(await event(s, #"{"eventTypeKey":"t","keyValue":"k"}"#).status == 502)
            await s.admin("POST", "/config", json: #"{"rateLimitOther":1}"#)
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(await event(s, #"{"eventTypeKey":"t","keyValue":"k"}"#).status) }
            #expect(statuses.contains(429))
            let stats = await s.admin("GET", "/stats")
            #expect(stats["byRoute"]?["POST /api/v2/event"] != nil)
        }
    }
}
