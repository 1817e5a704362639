// POST /api/v1/orders (add orders in bulk) and DELETE /api/v1/orders (by id or by a date
// window). Valid orders are applied while the request is processed, in request order; invalid
// ones come back in `failedOrders`, in the shapes `failedShape` gives `failedContacts`.
extension Emulator {
    static let maxOrders = 1000
    static let maxDeleteWindowSeconds = 24.0 * 3600

    func addOrders(body: [UInt8], fault: inout FiredFault?) -> Reply {
        let doc: JSONValue
        do { doc = try JSONParser.parse(body) } catch { return .text(400, error.description) }
        guard doc.isObject else { return .text(400, "request body must be a JSON object, got \(doc.kindName)") }
        guard let items = doc["orders"]?.arrayValue else {
            return .text(400, "'orders' must be an array of 1 to \(Self.maxOrders) orders")
        }
        guard (1...Self.maxOrders).contains(items.count) else {
            return .text(400, "'orders' has \(items.count) orders; 1 to \(Self.maxOrders) are allowed")
        }
        var valid: [OrderInput] = []
        var failed: [FailedRow] = []
        for (i, item) in items.enumerated() {
            switch OrderValidation.parse(item) {
            case .failure(let f): failed.append(FailedRow(index: i, sent: item, error: f.reason, code: "INVALID_ORDER"))
            case .success(let o):
                // The row faults pick orders by their email or phone, as they pick contacts.
                let channels = [o.email.map { ContactChannel(kind: .email, value: $0) },
                                o.phone.map { ContactChannel(kind: .sms, value: $0) }].compactMap { $0 }
                if let f = fault, f.rule.action == .badRequestRows, !f.rule.match.isEmpty,
                   let hit = channels.first(where: { f.rule.match.contains($0.value) }) {
                    countFault()
                    return .text(400, "Order at index \(i) (\(hit.value)) was rejected: bad request (fault rule)")
                }
                if let action = fault?.rule.action, action == .rejectRows || action == .failedObject,
                   fault?.picks(ContactInput(channels: channels)) == true {
                    failed.append(FailedRow(index: i, sent: item, error: "rejected by fault rule", code: "REJECTED"))
                    continue
                }
                valid.append(o)
            }
        }
        if let f = fault, f.rule.action == .failedObject || (f.rule.action == .rejectRows && failed.contains { $0.code == "REJECTED" }) {
            countFault()
        }
        withWorld { w in
            for o in valid { w.applyOrder(o) }
        }
        var w = JSONWriter(capacity: 64 + failed.count * 200)
        w.raw("{\"asyncSessionId\":"); w.string(UUIDText.make())
        if !failed.isEmpty {
            w.raw(",\"failedOrders\":")
            writeFailedRows(failed, itemKey: "order", forceObject: fault?.rule.action == .failedObject, into: &w)
        }
        w.raw("}")
        return .json(w.bytes)
    }

    /// `?externalOrderId=X`, or `?from=ISO&to=ISO` at most 24 hours apart. The real method deletes
    /// asynchronously; the emulator deletes at once and answers 200 with an empty body, also when
    /// nothing matched (an asynchronous server could not know yet).
    func deleteOrders(_ q: QueryString) -> Reply {
        if let id = q["externalOrderId"], !id.isEmpty {
            _ = withWorld { w in w.orders.remove { $0.input.externalOrderId == id } }
            return .text(200, "")
        }
        let from = q["from"].flatMap { $0.isEmpty ? nil : $0 }
        let to = q["to"].flatMap { $0.isEmpty ? nil : $0 }
        guard from != nil || to != nil else {
            return .text(400, "give 'externalOrderId', or 'from' and 'to' (at most 24 hours apart)")
        }
        guard let from, let to else { return .text(400, "'from' and 'to' must be given together") }
        guard let start = ISODateTime.parse(from) else { return .text(400, "'from' is not an ISO-8601 date-time: '\(from)'") }
        guard let end = ISODateTime.parse(to) else { return .text(400, "'to' is not an ISO-8601 date-time: '\(to)'") }
        guard end >= start else { return .text(400, "'to' is before 'from'") }
        guard end - start <= Self.maxDeleteWindowSeconds else {
            return .text(400, "'from' and 'to' are more than 24 hours apart")
        }
        _ = withWorld { w in w.orders.remove { (start...end).contains($0.input.dateSeconds) } }
        return .text(200, "")
    }
}
