// The one table of bulk/job options (the JSON keys of yespo_upsert_begin): for each, its name in
// every door, its type and one line of doc, and how it is read. UpsertOptions.parse reads through
// this table; yespo_options_json publishes it; tests compare the header, the Python keywords, the
// Go struct, the CLI flags and docs/options.md against it. Adding a bulk option: one row here
// (with its reader), its UpsertOptions field, its behaviour — and the doors the tests then name.

public struct UpsertOption: Sendable {
    /// The JSON key of the options object.
    public let key: String
    /// "string", "integer", "boolean", "strings", "integers" or "enum".
    public let type: String
    public let values: [String]
    public let defaultText: String
    public let python: String
    public let go: String
    /// The CLI flag, or nil when the CLI has none (say why in `doc`).
    public let cli: String?
    public let doc: String
    let read: @Sendable (inout UpsertOptions, JSONNode, OptionReader) throws(YespoError) -> Void
}

public enum UpsertOptionTable {
    public static let all: [UpsertOption] = [
        UpsertOption(key: "dedupeOn", type: "enum", values: DedupeKey.allCases.map(\.rawValue), defaultText: "email",
                     python: "dedupe_on", go: "DedupeOn", cli: "--dedupe-on", doc: "how Yespo matches existing contacts") { o, v, r throws(YespoError) in
            let text = try r.string("dedupeOn", v)
            guard let dedupe = DedupeKey(rawValue: text) else {
                let allowed = DedupeKey.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw YespoError(.invalidArgument, "upsert options: \"dedupeOn\" must be one of \(allowed), got \"\(text)\"")
            }
            o.dedupeOn = dedupe
        },
        UpsertOption(key: "fieldId", type: "integer", values: [], defaultText: "", python: "field_id", go: "FieldID",
                     cli: "--field-id", doc: "the custom field to match on (dedupeOn fieldId)") { o, v, r throws(YespoError) in
            let id = try r.int("fieldId", v)
            guard id > 0 else { throw YespoError(.invalidArgument, "upsert options: \"fieldId\" must be a positive integer, got \(id)") }
            o.fieldId = Int(id)
        },
        UpsertOption(key: "contactFields", type: "strings", values: [], defaultText: "every standard field",
                     python: "contact_fields", go: "ContactFields", cli: "--fields", doc: "write only these contact fields") { o, v, r throws(YespoError) in
            o.contactFields = try r.strings("contactFields", v)
        },
        UpsertOption(key: "customFieldsIDs", type: "integers", values: [], defaultText: "every custom field",
                     python: "custom_field_ids", go: "CustomFieldsIDs", cli: "--custom-field-ids", doc: "write only these custom fields") { o, v, r throws(YespoError) in
            o.customFieldsIDs = try r.ints("customFieldsIDs", v)
        },
        UpsertOption(key: "groupNames", type: "strings", values: [], defaultText: "", python: "group_names", go: "GroupNames",
                     cli: "--group", doc: "add every contact to these segments") { o, v, r throws(YespoError) in
            o.groupNames = try r.strings("groupNames", v)
        },
        UpsertOption(key: "groupNamesExclude", type: "strings", values: [], defaultText: "", python: "group_names_exclude",
                     go: "GroupNamesExclude", cli: "--exclude-group", doc: "remove every contact from these segments") { o, v, r throws(YespoError) in
            o.groupNamesExclude = try r.strings("groupNamesExclude", v)
        },
        UpsertOption(key: "restoreDeleted", type: "boolean", values: [], defaultText: "the server's (false)", python: "restore_deleted",
                     go: "RestoreDeleted", cli: "--restore-deleted", doc: "restore contacts that were deleted") { o, v, r throws(YespoError) in
            o.restoreDeleted = try r.bool("restoreDeleted", v)
        },
        UpsertOption(key: "eventKeyForNewContacts", type: "string", values: [], defaultText: "", python: "event_key_for_new_contacts",
                     go: "EventKeyForNewContacts", cli: "--event-key", doc: "generate this event for every new contact") { o, v, r throws(YespoError) in
            let eventKey = try r.string("eventKeyForNewContacts", v)
            if let problem = EventKeyRule.problem(eventKey) {
                throw YespoError(.invalidArgument, "upsert options: \"eventKeyForNewContacts\" \(problem)")
            }
            o.eventKeyForNewContacts = eventKey
        },
        UpsertOption(key: "wait", type: "boolean", values: [], defaultText: "false", python: "wait", go: "Wait", cli: "--wait",
                     doc: "poll /importstatus to the end and attach contact ids") { o, v, r throws(YespoError) in
            o.wait = try r.bool("wait", v)
        },
        UpsertOption(key: "ackOn", type: "enum", values: WriteAcknowledgement.allCases.map(\.rawValue), defaultText: "accepted",
                     python: "ack_on", go: "AckOn", cli: "--ack-on",
                     doc: "when an earlier row of a contact counts as written (finished implies wait)") { o, v, r throws(YespoError) in
            let text = try r.string("ackOn", v)
            guard let ack = WriteAcknowledgement(rawValue: text) else {
                throw YespoError(.invalidArgument, "upsert options: \"ackOn\" must be \"accepted\" or \"finished\", got \"\(text)\"")
            }
            o.ackOn = ack
        },
        UpsertOption(key: "validate", type: "boolean", values: [], defaultText: "true", python: "validate", go: "SkipValidation",
                     cli: nil, doc: "client-side validation (the CLI always validates: its reports name rows and columns)") { o, v, r throws(YespoError) in
            o.validate = try r.bool("validate", v)
        },
        UpsertOption(key: "kind", type: "enum", values: JobKind.allCases.map(\.rawValue), defaultText: "contacts",
                     python: "kind", go: "Kind", cli: nil,
                     doc: "what the rows are: contacts, orders (POST /orders) or events (POST /api/v2/event); the CLI has `yespo orders upsert` and `yespo event upsert`") { o, v, r throws(YespoError) in
            let text = try r.string("kind", v)
            guard let kind = JobKind(rawValue: text) else {
                throw YespoError(.invalidArgument, "upsert options: \"kind\" must be \"contacts\", \"orders\" or \"events\", got \"\(text)\"")
            }
            o.kind = kind
        },
        UpsertOption(key: "dryRun", type: "boolean", values: [], defaultText: "false", python: "dry_run", go: "DryRun", cli: "--dry-run",
                     doc: "validate and plan chunks, send nothing") { o, v, r throws(YespoError) in
            o.dryRun = try r.bool("dryRun", v)
        },
    ]

