// The options of one incremental sync: the bulk options of POST /contacts (UpsertOptionTable)
// plus the sync's own (SyncOptionTable below). One JSON object carries both, so every door names
// a sync option the same way; an unknown key is an error naming it.

/// What to do with contacts whose keys vanished from the source (off by default).
public enum MissingAction: Sendable, Equatable {
    /// DELETE /contact/{id} (restorable on Yespo's side; not the GDPR erase).
    case delete
    /// Detach them from this static segment (they stay in Yespo).
    case detach(segment: String)
    /// Add their emails to Yespo's unsubscribed list.
    case unsubscribe

    public init?(text: String) {
        if text == "delete" { self = .delete; return }
        if text == "unsubscribe" { self = .unsubscribe; return }
        if text.hasPrefix("detach:") {
            let name = String(text.dropFirst("detach:".count))
            guard !name.isEmpty else { return nil }
            self = .detach(segment: name)
            return
        }
        return nil
    }

    public var text: String {
        switch self {
        case .delete: return "delete"
        case .unsubscribe: return "unsubscribe"
        case .detach(let segment): return "detach:" + segment
        }
    }
}

/// The safety cap on missing-contact actions: a count, or a percentage of the contacts the state
/// held before the run. More missing contacts than this means a suspiciously short source.
public enum DeleteCap: Sendable, Equatable {
    case count(Int)
    case percent(Double)

    public static let `default` = DeleteCap.percent(5)

    /// "250" or "2.5%".
    public init?(text: String) {
        let t = text.filter { $0 != " " }
        if t.hasSuffix("%") {
            guard let p = Double(t.dropLast()), p >= 0, p <= 100, p.isFinite else { return nil }
            self = .percent(p)
        } else {
            guard let n = Int(t), n >= 0 else { return nil }
            self = .count(n)
        }
    }

    public var text: String {
        switch self {
        case .count(let n): return String(n)
        case .percent(let p): return (p == p.rounded() ? String(Int(p)) : String(p)) + "%"
        }
    }

    /// How many missing contacts may be acted on when the state held `total` before the run.
    public func limit(total: Int) -> Int {
        switch self {
        case .count(let n): return n
        case .percent(let p): return Int((Double(total) * p / 100).rounded(.down))
        }
    }
}

public struct SyncOptions: Sendable, Equatable {
    /// The bulk options (dedupeOn, groupNames, …, wait, ackOn, dryRun): as for an upsert.
    public var upsert = UpsertOptions()
    /// Send every row and rewrite every entry of the state, whatever it says.
    public var full = false
    /// nil: contacts missing from the source are counted, never touched.
    public var missing: MissingAction? = nil
    public var maxDeletes: DeleteCap = .default
    /// Act on missing contacts even though some source rows were invalid (an invalid row's key
    /// cannot be read, so its contact looks missing).
    public var allowInvalid = false

    public init() {}

    public var dryRun: Bool { upsert.dryRun }

    public func validated() throws(YespoError) -> SyncOptions {
        var o = self
        o.upsert = try upsert.validated()
        guard o.upsert.kind == .contacts else {
            throw YespoError(.invalidArgument, "sync options: \"kind\" must be \"contacts\": the sync keeps contacts in step")
        }
        guard o.upsert.validate else {
            throw YespoError(.invalidArgument, "sync options: \"validate\": false is not possible: the sync compares normalised contacts")
        }
        if case .percent(let p) = maxDeletes, !(0...100).contains(p) {
            throw YespoError(.invalidArgument, "sync options: \"maxDeletes\" percentage must be 0..100")
        }
        return o
    }

    /// Missing contacts are acted on by their Yespo contact id, which only an import's mapping
    /// tells: with a missing action the run waits for its imports.
    var effectiveUpsert: UpsertOptions {
        var u = upsert
        if missing != nil { u.wait = true }
        return u
    }

    /// The options that change what Yespo holds for the same contact bytes. They seed the content
    /// hash: change one and every row counts as changed (and is sent again).
    var contentFingerprint: String {
        let u = upsert
        var parts = ["dedupeOn=" + u.dedupeOn.rawValue, "fieldId=" + (u.fieldId.map(String.init) ?? "")]
        parts.append("contactFields=" + (u.contactFields?.joined(separator: ",") ?? "*"))
        parts.append("customFieldsIDs=" + (u.customFieldsIDs?.map(String.init).joined(separator: ",") ?? "*"))
        parts.append("groupNames=" + (u.groupNames?.joined(separator: "\u{1f}") ?? ""))
        parts.append("groupNamesExclude=" + (u.groupNamesExclude?.joined(separator: "\u{1f}") ?? ""))
        parts.append("restoreDeleted=" + (u.restoreDeleted.map { $0 ? "true" : "false" } ?? ""))
        return parts.joined(separator: ";")
    }

