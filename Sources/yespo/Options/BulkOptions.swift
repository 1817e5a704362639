// The bulk options of POST /contacts (and how the input is read: InputReadOptions), as flags; and their canonical
// text, whose hash the journal keeps so that --resume refuses a run with different options.
import ArgumentParser
import YespoCore

struct BulkOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "How Yespo matches existing contacts: email, sms, email_or_sms, id, fieldId, externalCustomerId, push, webpush.",
        valueName: "key"))
    var dedupeOn: String = "email"

    @Option(name: .long, help: "The custom field id to match on (with --dedupe-on fieldId).")
    var fieldId: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Add every contact to this segment (repeatable; created if missing).", valueName: "name"))
    var group: [String] = []

    @Option(name: .long, help: ArgumentHelp("Remove every contact from this segment (repeatable).", valueName: "name"))
    var excludeGroup: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Write only these contact fields, comma-separated (firstName,lastName,email,sms,town,...).",
        valueName: "list"))
    var fields: String?

    @Option(name: .long, help: ArgumentHelp("Write only these custom fields, comma-separated ids.", valueName: "ids"))
    var customFieldIds: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "Restore (or leave alone) contacts that were deleted.")
    var restoreDeleted: Bool?

    @Option(name: .long, help: ArgumentHelp("Generate this event for every new contact.", valueName: "key"))
    var eventKey: String?

    @Option(name: .long, help: ArgumentHelp(
        "Map a CSV column to a contact field or a custom field id (repeatable), e.g. --map \"E-mail=email\" --map \"Tier=12345\".",
        valueName: "column=field"))
    var map: [String] = []

    /// How the files are read (shared with orders and events).
    @OptionGroup var input: InputReadOptions

    static let mappableFields = ["firstName", "lastName", "email", "sms", "address", "region", "town",
                                 "postcode", "languageCode", "timeZone", "externalCustomerId", "id", "contactKey"]

    func upsertOptions() throws(CLIFailure) -> UpsertOptions {
        var o = UpsertOptions()
        guard let key = Self.dedupeKey(dedupeOn) else {
            throw CLIFailure("--dedupe-on \(dedupeOn) is not one of: "
                             + DedupeKey.allCases.map(\.rawValue).joined(separator: ", "))
        }
        o.dedupeOn = key
        if key == .fieldId && fieldId == nil { throw CLIFailure("--dedupe-on fieldId needs --field-id N") }
        o.fieldId = fieldId
        if let fields { o.contactFields = Self.list(fields) }
        if let ids = customFieldIds {
            var parsed: [Int] = []
            for item in Self.list(ids) {
                guard let id = Int(item), id > 0 else { throw CLIFailure("--custom-field-ids: \"\(item)\" is not a field id") }
                parsed.append(id)
            }
            o.customFieldsIDs = parsed
        }
        if !group.isEmpty { o.groupNames = group }
        if !excludeGroup.isEmpty { o.groupNamesExclude = excludeGroup }
        o.restoreDeleted = restoreDeleted
        if let eventKey {
            if let problem = EventKeyRule.problem(eventKey) { throw CLIFailure("--event-key \(problem)") }
            o.eventKeyForNewContacts = eventKey
        }
        return o
    }

    func fileOptions() throws(CLIFailure) -> FileOptions {
        var f = try input.fileOptions()
        for entry in map {
            guard let eq = entry.lastIndex(of: "="), eq != entry.startIndex else {
                throw CLIFailure("--map \(entry): expected COLUMN=FIELD")
            }
            let column = String(entry[..<eq])
            let field = String(entry[entry.index(after: eq)...])
            guard isMappableCSVField(field) else {
                throw CLIFailure("--map \(entry): \"\(field)\" is not a field; use one of "
                                 + Self.mappableFields.joined(separator: ", ") + ", a custom field id, or - to ignore the column")
            }
            f.columns[column] = field
        }
        return f
    }

    /// Everything that changes what a row's outcome would be, in a stable order.
    func canonicalText() -> String {
        var parts = ["dedupeOn=\(dedupeOn)", "fieldId=\(fieldId.map(String.init) ?? "")",
                     "fields=\(fields ?? "")", "customFieldIds=\(customFieldIds ?? "")",
                     "groups=\(group.joined(separator: "|"))", "excludeGroups=\(excludeGroup.joined(separator: "|"))",
                     "restoreDeleted=\(restoreDeleted.map { $0 ? "true" : "false" } ?? "")",
                     "eventKey=\(eventKey ?? "")", "format=\(input.format ?? "")", "delimiter=\(input.delimiter ?? "")"]
        parts.append("map=" + map.sorted().joined(separator: "|"))
        if let encoding = input.canonicalEncoding { parts.append(encoding) }
        return parts.joined(separator: ";")
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { trimWhitespace(String($0)) }.filter { !$0.isEmpty }
    }

    /// Accepts the API's spelling and the kebab/snake spellings people type.
    static func dedupeKey(_ text: String) -> DedupeKey? {
        if let exact = DedupeKey(rawValue: text) { return exact }
        let folded = String(text.lowercased().filter { $0 != "-" && $0 != "_" })
        return DedupeKey.allCases.first { String($0.rawValue.lowercased().filter { $0 != "_" }) == folded }
    }
}
