// Which CSV column feeds which contact field: Yespo's import column names (case-insensitive,
// trimmed), numeric custom-field columns, and FileOptions.columns on top.
//
// `KEY_PROFILE.KEY_FIELD` columns: Yespo's file import knows custom fields by these keys, but the
// JSON contacts API this client uses takes custom fields only by numeric id, and there is no
// method here to look an id up. Guessing or silently dropping the column would lose data, so such a
// column must be mapped in FileOptions.columns (to its numeric id, or to "-" to ignore it); an
// unmapped one stops the file before any row is read, with a message saying exactly that.
// Other unknown columns are ignored.

enum CSVTarget: Equatable {
    case firstName, lastName, email, sms, address, region, town, postcode
    case languageCode, timeZone, externalCustomerId, id, contactKey
    case customField(Int64)
    case ignored

    /// Targets a column header or a FileOptions.columns value may name (lower-cased).
    static func named(_ lowered: String) -> CSVTarget? {
        switch lowered {
        case "first name", "firstname", "first_name": return .firstName
        case "last name", "lastname", "last_name": return .lastName
        case "email", "e-mail": return .email
        case "sms", "phone": return .sms
        case "address": return .address
        case "region": return .region
        case "city", "town": return .town
        case "postcode": return .postcode
        case "language code", "languagecode": return .languageCode
        case "timezone", "time zone": return .timeZone
        case "contact id", "id": return .id
        case "external customer id", "externalcustomerid": return .externalCustomerId
        case "contact key", "contactkey": return .contactKey
        case "-", "": return .ignored
        default:
            if let id = digitsValue(lowered) { return .customField(id) }
            return nil
        }
    }

    /// How many columns may feed this target (two emails / phones, like two channels of a type).
    var maxColumns: Int {
        switch self {
        case .email, .sms: return 2
        case .ignored: return Int.max
        default: return 1
        }
    }
}

struct CSVColumn {
    let index: Int
    /// The header as written, for messages ("Email (column 3)").
    let header: String
    let target: CSVTarget

    var label: String { "\(header) (column \(index + 1))" }
}

/// Where a column's value goes in the contact JSON; the plan is ordered by section so that each
/// container (channels, address, fields) is written in one piece.
enum CSVSection: Int, Comparable {
    case top = 0, channels, address, fields
    static func < (a: CSVSection, b: CSVSection) -> Bool { a.rawValue < b.rawValue }
}

/// One mapped column, as the row builder uses it (no strings: copied for every row).
struct CSVPlannedColumn {
    let cell: Int
    let target: CSVTarget
    let section: CSVSection
    /// Index into CSVColumnMap.columns, for messages.
    let column: Int
}

extension CSVTarget {
    var section: CSVSection {
        switch self {
        case .email, .sms: return .channels
        case .address, .region, .town, .postcode: return .address
        case .customField: return .fields
        default: return .top
        }
    }
}

struct CSVColumnMap {
    let headerCount: Int
    let columns: [CSVColumn]
    let plan: [CSVPlannedColumn]

    init(header: [String], options: FileOptions, fileName: String) throws(YespoError) {
        func fail(_ message: String) -> YespoError { YespoError(.invalidInput, "\(fileName): \(message)") }
        var extra: [String: (original: String, target: CSVTarget)] = [:]
        for (key, value) in options.columns {
            guard let target = CSVTarget.named(trimmed(value).lowercased()) else {
                throw fail("columns: \"\(value)\" (for column \"\(key)\") is not a contact field or a custom field id")
            }
            extra[trimmed(key).lowercased()] = (key, target)
        }
        var mapped: [CSVColumn] = []
        var used = Set<String>()
        for (index, raw) in header.enumerated() {
            let name = trimmed(raw)
            let lowered = name.lowercased()
            let target: CSVTarget
            if let e = extra[lowered] {
                target = e.target
                used.insert(lowered)
            } else if let t = CSVTarget.named(lowered), t != .ignored {
                target = t
            } else if isProfileFieldKey(name) {
                throw fail("column \"\(name)\" is a Yespo custom-field key; the contacts API takes custom fields "
                    + "by numeric id, so map it in the file options: \"columns\": {\"\(name)\": \"<field id>\"} "
                    + "(or \"-\" to ignore the column)")
            } else {
                continue  // unknown columns are ignored
            }
            if target == .ignored { continue }
            let same = mapped.filter { $0.target == target }
            if same.count >= target.maxColumns {
                throw fail("columns \(same[0].index + 1) (\"\(same[0].header)\") and \(index + 1) (\"\(name)\") both fill the same field")
            }
            mapped.append(CSVColumn(index: index, header: name, target: target))
        }
        for (key, e) in extra where !used.contains(key) {
            throw fail("columns: there is no column \"\(e.original)\" in the header")
        }
        guard !mapped.isEmpty else {
            throw fail("no column of the header is known; expected Yespo's import column names (First name, "
                + "Last name, Email, Sms, Address, Region, City, Postcode, Language code, Timezone, Contact id, "
                + "External customer id) or numeric custom field ids")
        }
        headerCount = header.count
        columns = mapped
        // Stable by section: within one, the file's column order.
        plan = mapped.enumerated()
            .map { CSVPlannedColumn(cell: $1.index, target: $1.target, section: $1.target.section, column: $0) }
            .enumerated().sorted { ($0.element.section, $0.offset) < ($1.element.section, $1.offset) }
            .map(\.element)
    }
}

private func trimmed(_ s: String) -> String {
    var sub = Substring(s)
    while let f = sub.first, f.isWhitespace { sub.removeFirst() }
    while let l = sub.last, l.isWhitespace { sub.removeLast() }
    return String(sub)
}

/// `KEY_PROFILE.KEY_FIELD`: letters, digits or '_' on both sides of one dot.
private func isProfileFieldKey(_ s: String) -> Bool {
    let parts = s.utf8.split(separator: JSONByte.dot, omittingEmptySubsequences: false)
    guard parts.count == 2 else { return false }
    return parts.allSatisfy { part in
        !part.isEmpty && part.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
    }
}

private func digitsValue(_ s: String) -> Int64? {
    var s = s
    return s.withUTF8 { parseDigits(UnsafeRawBufferPointer($0)) }
}
