// GET/POST /_emulator/config: the run-time settings as JSON, with the same names as the
// command-line flags in camelCase. POST merges the keys given; one bad key rejects the change.
extension Emulator {
    func configJSON() -> Reply {
        let s = settings
        return .json(.object([
            ("latencyMs", .double(s.latencyMs)),
            ("latencyPerContactUs", .double(s.latencyPerContactUs)),
            ("importDelayMs", .int(Int64(s.importDelayMs))),
            ("importDelayJitterMs", .int(Int64(s.importDelayJitterMs))),
            ("importOrder", .string(s.importOrder.rawValue)),
            ("rateLimitBulk", .int(Int64(s.rateLimitBulk))),
            ("rateLimitOther", .int(Int64(s.rateLimitOther))),
            ("retryAfter", s.retryAfter.map { .int(Int64($0)) } ?? .null),
            ("maxBodyMb", .int(Int64(s.maxBodyMb))),
            ("duplicateWindowMs", .int(Int64(s.duplicateWindowMs))),
            ("duplicateStatus", .int(Int64(s.duplicateStatus))),
            ("duplicateBody", .string(s.duplicateBody)),
            ("failedShape", .string(s.failedShape.rawValue)),
            ("eventRequiredParams", .object(s.eventRequiredParams.sorted { $0.key < $1.key }.map { type, names in
                (type, .array(names.map { .string($0) }))
            })),
        ]))
    }

    func updateConfig(_ body: [UInt8]) -> Reply {
        let doc: JSONValue
        switch parseBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        guard case .object(let members) = doc else { return .text(400, "config must be a JSON object") }
        var s = settings
        for (key, v) in members {
            if let problem = Self.merge(key, v, into: &s) { return .text(400, problem) }
        }
        settingsBox.withLock { $0 = s }
        limits.withLock { $0.apply(s) }
        return configJSON()
    }

    /// Sets one key; the reason when the key or its value is bad.
    static func merge(_ key: String, _ v: JSONValue, into s: inout EmulatorSettings) -> String? {
        func number() -> Double? {
            switch v {
            case .int(let n) where n >= 0: return Double(n)
            case .double(let d) where d >= 0 && d.isFinite: return d
            default: return nil
            }
        }
        func integer(min: Int64 = 0, max: Int64 = Int64(Int32.max)) -> Int? {
            guard let n = v.int64Value, n >= min, n <= max else { return nil }
            return Int(n)
        }
        switch key {
        case "latencyMs":
            guard let d = number() else { return "latencyMs must be a number ≥ 0" }
            s.latencyMs = d
        case "latencyPerContactUs":
            guard let d = number() else { return "latencyPerContactUs must be a number ≥ 0" }
            s.latencyPerContactUs = d
        case "importDelayMs":
            guard let n = integer() else { return "importDelayMs must be an integer ≥ 0" }
            s.importDelayMs = n
        case "importDelayJitterMs":
            guard let n = integer() else { return "importDelayJitterMs must be an integer ≥ 0" }
            s.importDelayJitterMs = n
        case "importOrder":
            guard let o = v.stringValue.flatMap(ImportOrder.init(rawValue:)) else {
                return "importOrder must be one of \(ImportOrder.names)"
            }
            s.importOrder = o
        case "rateLimitBulk":
            guard let n = integer() else { return "rateLimitBulk must be an integer ≥ 0" }
            s.rateLimitBulk = n
        case "rateLimitOther":
            guard let n = integer() else { return "rateLimitOther must be an integer ≥ 0" }
            s.rateLimitOther = n
        case "retryAfter":
            if v == .null { s.retryAfter = nil } else {
                guard let n = integer() else { return "retryAfter must be null or an integer ≥ 0" }
                s.retryAfter = n
            }
        case "maxBodyMb":
            guard let n = integer(min: 1) else { return "maxBodyMb must be an integer ≥ 1" }
            s.maxBodyMb = n
        case "duplicateWindowMs":
            guard let n = integer() else { return "duplicateWindowMs must be an integer ≥ 0 (0 = off)" }
            s.duplicateWindowMs = n
        case "duplicateStatus":
            guard let n = integer(min: 100, max: 599) else { return "duplicateStatus must be an integer from 100 to 599" }
            s.duplicateStatus = n
        case "duplicateBody":
            guard let b = v.stringValue else { return "duplicateBody must be a string" }
            s.duplicateBody = b
        case "failedShape":
            guard let f = v.stringValue.flatMap(FailedShape.init(rawValue:)) else {
                return "failedShape must be one of \(FailedShape.names)"
            }
            s.failedShape = f
        case "eventRequiredParams":
            let shape = "eventRequiredParams must be an object of event type → array of param names"
            guard case .object(let members) = v else { return shape }
            var map: [String: [String]] = [:]
            for (type, names) in members {
                guard let list = names.arrayValue else { return shape }
                let strings = list.compactMap(\.stringValue)
                guard strings.count == list.count, !strings.contains(where: \.isEmpty) else { return shape }
                map[type] = strings
            }
            s.eventRequiredParams = map
        default:
            return "unknown config key '\(key)'"
        }
        return nil
    }
}
