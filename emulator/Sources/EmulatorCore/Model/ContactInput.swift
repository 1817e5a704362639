// One contact as a request sends it, validated and normalised. `nil` means "not in the request",
// which matters: a full bulk write empties what is missing, a merge leaves it alone.
public struct ContactInput: Sendable {
    public var id: Int64?
    public var externalCustomerId: String?
    public var firstName: String?
    public var lastName: String?
    public var languageCode: String?
    public var timeZone: String?
    public var contactKey: String?
    public var channels: [ContactChannel] = []
    public var address: Address?
    public var fields: [CustomField] = []

    public func values(of kind: ChannelKind) -> [String] {
        channels.compactMap { $0.kind == kind ? $0.value : nil }
    }
}

public enum ContactValidation {
    static let maxNameLength = 40

    /// Validates one contact object. `requireChannel` is false for PUT (an update may change
    /// only a name). Returns the reason on failure, phrased for a human.
    public static func parse(_ value: JSONValue, requireChannel: Bool = true) -> Result<ContactInput, ValidationFailure> {
        guard case .object(let members) = value else {
            return .failure(.init("contact must be a JSON object, got \(value.kindName)"))
        }
        var c = ContactInput()
        for (key, v) in members {
            if case .null = v { continue }
            switch key {
            case "id":
                guard let i = v.int64Value else { return .failure(.init("id must be an integer")) }
                c.id = i
            case "externalCustomerId":
                switch v {
                case .string(let s): c.externalCustomerId = s.isEmpty ? nil : s
                case .int(let i): c.externalCustomerId = String(i)
                default: return .failure(.init("externalCustomerId must be a string or an integer"))
                }
            case "firstName", "lastName":
                guard let s = v.stringValue else { return .failure(.init("\(key) must be a string")) }
                if s.unicodeScalars.count > maxNameLength {
                    return .failure(.init("\(key) is longer than \(maxNameLength) characters"))
                }
                if key == "firstName" { c.firstName = s } else { c.lastName = s }
            case "languageCode", "timeZone", "contactKey":
                guard let s = v.stringValue else { return .failure(.init("\(key) must be a string")) }
                switch key {
                case "languageCode": c.languageCode = s
                case "timeZone": c.timeZone = s
                default: c.contactKey = s
                }
            case "channels":
                switch parseChannels(v) {
                case .success(let channels): c.channels = channels
                case .failure(let f): return .failure(f)
                }
            case "address":
                switch parseAddress(v) {
                case .success(let a): c.address = a
                case .failure(let f): return .failure(f)
                }
            case "fields":
                switch parseFields(v) {
                case .success(let f): c.fields = f
                case .failure(let f): return .failure(f)
                }
            default:
                continue  // unknown keys pass through, as the real API ignores them
            }
        }
        if requireChannel && c.channels.isEmpty {
            return .failure(.init("contact has no channel (email, sms, mobilepush, webpush or viber)"))
        }
        return .success(c)
    }

    static func parseChannels(_ v: JSONValue) -> Result<[ContactChannel], ValidationFailure> {
        guard let items = v.arrayValue else { return .failure(.init("channels must be an array")) }
        var out: [ContactChannel] = []
        var perKind = [Int](repeating: 0, count: ChannelKind.allCases.count)
        for (i, item) in items.enumerated() {
            guard item.isObject else { return .failure(.init("channels[\(i)] must be an object")) }
            guard let typeName = item["type"]?.stringValue else {
                return .failure(.init("channels[\(i)].type must be a string"))
            }
            guard let kind = ChannelKind(name: typeName) else {
                return .failure(.init("channels[\(i)].type '\(typeName)' is not one of email, sms, mobilepush, webpush, viber"))
            }
            guard let raw = item["value"]?.stringValue else {
                return .failure(.init("channels[\(i)].value must be a string"))
            }
            let value: String
            switch kind {
            case .email:
                guard let e = normaliseEmail(raw) else { return .failure(.init("invalid email '\(raw)'")) }
                value = e
            case .sms:
                guard let p = normalisePhone(raw) else { return .failure(.init("invalid phone number '\(raw)'")) }
                value = p
            default:
                let t = raw.trimmingWhitespace()
                guard !t.isEmpty else { return .failure(.init("channels[\(i)].value is empty")) }
                value = t
            }
            perKind[Int(kind.rawValue)] += 1
            if perKind[Int(kind.rawValue)] > 2 {
                return .failure(.init("more than two \(kind.name) channels"))
            }
            out.append(ContactChannel(kind: kind, value: value))
        }
        return .success(out)
    }

