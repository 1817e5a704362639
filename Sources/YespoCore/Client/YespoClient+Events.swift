// One event (POST /api/v2/event, the v2 API beside the v1 base URL) and deleting orders
// (DELETE /orders by external id or by a time window). Both are checked here, before anything is
// sent, so that a request the server would refuse never leaves the client.

extension YespoClient {
    /// Param names the server takes the event's key from when there is no keyValue.
    static let eventKeyParams: Set<String> = ["contactId", "externalCustomerId", "email", "phone", "pushToken"]

    /// POST {v2 base}/event with {"eventTypeKey","keyValue"?,"params"?:[{"name","value"}]}.
    /// Param values may be strings, numbers or booleans (sent as strings).
    public func sendEvent(_ eventJSON: String) throws(YespoError) {
        let body = try Self.eventBody(eventJSON)
        let base = try settings.v2BaseURL()
        _ = try send("POST", "/event", body: body, baseURL: base)
    }

    /// The checked, normalised body of one event (separate from the request so tests and the
    /// fuzzer can feed it anything).
    static func eventBody(_ eventJSON: String) throws(YespoError) -> [UInt8] {
        let document: JSONDocument
        switch JSONDocument.parse(eventJSON) {
        case .success(let d): document = d
        case .failure(let f): throw YespoError(.invalidArgument, "event: malformed JSON at byte \(f.position): \(f.message)")
        }
        let root = document.root
        guard root.kind == .object else { throw YespoError(.invalidArgument, "event: expected a JSON object, got \(root.kindName)") }
        for (key, _) in root.members where !["eventTypeKey", "keyValue", "params"].contains(key) {
            throw YespoError(.invalidArgument, "event: unknown key \"\(key)\" (an event has eventTypeKey, keyValue, params)")
        }
        guard let typeNode = root["eventTypeKey"], let typeKey = typeNode.string else {
            throw YespoError(.invalidArgument, "event: \"eventTypeKey\" must be a string (the event type)")
        }
        if let problem = EventKeyRule.problem(typeKey) {
            throw YespoError(.invalidArgument, "event: \"eventTypeKey\" \(problem)")
        }
        var keyValue: String? = nil
        if let node = root["keyValue"], node.kind != .null {
            guard let text = scalarText(node), !text.isEmpty else {
                throw YespoError(.invalidArgument, "event: \"keyValue\" must be a non-empty string, got \(node.kindName)")
            }
            keyValue = text
        }
        var params: [(String, String)] = []
        if let list = root["params"], list.kind != .null {
            guard list.kind == .array else { throw YespoError(.invalidArgument, "event: \"params\" must be an array of {\"name\",\"value\"}, got \(list.kindName)") }
            for (i, item) in list.elements.enumerated() {
                guard item.kind == .object, let name = item["name"]?.string, !name.isEmpty else {
                    throw YespoError(.invalidArgument, "event: params[\(i)] must be an object with a non-empty \"name\"")
                }
                guard let valueNode = item["value"], let value = scalarText(valueNode) else {
                    throw YespoError(.invalidArgument, "event: params[\(i)] (\"\(name)\") needs a \"value\" (a string, number or boolean)")
                }
                params.append((name, value))
            }
        }
        let hasKey = keyValue != nil || params.contains { Self.eventKeyParams.contains($0.0) && !$0.1.isEmpty }
        guard hasKey else {
            throw YespoError(.invalidArgument, "event: no key: give \"keyValue\" or a param named contactId, externalCustomerId, email, phone or pushToken (the server rejects the event otherwise)")
        }
        var out = JSONOutput(capacity: 128 + params.count * 48)
        out.raw("{"); out.key("eventTypeKey"); out.string(typeKey)
        if let keyValue { out.raw(","); out.key("keyValue"); out.string(keyValue) }
        if !params.isEmpty {
            out.raw(","); out.key("params"); out.raw("[")
            for (i, (name, value)) in params.enumerated() {
                if i > 0 { out.raw(",") }
                out.raw("{"); out.key("name"); out.string(name); out.raw(","); out.key("value"); out.string(value); out.raw("}")
            }
            out.raw("]")
        }
        out.raw("}")
        return out.bytes
    }

