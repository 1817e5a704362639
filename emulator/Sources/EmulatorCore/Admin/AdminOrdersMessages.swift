// GET /_emulator/orders and GET /_emulator/messages: what POST /orders stored and what the
// message sends logged, for tests to read back.
extension Emulator {
    /// Stored orders in first-write order; `?externalOrderId=` picks one.
    func adminOrders(_ q: QueryString) -> Reply {
        let only = q["externalOrderId"]
        return withWorld { w in
            .json(.array(w.orders.orders.compactMap { o -> JSONValue? in
                if let only, o.input.externalOrderId != only { return nil }
                let i = o.input
                var members: [(String, JSONValue)] = [
                    ("externalOrderId", .string(i.externalOrderId)), ("externalCustomerId", .string(i.externalCustomerId)),
                    ("status", .string(i.status.rawValue)), ("date", .string(i.date)), ("totalCost", .double(i.totalCost)),
                    ("currency", .string(i.currency)),
                ]
                if let e = i.email { members.append(("email", .string(e))) }
                if let p = i.phone { members.append(("phone", .string(p))) }
                members += [("contactId", .int(o.contactId)), ("writeSeq", .int(Int64(o.writeSeq))), ("order", i.sent)]
                return .object(members)
            }))
        }
    }

    /// Every logged recipient in order; `?kind=` (email, sms, prepared, smartsend) and
    /// `?locator=` (as sent) filter.
    func adminMessages(_ q: QueryString) -> Reply {
        let kind = q["kind"], locator = q["locator"]
        return withWorld { w in
            .json(.array(w.messages.sends.compactMap { s -> JSONValue? in
                if let kind, s.kind.rawValue != kind { return nil }
                if let locator, s.locator != locator { return nil }
                var members: [(String, JSONValue)] = [("kind", .string(s.kind.rawValue))]
                if let id = s.messageId { members.append(("messageId", .int(id))) }
                members += [("locator", .string(s.locator)), ("status", .string(s.status))]
                if let e = s.error { members.append(("error", .string(e))) }
                if let id = s.contactId { members.append(("contactId", .int(id))) }
                members += [("contactCreated", .bool(s.contactCreated)), ("requestId", .string(s.requestId)),
                            ("details", .object(s.details))]
                return .object(members)
            }))
        }
    }
}
