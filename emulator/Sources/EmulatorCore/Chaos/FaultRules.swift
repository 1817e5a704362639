// Scripted faults (docs/contracts.md §1 "Fault rules"): matched by method and path, applied to
// the next N matching requests or with a seeded probability, first applicable rule wins.
public enum FaultAction: String, Sendable, CaseIterable {
    case status, drop, dropMidResponse, stall, truncate, garbage
    case failedObject, rejectRows, badRequestRows, importError, delay
    /// Answers the "Duplicated request" error (duplicateStatus/duplicateBody) without processing.
    case duplicated
}

public struct FaultRule: Sendable {
    public var method: String?
    public var path: String
    public var count: Int?
    public var probability: Double?
    public var after = 0
    public var action: FaultAction
    public var status = 500
    public var retryAfter: Int?
    public var delayMs = 0
    public var match: Set<String> = []
    public var fraction = 0.0
    var seen = 0
    var fired = 0

    func matches(method m: String, path p: String) -> Bool {
        if let method, method.uppercased() != m { return false }
        if path.hasSuffix("*") { return p.hasPrefix(path.dropLast()) }
        return p == path || p == path + "/" || p + "/" == path
    }

    static func parse(_ v: JSONValue, index i: Int) -> Result<FaultRule, RequestError> {
        func bad(_ why: String) -> Result<FaultRule, RequestError> { .failure(.badRequest("rules[\(i)]: \(why)")) }
        guard v.isObject else { return bad("must be an object") }
        guard let actionName = v["action"]?.stringValue else { return bad("action is required") }
        guard let action = FaultAction(rawValue: actionName) else {
            return bad("action '\(actionName)' is not one of \(FaultAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let path = v["path"]?.stringValue, path.hasPrefix("/") else { return bad("path must be a string starting with '/'") }
        var r = FaultRule(path: path, action: action)
        if let m = v["method"], m != .null {
            guard let s = m.stringValue else { return bad("method must be a string") }
            r.method = s.uppercased()
        }
        func int(_ key: String, min: Int64 = 0) -> Result<Int?, RequestError> {
            guard let x = v[key], x != .null else { return .success(nil) }
            guard let n = x.int64Value, n >= min, n <= Int64(Int32.max) else {
                return .failure(.badRequest("rules[\(i)]: \(key) must be an integer ≥ \(min)"))
            }
            return .success(Int(n))
        }
        func number(_ key: String) -> Result<Double?, RequestError> {
            guard let x = v[key], x != .null else { return .success(nil) }
            let d: Double
            switch x {
            case .int(let n): d = Double(n)
            case .double(let n): d = n
            default: return .failure(.badRequest("rules[\(i)]: \(key) must be a number from 0 to 1"))
            }
            guard d >= 0, d <= 1 else { return .failure(.badRequest("rules[\(i)]: \(key) must be a number from 0 to 1")) }
            return .success(d)
        }
        do {
            r.count = try int("count", min: 1).get()
            r.after = try int("after").get() ?? 0
            r.status = try int("status", min: 100).get() ?? 500
            r.retryAfter = try int("retryAfter").get()
            r.delayMs = try int("delayMs").get() ?? 0
            r.probability = try number("probability").get()
            r.fraction = try number("fraction").get() ?? 0
        } catch {
            return .failure(error)
        }
        if r.status > 599 { return bad("status must be from 100 to 599") }
        if r.count != nil && r.probability != nil { return bad("give count or probability, not both") }
        if let m = v["match"], m != .null {
            guard let items = m.arrayValue else { return bad("match must be an array of emails or phones") }
            for item in items {
                guard let s = item.stringValue else { return bad("match must be an array of emails or phones") }
                r.match.insert(ContactValidation.normaliseEmail(s) ?? ContactValidation.normalisePhone(s) ?? s)
            }
        }
        return .success(r)
    }
}

/// The rule chosen for one request, with its own generator for per-contact choices.
public struct FiredFault: Sendable {
    public var rule: FaultRule
    var random: SeededRandom

    /// Whether this contact is one the rule names (by any email or phone) or drawn by `fraction`.
    mutating func picks(_ c: ContactInput) -> Bool {
        if !rule.match.isEmpty, c.channels.contains(where: { rule.match.contains($0.value) }) { return true }
        return rule.fraction > 0 && random.unit() < rule.fraction
    }
}

struct FaultSet: Sendable {
    var rules: [FaultRule] = []
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    static func parse(_ body: JSONValue) -> Result<FaultSet, RequestError> {
        guard body.isObject else { return .failure(.badRequest("body must be {\"seed\":N,\"rules\":[...]}")) }
        var seed: UInt64 = 0
        if let s = body["seed"], s != .null {
            guard let n = s.int64Value, n >= 0 else { return .failure(.badRequest("seed must be a non-negative integer")) }
            seed = UInt64(n)
        }
        var set = FaultSet(seed: seed)
        guard let items = body["rules"]?.arrayValue else { return .failure(.badRequest("rules must be an array")) }
        for (i, item) in items.enumerated() {
            switch FaultRule.parse(item, index: i) {
            case .success(let r): set.rules.append(r)
            case .failure(let e): return .failure(e)
            }
        }
        return .success(set)
    }

    mutating func select(method: String, path: String) -> FiredFault? {
        for i in rules.indices where rules[i].matches(method: method, path: path) {
            rules[i].seen += 1
            if rules[i].seen <= rules[i].after { continue }
            if let count = rules[i].count {
                if rules[i].fired >= count { continue }
            } else if let p = rules[i].probability {
                if random.unit() >= p { continue }
            }
            rules[i].fired += 1
            return FiredFault(rule: rules[i], random: SeededRandom(seed: random.next()))
        }
        return nil
    }
}
