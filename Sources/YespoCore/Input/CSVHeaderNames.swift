// Which contact field a CSV header (or a `columns` mapping value) names. Headers are compared
// case- and punctuation-insensitively ("E-mail", "e_mail", "EMAIL" are one name), with the
// aliases that real exports use (Excel, CRMs, Google/Outlook contacts) besides Yespo's own import
// names. Deliberately absent: ambiguous names ("Name", "Full name"), which no single field takes.

enum CSVHeaderNames {
    /// Lower-cased letters and digits only: "E-mail address" → "emailaddress", "first_name" → "firstname".
    static func normalized(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.lowercased().unicodeScalars where scalar.properties.isAlphabetic || isDigit(scalar) {
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

    /// The target a header or mapping value names, or nil. "-" and "" mean: ignore the column.
    static func target(_ text: String) -> CSVTarget? {
        let trimmed = trimmedText(text)
        if trimmed == "-" || trimmed.isEmpty { return .ignored }
        // Punctuation is forgiven, control characters are not: "\0\0Email" is garbage, not Email.
        if trimmed.unicodeScalars.contains(where: isControl) { return nil }
        let key = normalized(trimmed)
        if let target = aliases[key] { return target }
        // Custom field ids as written: "12345", not "12-345".
        if trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), trimmed.utf8.count <= 18,
           let id = Int64(trimmed), id > 0 { return .customField(id) }
        return nil
    }

    /// Headers that are recognised but have no contact field to go to: said in the mapping
    /// instead of silently ignored, so the user can map them (to a custom field) on purpose.
    static func unsupportedNote(_ text: String) -> String? {
        switch normalized(trimmedText(text)) {
        case "country", "countrycode", "countryname", "країна", "страна":
            return "Yespo contacts have no country field; map it to a custom field id to keep it"
        case "name", "fullname", "contactname", "displayname":
            return "not split into first and last name; map it (e.g. to firstName) to use it"
        default:
            return nil
        }
    }

    /// Yespo's import names and common aliases, keyed by `normalized`.
    static let aliases: [String: CSVTarget] = {
        var table: [String: CSVTarget] = [:]
        func add(_ target: CSVTarget, _ names: String...) { for n in names { table[normalized(n)] = target } }
        add(.firstName, "First name", "firstName", "given name", "forename", "Christian name",
            "Имя", "Ім'я", "Імя")
        add(.lastName, "Last name", "lastName", "surname", "family name", "Фамилия", "Прізвище")
        add(.email, "Email", "E-mail", "email address", "e-mail address", "mail", "email addr", "emails",
            "primary email", "Электронная почта", "Ел. пошта", "Почта", "Пошта")
        add(.sms, "Sms", "phone", "phone number", "mobile", "mobile phone", "mobile number", "mobile phone number",
            "cell", "cell phone", "cellphone", "telephone", "tel", "msisdn", "primary phone", "Телефон",
            "Мобильный", "Мобільний", "Мобильный телефон", "Мобільний телефон")
        add(.address, "Address", "street", "street address", "address line 1", "Адрес", "Адреса")
        add(.region, "Region", "state", "province", "state/province", "Область", "Регион", "Регіон")
        add(.town, "City", "town", "Город", "Місто")
        add(.postcode, "Postcode", "post code", "zip", "zip code", "zipcode", "postal code", "postal",
            "Индекс", "Почтовый индекс", "Поштовий індекс", "Індекс")
        add(.languageCode, "Language code", "languageCode", "language", "lang")
        add(.timeZone, "Timezone", "time zone", "tz")
        add(.id, "Contact id", "id", "contactId")
        add(.externalCustomerId, "External customer id", "externalCustomerId", "external id", "customer id")
        add(.contactKey, "Contact key", "contactKey")
        return table
    }()

    /// How a target is written in a mapping (the names `columns` / `--map` accept).
    static func fieldName(_ target: CSVTarget) -> String {
        switch target {
        case .firstName: return "firstName"
        case .lastName: return "lastName"
        case .email: return "email"
        case .sms: return "sms"
        case .address: return "address"
        case .region: return "region"
        case .town: return "town"
        case .postcode: return "postcode"
        case .languageCode: return "languageCode"
        case .timeZone: return "timeZone"
        case .externalCustomerId: return "externalCustomerId"
        case .id: return "id"
        case .contactKey: return "contactKey"
        case .customField(let id): return String(id)
        case .ignored: return "-"
        }
    }
}

/// Whether `name` is something a column may be mapped to (a field, an alias, a custom field id,
/// or "-"): the CLI checks `--map` values with it.
public func isMappableCSVField(_ name: String) -> Bool { CSVHeaderNames.target(name) != nil }

func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0) }

/// A header as shown in messages, the mapping line and the report: control characters as U+FFFD,
/// at most `limit` characters.
func displayHeader(_ s: String, limit: Int = 64) -> String {
    var out = ""
    var count = 0
    for scalar in s.unicodeScalars {
        if count == limit { return out + "…" }
        out.unicodeScalars.append(isControl(scalar) ? "\u{FFFD}" : scalar)
        count += 1
    }
    return out
}

/// A CSV cell's text, trimmed as trimmedText trims, without building Characters for the common
/// case: ASCII spaces, tabs and line ends come off as bytes; only a cell that then starts or ends
/// with a non-ASCII byte (which may be Unicode whitespace) takes the Character path.
func trimmedCellText(_ bytes: [UInt8]) -> String {
    var lo = 0, hi = bytes.count
    @inline(__always) func asciiSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
    while lo < hi && asciiSpace(bytes[lo]) { lo += 1 }
    while hi > lo && asciiSpace(bytes[hi - 1]) { hi -= 1 }
    let text = String(decoding: bytes[lo..<hi], as: UTF8.self)
    if lo < hi && (bytes[lo] >= 0x80 || bytes[hi - 1] >= 0x80) { return trimmedText(text) }
    return text
}

func trimmedText(_ s: String) -> String {
    var sub = Substring(s)
    while let f = sub.first, f.isWhitespace { sub.removeFirst() }
    while let l = sub.last, l.isWhitespace { sub.removeLast() }
    return String(sub)
}