    /// What "the same contact" means for this state: the keys are not comparable across these.
    var keyScheme: String {
        "dedupeOn=" + upsert.dedupeOn.rawValue + (upsert.fieldId.map { ";fieldId=\($0)" } ?? "")
    }
}

/// One sync-only option: its JSON key and its name in every door (the bulk ones are UpsertOptionTable's).
public struct SyncOption: Sendable {
    public let key: String
    public let type: String
    public let defaultText: String
    public let python: String
    public let go: String
    public let cli: String
    public let doc: String
    let read: @Sendable (inout SyncOptions, JSONNode, OptionReader) throws(YespoError) -> Void
}

public enum SyncOptionTable {
    public static let all: [SyncOption] = [
        SyncOption(key: "full", type: "boolean", defaultText: "false", python: "full", go: "Full", cli: "--full",
                   doc: "send every row and rewrite the state") { o, v, r throws(YespoError) in
            o.full = try r.bool("full", v)
        },
        SyncOption(key: "missing", type: "string", defaultText: "none", python: "missing", go: "Missing", cli: "--missing",
                   doc: "contacts gone from the source: \"delete\", \"detach:SEGMENT\" or \"unsubscribe\"") { o, v, r throws(YespoError) in
            if v.kind == .null { o.missing = nil; return }
            let text = try r.string("missing", v)
            if text == "none" || text.isEmpty { o.missing = nil; return }
            guard let action = MissingAction(text: text) else {
                throw YespoError(.invalidArgument, "sync options: \"missing\" must be \"delete\", \"detach:SEGMENT\" or \"unsubscribe\", got \"\(text)\"")
            }
            o.missing = action
        },
        SyncOption(key: "maxDeletes", type: "string", defaultText: DeleteCap.default.text, python: "max_deletes", go: "MaxDeletes",
                   cli: "--max-deletes", doc: "refuse to act on more missing contacts than N or P% of the state") { o, v, r throws(YespoError) in
            let text: String
            if v.kind == .integer { text = String(try r.int("maxDeletes", v)) } else { text = try r.string("maxDeletes", v) }
            guard let cap = DeleteCap(text: text) else {
                throw YespoError(.invalidArgument, "sync options: \"maxDeletes\" must be a count (\"100\") or a percentage (\"5%\"), got \"\(text)\"")
            }
            o.maxDeletes = cap
        },
        SyncOption(key: "allowInvalid", type: "boolean", defaultText: "false", python: "allow_invalid", go: "AllowInvalid",
                   cli: "--allow-invalid", doc: "act on missing contacts even when some source rows are invalid") { o, v, r throws(YespoError) in
            o.allowInvalid = try r.bool("allowInvalid", v)
        },
    ]

    static let byKey: [String: SyncOption] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
}

extension SyncOptions {
    /// Sync options and bulk options in one JSON object (yespo_sync_begin, the bindings).
    public static func parse(json: String?) throws(YespoError) -> SyncOptions {
        var options = SyncOptions()
        guard let json, json.utf8.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            return try options.validated()
        }
        let document: JSONDocument
        switch JSONDocument.parse(json) {
        case .success(let parsed): document = parsed
        case .failure(let failure):
            throw YespoError(.invalidArgument, "sync options: malformed JSON at byte \(failure.position): \(failure.message)")
        }
        guard document.root.kind == .object else {
            throw YespoError(.invalidArgument, "sync options: expected a JSON object, got \(document.root.kindName)")
        }
        let syncReader = OptionReader(what: "sync options")
        for (key, value) in document.root.members {
            if let option = SyncOptionTable.byKey[key] {
                try option.read(&options, value, syncReader)
            } else if let option = UpsertOptionTable.byKey[key] {
                try option.read(&options.upsert, value, syncReader)
            } else {
                throw YespoError(.invalidArgument, "sync options: unknown key \"\(key)\"")
            }
        }
        return try options.validated()
    }
}