    static func parseAddress(_ v: JSONValue) -> Result<Address, ValidationFailure> {
        guard case .object(let members) = v else { return .failure(.init("address must be an object")) }
        var a = Address()
        for (key, item) in members {
            if case .null = item { continue }
            guard let s = item.stringValue else { return .failure(.init("address.\(key) must be a string")) }
            switch key {
            case "region": a.region = s
            case "town": a.town = s
            case "address": a.address = s
            case "postcode": a.postcode = s
            default: continue
            }
        }
        return .success(a)
    }

    static func parseFields(_ v: JSONValue) -> Result<[CustomField], ValidationFailure> {
        guard let items = v.arrayValue else { return .failure(.init("fields must be an array")) }
        var out: [CustomField] = []
        for (i, item) in items.enumerated() {
            guard item.isObject else { return .failure(.init("fields[\(i)] must be an object")) }
            let id: Int64
            switch item["id"] {
            case .some(.string(let s)):
                guard let n = Int64(s), n >= 0 else { return .failure(.init("fields[\(i)].id must be an integer")) }
                id = n
            case .some(let other):
                guard let n = other.int64Value else { return .failure(.init("fields[\(i)].id must be an integer")) }
                id = n
            case .none:
                return .failure(.init("fields[\(i)].id is missing"))
            }
            let value: String
            switch item["value"] {
            case .some(.string(let s)): value = s
            case .some(.int(let n)): value = String(n)
            case .some(.double(let d)): value = JSONValue.double(d).jsonText
            case .some(.bool(let b)): value = b ? "true" : "false"
            case .some(.null), .none: value = ""
            case .some(let other): return .failure(.init("fields[\(i)].value must be a string, number or boolean, got \(other.kindName)"))
            }
            out.append(CustomField(id: id, value: value))
        }
        return .success(out)
    }

    /// Trimmed, lower-cased `local@domain.tld`, ≤ 254 characters, no spaces.
    public static func normaliseEmail(_ raw: String) -> String? {
        if let fast = normaliseASCIIEmail(raw) { return fast.isEmpty ? nil : fast }
        let e = raw.trimmingWhitespace().lowercased()
        guard !e.isEmpty, e.utf8.count <= 254 else { return nil }
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let domain = parts[1]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex,
              domain.index(after: dot) != domain.endIndex,
              !domain.hasPrefix("."), !domain.contains("..") else { return nil }
        for b in e.utf8 where b <= 0x20 || b == 0x7F { return nil }
        if !e.utf8.allSatisfy({ $0 < 0x80 }) {
            for s in e.unicodeScalars where s.properties.isWhitespace { return nil }
        }
        return e
    }

    /// The same rules in one pass over the bytes, for the common all-ASCII address. nil: not
    /// ASCII (use the general path); "": invalid.
    static func normaliseASCIIEmail(_ raw: String) -> String? {
        var utf8 = raw.utf8[...]
        while let f = utf8.first, f == 0x20 || (0x09...0x0D).contains(f) { utf8 = utf8.dropFirst() }
        while let l = utf8.last, l == 0x20 || (0x09...0x0D).contains(l) { utf8 = utf8.dropLast() }
        let n = utf8.count
        if n == 0 || n > 254 { return "" }
        var at = -1, lastDot = -1, i = 0
        var prev: UInt8 = 0
        var bytes = [UInt8](repeating: 0, count: n)
        for var c in utf8 {
            if c >= 0x80 { return nil }
            if c <= 0x20 || c == 0x7F { return "" }
            if c >= 0x41 && c <= 0x5A { c += 0x20 }
            if c == UInt8(ascii: "@") {
                if at >= 0 { return "" }
                at = i
            } else if c == UInt8(ascii: "."), at >= 0 {
                if prev == UInt8(ascii: ".") || prev == UInt8(ascii: "@") { return "" }
                lastDot = i
            }
            bytes[i] = c
            prev = c
            i += 1
        }
        // local part non-empty, a dot inside the domain, something after the last dot
        guard at > 0, lastDot > at + 1, lastDot < n - 1 else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Spaces, `-`, `(`, `)`, `.` and a leading `+` removed; then 7..15 digits.
    public static func normalisePhone(_ raw: String) -> String? {
        var digits: [UInt8] = []
        var seenPlus = false
        for c in raw.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(c)
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), 0x09: continue
            case UInt8(ascii: "+") where !seenPlus && digits.isEmpty: seenPlus = true
            default: return nil
            }
        }
        guard (7...15).contains(digits.count) else { return nil }
        return String(decoding: digits, as: UTF8.self)
    }
}

public struct ValidationFailure: Error, Sendable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension String {
    func trimmingWhitespace() -> String {
        // Most values start and end with a visible ASCII character: nothing to trim.
        if let f = utf8.first, let l = utf8.last, f > 0x20, f < 0x7F, l > 0x20, l < 0x7F { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
