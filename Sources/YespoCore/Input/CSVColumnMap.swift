// Which CSV column feeds which contact field: Yespo's import column names and common aliases
// (CSVHeaderNames), numeric custom-field columns, and FileOptions.columns on top. The resolved
// mapping is kept (`resolved`) so that every door can show it and the report can hold it.
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

    /// Targets a column header or a FileOptions.columns value may name (CSVHeaderNames: case- and
    /// punctuation-insensitive, with common aliases).
    static func named(_ text: String) -> CSVTarget? { CSVHeaderNames.target(text) }

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

    /// Every header cell in order: where it goes, or why it goes nowhere.
    let resolved: [CSVColumnReport]

    init(header: [String], options: FileOptions, fileName: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(YespoError) {
        func fail(_ message: String) -> YespoError { YespoError(.invalidInput, "\(fileName): \(message)") }
        var extra: [String: (original: String, target: CSVTarget)] = [:]
        for (key, value) in options.columns {
            guard let target = CSVTarget.named(value) else {
                throw fail("columns: \"\(value)\" (for column \"\(key)\") is not a contact field or a custom field id")
            }
            extra[trimmed(key).lowercased()] = (key, target)
        }
        // A mapping names its column as written, or in any spelling that normalises the same.
        var extraKeyByNormalized: [String: String] = [:]
        for key in extra.keys { extraKeyByNormalized[CSVHeaderNames.normalized(key)] = key }
        var mapped: [CSVColumn] = []
        var report: [CSVColumnReport] = []
        var used = Set<String>()
        for (index, raw) in header.enumerated() {
            let name = trimmed(raw)
            let lowered = name.lowercased()
            let target: CSVTarget
            var viaMapping = false
            if let key = extra[lowered] != nil ? lowered : extraKeyByNormalized[CSVHeaderNames.normalized(name)],
               let e = extra[key] {
                target = e.target
                used.insert(key)
                viaMapping = true
            } else if let t = CSVTarget.named(name), t != .ignored {
                target = t
            } else if isProfileFieldKey(name) {
                throw fail("column \"\(name)\" is a Yespo custom-field key; the contacts API takes custom fields "
                    + "by numeric id, so map it in the file options: \"columns\": {\"\(name)\": \"<field id>\"} "
                    + "(or \"-\" to ignore the column)")
            } else {
                // Unknown columns are ignored (and listed as such in the mapping).
                report.append(CSVColumnReport(column: index + 1, header: displayHeader(name), field: nil,
                                              note: CSVHeaderNames.unsupportedNote(name) ?? (name.isEmpty ? "no header" : "not a contact field")))
                continue
            }
            if target == .ignored {
                report.append(CSVColumnReport(column: index + 1, header: displayHeader(name), field: nil, note: "ignored by the mapping"))
                continue
            }
            let same = mapped.filter { $0.target == target }
            if same.count >= target.maxColumns {
                throw fail("columns \(same[0].index + 1) (\"\(same[0].header)\") and \(index + 1) (\"\(name)\") both fill the same field")
            }
            mapped.append(CSVColumn(index: index, header: name, target: target))
            report.append(CSVColumnReport(column: index + 1, header: displayHeader(name), field: CSVHeaderNames.fieldName(target),
                                          note: viaMapping ? "mapped" : nil))
        }
        for (key, e) in extra where !used.contains(key) {
            throw fail("columns: there is no column \"\(e.original)\" in the header")
        }
        guard !mapped.isEmpty else {
            throw fail(Self.noKnownColumn(header, delimiter: delimiter))
        }
        headerCount = header.count
        columns = mapped
        resolved = report
        // Stable by section: within one, the file's column order.
        plan = mapped.enumerated()
            .map { CSVPlannedColumn(cell: $1.index, target: $1.target, section: $1.target.section, column: $0) }
            .enumerated().sorted { ($0.element.section, $0.offset) < ($1.element.section, $1.offset) }
            .map(\.element)
    }

    /// What was found, what was expected, and the likely fix when the delimiter is the problem.
    static func noKnownColumn(_ header: [String], delimiter: UInt8) -> String {
        let shown = header.prefix(8).map { "\"\(quotedHeader(trimmed($0)))\"" }.joined(separator: ", ")
            + (header.count > 8 ? ", … (\(header.count) columns)" : "")
        var text = "no column of the header is known (found \(header.count == 1 ? "one column" : "\(header.count) columns"): "
            + "\(shown)); expected Yespo's import column names (First name, Last name, Email, Sms, Address, Region, "
            + "City, Postcode, Language code, Timezone, Contact id, External customer id), common ones (E-mail, "
            + "Phone, Mobile, Surname, ZIP, ...) or numeric custom field ids; map any other column with "
            + "\"columns\" (CLI: --map COLUMN=FIELD)"
        let joined = header.joined(separator: String(decoding: [delimiter], as: UTF8.self))
        for (byte, shown) in [(UInt8(ascii: ";"), "';'"), (UInt8(ascii: "\t"), "tab"), (UInt8(ascii: "|"), "'|'"),
                              (UInt8(ascii: ","), "','")] where byte != delimiter && joined.utf8.contains(byte) {
            let flag = byte == UInt8(ascii: "\t") ? "--delimiter tab" : "--delimiter '\(String(decoding: [byte], as: UTF8.self))'"
            text += "; the header contains \(shown): if that separates the columns, set the delimiter (CLI: \(flag))"
            break
        }
        return text
    }
}

/// One header cell and where its values go, as shown to the user and kept in the report.
public struct CSVColumnReport: Sendable, Equatable {
    /// 1-based column number.
    public let column: Int
    public let header: String
    /// The field name ("email", "firstName", a custom field id), nil when the column is not used.
    public let field: String?
    /// Why it is not used, or "mapped" when FileOptions.columns chose its field.
    public let note: String?
}

/// A header cell for a message: at most 40 characters, no control characters.
private func quotedHeader(_ s: String) -> String { displayHeader(s, limit: 40) }

private func trimmed(_ s: String) -> String { trimmedText(s) }

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
