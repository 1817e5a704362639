// The request-level settings of a bulk or file import, parsed and checked up front: a bad
// setting fails the whole request with 400, as the real service does.
public enum DedupeOn: String, Sendable, CaseIterable {
    case email, sms, email_or_sms, id, fieldId, externalCustomerId, push, webpush
}

public struct ImportOptions: Sendable {
    public var dedupeOn: DedupeOn = .email
    public var fieldId: Int64?
    /// nil: every standard field is written. Otherwise only these.
    public var contactFields: Set<String>?
    /// nil: every custom field sent is written. Otherwise only these ids.
    public var customFieldsIDs: Set<Int64>?
    public var groupNames: [String] = []
    public var groupNamesExclude: [String] = []
    public var restoreDeleted = false
    public var eventKeyForNewContacts: String?
    public var source: ContactSource = .bulkImport

    public init() {}

    /// Reads the option keys of a bulk/upload body; unknown keys are ignored.
    public static func parse(_ body: JSONValue) -> Result<ImportOptions, RequestError> {
        var o = ImportOptions()
        if let v = body["dedupeOn"], v != .null {
            guard let s = v.stringValue else { return .failure(.badRequest("dedupeOn must be a string")) }
            guard let d = DedupeOn(rawValue: s) else {
                return .failure(.badRequest("dedupeOn '\(s)' is not one of \(DedupeOn.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            o.dedupeOn = d
        }
        if let v = body["fieldId"], v != .null {
            let id: Int64?
            if case .string(let s) = v { id = Int64(s) } else { id = v.int64Value }
            guard let id else { return .failure(.badRequest("fieldId must be an integer")) }
            o.fieldId = id
        }
        if o.dedupeOn == .fieldId && o.fieldId == nil {
            return .failure(.badRequest("dedupeOn 'fieldId' needs fieldId"))
        }
        if let v = body["contactFields"], v != .null {
            guard let items = v.arrayValue else { return .failure(.badRequest("contactFields must be an array of strings")) }
            var set = Set<String>()
            for item in items {
                guard let s = item.stringValue else { return .failure(.badRequest("contactFields must be an array of strings")) }
                set.insert(s)
            }
            o.contactFields = set
        }
        if let v = body["customFieldsIDs"], v != .null {
            guard let items = v.arrayValue else { return .failure(.badRequest("customFieldsIDs must be an array of integers")) }
            var set = Set<Int64>()
            for item in items {
                let id: Int64?
                if case .string(let s) = item { id = Int64(s) } else { id = item.int64Value }
                guard let id else { return .failure(.badRequest("customFieldsIDs must be an array of integers")) }
                set.insert(id)
            }
            o.customFieldsIDs = set
        }
        for key in ["groupNames", "groupNamesExclude"] {
            guard let v = body[key], v != .null else { continue }
            guard let items = v.arrayValue else { return .failure(.badRequest("\(key) must be an array of strings")) }
            var names: [String] = []
            for item in items {
                guard let s = item.stringValue, !s.isEmpty else { return .failure(.badRequest("\(key) must be an array of non-empty strings")) }
                names.append(s)
            }
            if key == "groupNames" { o.groupNames = names } else { o.groupNamesExclude = names }
        }
        if let v = body["restoreDeleted"], v != .null {
            guard case .bool(let b) = v else { return .failure(.badRequest("restoreDeleted must be a boolean")) }
            o.restoreDeleted = b
        }
        if let v = body["eventKeyForNewContacts"], v != .null {
            guard let s = v.stringValue else { return .failure(.badRequest("eventKeyForNewContacts must be a string")) }
            if let problem = eventKeyProblem(s) { return .failure(.badRequest("eventKeyForNewContacts \(problem)")) }
            o.eventKeyForNewContacts = s
        }
        return .success(o)
    }

    /// The API reference's rule (the guide's "Latin letters and digits" is stricter than the
    /// server): 1 to 100 characters, any except `‹ ; ’ \ / | " ' ^ ? ! , >`. Characters are
    /// Unicode code points, as for names.
    static let eventKeyExcluded: Set<Unicode.Scalar> = ["\u{2039}", ";", "\u{2019}", "\\", "/", "|", "\"", "'", "^", "?", "!", ",", ">"]

    static func eventKeyProblem(_ s: String) -> String? {
        if s.isEmpty { return "is empty" }
        if s.unicodeScalars.count > 100 { return "is longer than 100 characters" }
        if let bad = s.unicodeScalars.first(where: eventKeyExcluded.contains) {
            return "may not contain '\(bad)' (excluded: ‹ ; ’ \\ / | \" ' ^ ? ! , >)"
        }
        return nil
    }

    /// Whether a row carries what this dedupe mode matches on (an externalCustomerId always will do).
    func missingKeyReason(_ c: ContactInput) -> String? {
        if c.externalCustomerId != nil { return nil }
        if dedupeValue(c) != nil { return nil }
        switch dedupeOn {
        case .email: return "dedupeOn is email but the contact has no email channel"
        case .sms: return "dedupeOn is sms but the contact has no sms channel"
        case .email_or_sms: return "dedupeOn is email_or_sms but the contact has neither email nor sms"
        case .id: return "dedupeOn is id but the contact has no id"
        case .fieldId: return "dedupeOn is fieldId but the contact has no field \(fieldId ?? 0)"
        case .externalCustomerId: return "dedupeOn is externalCustomerId but the contact has none"
        case .push: return "dedupeOn is push but the contact has no mobilepush channel"
        case .webpush: return "dedupeOn is webpush but the contact has no webpush channel"
        }
    }

    /// The value of the dedupe key for a contact, as reported in the import mapping.
    func dedupeValue(_ c: ContactInput) -> String? {
        switch dedupeOn {
        case .email: return c.values(of: .email).first
        case .sms: return c.values(of: .sms).first
        case .email_or_sms: return c.values(of: .email).first ?? c.values(of: .sms).first
        case .id: return c.id.map { String($0) }
        case .fieldId: return c.fields.last { $0.id == fieldId }?.value
        case .externalCustomerId: return c.externalCustomerId
        case .push: return c.values(of: .mobilepush).first
        case .webpush: return c.values(of: .webpush).first
        }
    }
}

/// A request-level failure: the status and a plain-text reason.
public struct RequestError: Error, Sendable {
    public var status: Int
    public var reason: String
    public static func badRequest(_ reason: String) -> RequestError { .init(status: 400, reason: reason) }
    public static func notFound(_ reason: String) -> RequestError { .init(status: 404, reason: reason) }
}
