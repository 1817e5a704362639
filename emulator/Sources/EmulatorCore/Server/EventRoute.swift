// POST /api/v2/event: generate an event. The type key follows the same rule as
// eventKeyForNewContacts; the event key is `keyValue`, else the first of the params contactId,
// externalCustomerId, email, phone, pushToken (in that priority). With `eventRequiredParams`
// configured for the type, an event lacking one of them gets the plain-text 400 Yespo documents.
extension Emulator {
    static let eventKeyParams = ["contactId", "externalCustomerId", "email", "phone", "pushToken"]

    func generateEvent(_ body: [UInt8]) -> Reply {
        let doc: JSONValue
        switch parseBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        guard doc.isObject else { return .text(400, "request body must be a JSON object, got \(doc.kindName)") }
        guard let typeValue = doc["eventTypeKey"], typeValue != .null else { return .text(400, "'eventTypeKey' is required") }
        guard let type = typeValue.stringValue else { return .text(400, "'eventTypeKey' must be a string") }
        if let problem = ImportOptions.eventKeyProblem(type) { return .text(400, "eventTypeKey \(problem)") }
        var params: [(String, String)] = []
        if let p = doc["params"], p != .null {
            guard let items = p.arrayValue else { return .text(400, "'params' must be an array of {\"name\", \"value\"}") }
            for (i, item) in items.enumerated() {
                guard item.isObject, let name = item["name"]?.stringValue, !name.isEmpty else {
                    return .text(400, "params[\(i)]: 'name' must be a non-empty string")
                }
                params.append((name, Self.paramText(item["value"] ?? .null)))
            }
        }
        var key: String?
        if let k = doc["keyValue"], k != .null {
            switch k {
            case .string(let s): key = s.isEmpty ? nil : s
            case .int(let n): key = String(n)
            default: return .text(400, "'keyValue' must be a string")
            }
        }
        if key == nil {
            key = Self.eventKeyParams.lazy.compactMap { name in
                params.first { $0.0 == name && !$0.1.isEmpty }?.1
            }.first
        }
        guard let key else {
            return .text(400, "the event has no key: give 'keyValue', or a param named contactId, externalCustomerId, email, phone or pushToken")
        }
        if let required = settings.eventRequiredParams[type] {
            let names = Set(params.map(\.0))
            if !required.allSatisfy(names.contains) {
                return .text(400, "The event should have the following params: [\(required.joined(separator: ", "))]")
            }
        }
        withWorld { $0.store.record(EmulatorEvent(type: type, key: key, params: params)) }
        return .text(200, "")
    }

    /// A param value as text: strings as they are, other JSON as its compact JSON text.
    static func paramText(_ v: JSONValue) -> String {
        switch v {
        case .null: return ""
        case .string(let s): return s
        default: return v.jsonText
        }
    }
}