    /// DELETE /orders?externalOrderId=X, or ?from=&to= (at most 24 hours apart). queryJSON:
    /// {"externalOrderId":str} or {"from":str,"to":str}, times as ISO 8601 ("2026-11-30T10:00:00",
    /// with or without a zone; both taken in the same zone for the window check) and sent unchanged.
    public func deleteOrders(_ queryJSON: String) throws(YespoError) {
        let pairs = try Self.orderDeleteQuery(queryJSON)
        _ = try send("DELETE", "/orders" + queryString(pairs))
    }

    static func orderDeleteQuery(_ queryJSON: String) throws(YespoError) -> [(String, String)] {
        let document: JSONDocument
        switch JSONDocument.parse(queryJSON) {
        case .success(let d): document = d
        case .failure(let f): throw YespoError(.invalidArgument, "orders delete: malformed JSON at byte \(f.position): \(f.message)")
        }
        let root = document.root
        guard root.kind == .object else { throw YespoError(.invalidArgument, "orders delete: expected a JSON object, got \(root.kindName)") }
        for (key, _) in root.members where !["externalOrderId", "from", "to"].contains(key) {
            throw YespoError(.invalidArgument, "orders delete: unknown key \"\(key)\" (give externalOrderId, or from and to)")
        }
        let id = root["externalOrderId"]
        let from = root["from"], to = root["to"]
        if let id {
            guard from == nil && to == nil else {
                throw YespoError(.invalidArgument, "orders delete: give either \"externalOrderId\" or \"from\"+\"to\", not both")
            }
            guard let text = scalarText(id), !text.isEmpty, id.kind == .string || id.kind == .integer else {
                throw YespoError(.invalidArgument, "orders delete: \"externalOrderId\" must be a non-empty string")
            }
            return [("externalOrderId", text)]
        }
        guard let from, let to else {
            throw YespoError(.invalidArgument, "orders delete: give \"externalOrderId\", or both \"from\" and \"to\"")
        }
        guard let fromText = from.string, let toText = to.string else {
            throw YespoError(.invalidArgument, "orders delete: \"from\" and \"to\" must be ISO 8601 date-time strings")
        }
        guard let start = ISOTime.seconds(fromText) else {
            throw YespoError(.invalidArgument, "orders delete: \"from\" is not an ISO 8601 date-time (e.g. 2026-11-30T10:00:00): \"\(fromText)\"")
        }
        guard let end = ISOTime.seconds(toText) else {
            throw YespoError(.invalidArgument, "orders delete: \"to\" is not an ISO 8601 date-time (e.g. 2026-11-30T10:00:00): \"\(toText)\"")
        }
        guard end > start else { throw YespoError(.invalidArgument, "orders delete: \"to\" must be after \"from\"") }
        guard end - start <= 86_400 else {
            throw YespoError(.invalidArgument, "orders delete: the window is \(end - start) s; at most 24 hours (86400 s) are allowed")
        }
        return [("from", fromText), ("to", toText)]
    }
}

/// A string, integer, real or boolean as the text the API wants; nil for anything else.
func scalarText(_ node: JSONNode) -> String? {
    switch node.kind {
    case .string: return node.string
    case .integer: return node.int64.map { String($0) }
    case .real: return node.double.map { $0.rounded() == $0 && abs($0) < 9e15 ? String(Int64($0)) : String($0) }
    case .bool: return node.bool.map { $0 ? "true" : "false" }
    default: return nil
    }
}

/// ISO 8601 date-times ("YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]", optional "Z" or "±HH:MM"; a
/// space may stand for the "T") as seconds since 1970 in UTC; a time without a zone counts as UTC.
enum ISOTime {
    static func seconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month, year) else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        if i < b.count {
            guard b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 else { return nil }   // T, t, space
            i += 1
            guard let h = digits(2), expect(0x3A), let m = digits(2) else { return nil }
            hour = h; minute = m
            if expect(0x3A) {
                guard let s = digits(2) else { return nil }
                second = s
                if expect(0x2E) || expect(0x2C) {
                    let start = i
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                    guard i > start else { return nil }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            if i < b.count {
                if b[i] == 0x5A || b[i] == 0x7A { i += 1 }   // Z
                else if b[i] == 0x2B || b[i] == 0x2D {
                    let sign = b[i] == 0x2D ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    _ = expect(0x3A)
                    guard let om = digits(2), oh < 24, om < 60 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else { return nil }
            }
        }
        guard i == b.count else { return nil }
        return Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
