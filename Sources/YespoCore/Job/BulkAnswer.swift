// Reads the answer to POST /contacts (or /orders): the asyncSessionId, and `failedContacts`
// (`failedOrders`), which may be an array, a single object, or absent. Each failure is tied to a
// position in the request by its `index`, or else by the contact's email/phone/externalCustomerId
// value (an order's externalOrderId).

struct BulkAnswer {
    struct Failure {
        /// 0-based position in the request's contacts array, when the server said it.
        var position: Int?
        /// Normalised identifying values of the failed contact (email, phone digits, ext id).
        var values: [String]
        var reason: String
    }
    var asyncSessionId: String?
    var failures: [Failure] = []

    /// nil when the body is not a JSON object (the server answered 200 with something else).
    static func parse(_ body: [UInt8], kind: JobKind = .contacts) -> BulkAnswer? {
        guard case .success(let document) = JSONDocument.parse(body), document.root.kind == .object else {
            return nil
        }
        let root = document.root
        var answer = BulkAnswer(asyncSessionId: root["asyncSessionId"]?.string)
        if answer.asyncSessionId == nil, let number = root["asyncSessionId"]?.int64 {
            answer.asyncSessionId = String(number)
        }
        if let failed = root[kind.failedListName] {
            switch failed.kind {
            case .array: answer.failures = failed.elements.map { failure($0, kind) }
            case .object: answer.failures = [failure(failed, kind)]
            default: break
            }
        }
        return answer
    }

    private static func failure(_ entry: JSONNode, _ kind: JobKind) -> Failure {
        var position: Int? = nil
        if let index = (entry["index"] ?? entry["position"])?.int64, index >= 0, index < Int64(Int32.max) { position = Int(index) }
        var values: [String] = []
        let echoed = entry[kind.echoedRowKey] ?? entry
        if kind == .orders {
            // An order is named by its externalOrderId alone (its email may be on many orders).
            values.append(contentsOf: orderIdentifyingValues(echoed))
            return Failure(position: position, values: values, reason: reason(entry))
        }
        values.append(contentsOf: identifyingValues(echoed))
        for key in ["email", "sms", "phone", "value"] {
            if let text = entry[key]?.string { values.append(normalisedChannel(text)) }
        }
        return Failure(position: position, values: values, reason: reason(entry))
    }

    /// The server's words for one failed entry.
    private static func reason(_ entry: JSONNode) -> String {
        var reason = "rejected by the server"
        for key in ["error", "message", "reason", "errorMessage", "description"] {
            if let text = entry[key]?.string, !text.isEmpty { reason = text; break }
        }
        if let errors = entry["errors"], errors.kind == .array {
            // [{"code":..,"message":..}] or plain strings: every message, in order.
            let messages = errors.elements.compactMap { $0.string ?? $0["message"]?.string ?? $0["error"]?.string }
            if !messages.isEmpty { reason = messages.joined(separator: "; ") }
        }
        return reason
    }

    /// The "Duplicated request" answer (seen caught by Yespo's official Shopify app): the same
    /// body was applied shortly before. Its status and shape are unknown, so the text decides.
    static func isDuplicatedRequest(_ body: [UInt8]) -> Bool {
        guard body.count < 4096 else { return false }
        return String(decoding: body, as: UTF8.self).lowercased().contains("duplicated request")
    }
}

/// Email (lower-cased), phone digits and externalCustomerId of a contact object.
func identifyingValues(_ contact: JSONNode) -> [String] {
    var values: [String] = []
    if let channels = contact["channels"], channels.kind == .array {
        for channel in channels.elements {
            guard let value = channel["value"]?.string else { continue }
            values.append(normalisedChannel(value))
        }
    }
    if let ext = contact["externalCustomerId"] {
        if let text = ext.string { values.append("ext:" + text) }
        else if let number = ext.int64 { values.append("ext:\(number)") }
    }
    return values
}

/// An order object's externalOrderId as "order:<id>" (what FailureLocator matches orders by).
func orderIdentifyingValues(_ order: JSONNode) -> [String] {
    guard let id = order["externalOrderId"] else { return [] }
    if let text = id.string { return ["order:" + trimmedText(text)] }
    if let number = id.int64 { return ["order:\(number)"] }
    return []
}

/// Emails compare lower-cased and trimmed; phones by their digits.
func normalisedChannel(_ value: String) -> String {
    if value.contains("@") {
        return String(value.lowercased().unicodeScalars.filter { $0 != " " && $0 != "\t" })
    }
    let digits = value.unicodeScalars.filter { $0.value >= 0x30 && $0.value <= 0x39 }
    return digits.isEmpty ? value : String(String.UnicodeScalarView(digits))
}