    static let byKey: [String: UpsertOption] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// Options of contact upserts only: refused, when given at all, for orders and events.
    static let contactsOnly: Set<String> = ["dedupeOn", "fieldId", "contactFields", "customFieldsIDs", "groupNames",
                                            "groupNamesExclude", "restoreDeleted", "eventKeyForNewContacts", "wait", "ackOn"]
}

extension UpsertOptions {
    /// The rules that hold however the options were made (JSON, the Swift API, the CLI).
    public func validated() throws(YespoError) -> UpsertOptions {
        if dedupeOn == .fieldId && fieldId == nil {
            throw YespoError(.invalidArgument, "upsert options: \"dedupeOn\": \"fieldId\" needs \"fieldId\" (the custom field id)")
        }
        if let fieldId, fieldId <= 0 {
            throw YespoError(.invalidArgument, "upsert options: \"fieldId\" must be a positive integer, got \(fieldId)")
        }
        if let eventKey = eventKeyForNewContacts, let problem = EventKeyRule.problem(eventKey) {
            throw YespoError(.invalidArgument, "upsert options: \"eventKeyForNewContacts\" \(problem)")
        }
        if kind != .contacts, let key = contactOnlyOptionsSet.first { throw Self.kindRefuses(key, kind) }
        return self
    }
}
