import Testing
@testable import EmulatorCore

/// One order object as JSON text; `extra` adds or overrides members.
func orderJSON(id: String = "o-1", customer: String = "c-1", email: String? = "buyer@shop.co", phone: String? = nil,
               status: String = "INITIALIZED", date: String = "2025-06-01T12:00:00", first: String? = nil,
               last: String? = nil, extra: String = "") -> String {
    var parts = [#""externalOrderId":"\#(id)""#, #""externalCustomerId":"\#(customer)""#, #""totalCost":12.5"#,
                 #""status":"\#(status)""#, #""date":"\#(date)""#, #""currency":"UAH""#]
    if let email { parts.append(#""email":"\#(email)""#) }
    if let phone { parts.append(#""phone":"\#(phone)""#) }
    if let first { parts.append(#""firstName":"\#(first)""#) }
    if let last { parts.append(#""lastName":"\#(last)""#) }
    if !extra.isEmpty { parts.append(extra) }
    return "{" + parts.joined(separator: ",") + "}"
}

extension TestServer {
    /// Posts orders and returns the answer (expecting 200).
    func orders(_ orders: [String], sourceLocation: SourceLocation = #_sourceLocation) async -> JSONValue {
        let r = await call("POST", "/api/v1/orders", json: #"{"orders":[\#(orders.joined(separator: ","))]}"#)
        #expect(r.status == 200, "orders: \(r.status) \(r.text)", sourceLocation: sourceLocation)
        return r.json ?? .null
    }

    func storedOrders(_ query: String = "") async -> [JSONValue] {
        await admin("GET", "/orders" + query).arrayValue ?? []
    }
}

/// POST and DELETE /api/v1/orders: limits, validation, upsert, contact creation, events.
@Suite struct OrderRouteTests {
    @Test func thousandOrdersAreAcceptedAndMoreOrNoneAreNot() async throws {
        try await withServer { s in
            let thousand = (0..<1000).map { orderJSON(id: "o\($0)", email: "b\($0)@shop.co") }
            let ok = await s.orders(thousand)
            #expect(ok["asyncSessionId"]?.stringValue?.count == 36)
            #expect(ok["failedOrders"] == nil)
            #expect(await s.storedOrders().count == 1000)
            let over = (0..<1001).map { orderJSON(id: "p\($0)") }.joined(separator: ",")
            let r = await s.call("POST", "/api/v1/orders", json: #"{"orders":[\#(over)]}"#)
            #expect(r.status == 400)
            #expect(r.text.contains("1001 orders; 1 to 1000"))
            let none = await s.call("POST", "/api/v1/orders", json: #"{"orders":[]}"#)
            #expect(none.status == 400)
            #expect(await s.call("POST", "/api/v1/orders", json: #"{"contacts":[]}"#).status == 400)
            #expect(await s.call("POST", "/api/v1/orders", json: "[1]").status == 400)
            #expect(await s.storedOrders().count == 1000)
        }
    }

    @Test func eachInvalidOrderIsReportedAndTheValidOnesApplied() async throws {
        let cases: [(String, String)] = [
            (#"{"externalCustomerId":"c","totalCost":1,"status":"DELIVERED","date":"2025-06-01","currency":"UAH","email":"a@b.co"}"#, "externalOrderId is required"),
            (orderJSON(extra: #""externalCustomerId":null"#), "externalCustomerId is required"),
            (orderJSON(extra: #""totalCost":"12""#), "totalCost must be a number"),
            (orderJSON(status: "PAID"), "status must be one of"),
            (orderJSON(date: "yesterday"), "date must be an ISO-8601"),
            (orderJSON(extra: #""currency":"""#), "currency must be a non-empty string"),
            (orderJSON(email: nil), "an email or a phone is required"),
            (orderJSON(email: "nope"), "invalid email"),
            (orderJSON(email: nil, phone: "12"), "invalid phone"),
            (orderJSON(extra: #""taxes":"x""#), "taxes must be a number"),
            (orderJSON(extra: #""deliveryAddress":5"#), "deliveryAddress must be a string"),
            (orderJSON(extra: #""items":{}"#), "items must be an array"),
            (orderJSON(extra: #""items":[{"name":"Cup"}]"#), "items[0]: externalItemId is required"),
            (orderJSON(extra: #""items":[{"externalItemId":"i1"}]"#), "items[0]: name is required"),
            (orderJSON(extra: #""items":[{"externalItemId":"i1","name":"Cup","quantity":"2"}]"#), "items[0]: quantity must be a number"),
            (orderJSON(extra: #""items":[{"externalItemId":"i1","name":"Cup","cost":true}]"#), "items[0]: cost must be a number"),
            ("7", "order must be a JSON object"),
        ]
        try await withServer { s in
            let good = orderJSON(id: "good", extra: #""items":[{"externalItemId":"i1","name":"Cup","category":"Kitchen","quantity":2,"cost":6.25,"url":"https://shop.co/cup","imageUrl":"https://shop.co/cup.png"}]"#)
            let answer = await s.orders([good] + cases.map(\.0))
            let failed = try #require(answer["failedOrders"]?.arrayValue)
            #expect(failed.count == cases.count)
            for (n, (_, reason)) in cases.enumerated() {
                #expect(failed[n]["index"] == .int(Int64(n + 1)))
                #expect(failed[n]["error"]?.stringValue?.contains(reason) == true, "case \(n): \(failed[n])")
            }
            #expect(failed[0]["order"]?["externalCustomerId"] == .string("c"))
            #expect(await s.storedOrders().map { $0["externalOrderId"] } == [.string("good")])
        }
    }

    @Test func failedOrdersFollowTheFailedShapeSetting() async throws {
        let oneBad = [orderJSON(id: "ok"), orderJSON(id: "bad", status: "PAID")]
        func keys(_ v: JSONValue?) -> [String] {
            guard case .object(let members)? = v else { return [] }
            return members.map(\.0)
        }
        try await withServer { s in
            for (shape, expected) in [("indexed", ["index", "order", "error"]), ("contact", ["order", "error"]),
                                      ("errors", ["order", "errors"]), ("message", ["message"])] {
                await s.admin("POST", "/config", json: #"{"failedShape":"\#(shape)"}"#)
                let f = try #require(await s.orders(oneBad)["failedOrders"]?.arrayValue, "\(shape)")
                #expect(f.map(keys) == [expected], "\(shape)")
            }
            await s.admin("POST", "/config", json: #"{"failedShape":"errors"}"#)
            let e = await s.orders(oneBad)["failedOrders"]?.arrayValue?.first?["errors"]?.arrayValue?.first
            #expect(e?["code"] == .string("INVALID_ORDER"))
            await s.admin("POST", "/config", json: #"{"failedShape":"object"}"#)
            let one = try #require(await s.orders(oneBad)["failedOrders"])
            #expect(keys(one) == ["index", "order", "error"])
        }
    }

    @Test func theSameExternalOrderIdIsReplacedLastWriteWins() async throws {
        try await withServer { s in
            _ = await s.orders([orderJSON(id: "o-1", status: "INITIALIZED"), orderJSON(id: "o-2"),
                                orderJSON(id: "o-1", status: "IN_PROGRESS")])
            _ = await s.orders([orderJSON(id: "o-1", status: "DELIVERED", extra: #""totalCost":99"#)])
            let all = await s.storedOrders()
            #expect(all.map { $0["externalOrderId"] } == [.string("o-1"), .string("o-2")])
            let o1 = try #require(await s.storedOrders("?externalOrderId=o-1").first)
            #expect(o1["status"] == .string("DELIVERED"))
            #expect(o1["totalCost"] == .int(99))
            #expect(o1["writeSeq"] == .int(4))
            #expect(await s.storedOrders("?externalOrderId=none").isEmpty)
        }
    }

    @Test func anUnknownBuyerBecomesAConfirmedContactAndAKnownOneIsNotTouched() async throws {
        try await withServer { s in
            // A known contact, named Anna.
            let known = await s.call("POST", "/api/v1/contact", json: contactJSON(email: "anna@shop.co", first: "Anna"))
            let annaId = try #require(known.json?["id"]?.int64Value)
            _ = await s.orders([
                orderJSON(id: "o-1", email: "new@shop.co", phone: "380501112233", first: "Nina", last: "Kovalenko"),
                orderJSON(id: "o-2", email: "ANNA@shop.co", first: "Changed", last: "Name"),
                orderJSON(id: "o-3", email: "new@shop.co", first: "Other"),
            ])
            let orders = await s.storedOrders()
            let newId = try #require(orders[0]["contactId"]?.int64Value)
            #expect(orders[1]["contactId"] == .int(annaId))
            #expect(orders[2]["contactId"] == .int(newId))   // the second order finds the new contact
            let created = try #require(await s.contact(newId))
            #expect(created["firstName"] == .string("Nina"))
            #expect(created["lastName"] == .string("Kovalenko"))
            #expect(created["confirmed"] == .bool(true))
            #expect(created["source"] == .string("orders"))
            #expect(created["groups"] == .array([]))
            #expect(created["externalCustomerId"] == nil)
            #expect(created["channels"]?.arrayValue?.count == 2)
            // The public view shows the source too.
            #expect(await s.call("GET", "/api/v1/contact/\(newId)").json?["source"] == .string("orders"))
            let anna = try #require(await s.contact(annaId))
            #expect(anna["firstName"] == .string("Anna"))
            #expect(anna["lastName"] == nil)
            #expect(anna["source"] == .string("api"))
            #expect(await s.allContacts().count == 2)
        }
    }

    @Test func everyStoredOrderRecordsAnEventKeyedByItsId() async throws {
        try await withServer { s in
            _ = await s.orders([orderJSON(id: "o-9", email: "e@shop.co", status: "DELIVERED"),
                                orderJSON(id: "o-10", email: nil, phone: "+380 50 111 22 33", status: "ABANDONED_SHOPPING_CART"),
                                orderJSON(id: "bad", status: "NOPE")])
            let events = await s.admin("GET", "/events").arrayValue ?? []
            #expect(events.count == 2)
            let e = try #require(events.first)
            #expect(e["type"] == .string("orderDELIVERED"))
            #expect(e["key"] == .string("o-9"))
            let contactId = await s.storedOrders("?externalOrderId=o-9").first?["contactId"]?.int64Value
            #expect(e["params"] == .object([("orderId", .string("o-9")), ("contactId", .string(String(contactId ?? 0))),
                                            ("EmailAddress", .string("e@shop.co")), ("SMS", .string(""))]))
            #expect(events[1]["type"] == .string("orderABANDONED_SHOPPING_CART"))
            #expect(events[1]["params"]?["SMS"] == .string("380501112233"))
            #expect(await s.admin("GET", "/events?key=o-10").arrayValue?.count == 1)
        }
    }

    @Test func deleteByIdAndByAWindowOfAtMostADay() async throws {
        try await withServer { s in
            _ = await s.orders([orderJSON(id: "a", date: "2025-06-01T10:00:00"), orderJSON(id: "b", date: "2025-06-01T20:00:00Z"),
                                orderJSON(id: "c", date: "2025-06-03T10:00:00+02:00"), orderJSON(id: "d", date: "2025-06-05")])
            let byId = await s.call("DELETE", "/api/v1/orders?externalOrderId=a")
            #expect(byId.status == 200)
            #expect(await s.call("DELETE", "/api/v1/orders?externalOrderId=unknown").status == 200)
            #expect(await s.storedOrders().map { $0["externalOrderId"] } == [.string("b"), .string("c"), .string("d")])
            // c is 08:00 UTC on June 3rd.
            let window = await s.call("DELETE", "/api/v1/orders?from=2025-06-03T07:30:00Z&to=2025-06-03T08:00:00Z")
            #expect(window.status == 200)
            #expect(await s.storedOrders().map { $0["externalOrderId"] } == [.string("b"), .string("d")])
            let tooWide = await s.call("DELETE", "/api/v1/orders?from=2025-06-01T00:00:00&to=2025-06-02T00:00:01")
            #expect(tooWide.status == 400)
            #expect(tooWide.text.contains("24 hours"))
            #expect(await s.call("DELETE", "/api/v1/orders").status == 400)
            #expect(await s.call("DELETE", "/api/v1/orders?from=2025-06-01T00:00:00").status == 400)
            #expect(await s.call("DELETE", "/api/v1/orders?from=2025-06-02&to=2025-06-01").status == 400)
            #expect(await s.call("DELETE", "/api/v1/orders?from=soon&to=later").status == 400)
            // Exactly 24 hours is allowed.
            #expect(await s.call("DELETE", "/api/v1/orders?from=2025-06-01T00:00:00&to=2025-06-02T00:00:00").status == 200)
            #expect(await s.storedOrders().map { $0["externalOrderId"] } == [.string("d")])
        }
    }

    @Test func faultsRateLimitAndDuplicatesApplyToOrders() async throws {
        try await withServer { s in
            await s.admin("POST", "/faults", json: #"{"rules":[{"method":"POST","path":"/api/v1/orders","count":1,"action":"status","status":503},{"path":"/api/v1/orders","count":1,"action":"rejectRows","match":["x@shop.co"]}]}"#)
            let faulted = await s.call("POST", "/api/v1/orders", json: #"{"orders":[\#(orderJSON())]}"#)
            #expect(faulted.status == 503)
            #expect(await s.storedOrders().isEmpty)
            let rejected = await s.orders([orderJSON(id: "r", email: "x@shop.co"), orderJSON(id: "k")])
            #expect(rejected["failedOrders"]?.arrayValue?.first?["error"] == .string("rejected by fault rule"))
            #expect(await s.storedOrders().map { $0["externalOrderId"] } == [.string("k")])
            #expect(await s.admin("GET", "/stats")["faultsInjected"] == .int(2))
            await s.admin("POST", "/faults", json: #"{"rules":[{"path":"/api/v1/orders","count":1,"action":"badRequestRows","match":["x@shop.co"]}]}"#)
            let bad = await s.call("POST", "/api/v1/orders", json: #"{"orders":[\#(orderJSON(id: "z", email: "x@shop.co"))]}"#)
            #expect(bad.status == 400)
            #expect(await s.storedOrders("?externalOrderId=z").isEmpty)

            // Duplicated request: the same body again inside the window is refused.
            await s.admin("POST", "/config", json: #"{"duplicateWindowMs":60000}"#)
            let body = #"{"orders":[\#(orderJSON(id: "dup"))]}"#
            #expect(await s.call("POST", "/api/v1/orders", json: body).status == 200)
            let again = await s.call("POST", "/api/v1/orders", json: body)
            #expect(again.status == 400)
            #expect(again.text == "Duplicated request")

            // Orders spend the bulk bucket, shared with POST /contacts.
            await s.admin("POST", "/config", json: #"{"duplicateWindowMs":0,"rateLimitBulk":2,"rateLimitOther":0}"#)
            var statuses: [Int] = []
            for n in 0..<3 {
                statuses.append(await s.call("POST", "/api/v1/orders", json: #"{"orders":[\#(orderJSON(id: "rl\(n)"))]}"#).status)
            }
            #expect(statuses.filter { $0 == 429 }.count >= 1)
            #expect(await s.call("POST", "/api/v1/contacts", json: #"{"contacts":[\#(contactJSON(email: "q@b.co"))]}"#).status == 429)
            // The other bucket is untouched.
            #expect(await s.call("DELETE", "/api/v1/orders?externalOrderId=rl0").status == 200)
        }
    }

    @Test func resetForgetsOrders() async throws {
        try await withServer { s in
            _ = await s.orders([orderJSON()])
            await s.admin("POST", "/reset")
            #expect(await s.storedOrders().isEmpty)
        }
    }
}
