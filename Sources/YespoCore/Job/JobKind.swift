// What a bulk job sends: contacts (POST /contacts, the default), orders (POST /orders) or events
// (POST /api/v2/event, one a request: Yespo has no bulk event method). Everything that differs
// between them is decided here, once per job, so the per-row path never asks which kind it is on.

public enum JobKind: String, Sendable, CaseIterable {
    case contacts
    case orders
    case events

    /// The endpoint, relative to the v1 base (contacts, orders) or the v2 base (events).
    var path: String {
        switch self {
        case .contacts: return "/contacts"
        case .orders: return "/orders"
        case .events: return "/event"
        }
    }

    /// Events live under /api/v2 (ClientSettings.v2BaseURL: the baseURLV2 option, else derived).
    var usesV2: Bool { self == .events }

    /// Rows one request may carry (the API's limits: 3000 contacts, 1000 orders, 1 event).
    public var maxRowsPerRequest: Int {
        switch self {
        case .contacts: return 3000
        case .orders: return 1000
        case .events: return 1
        }
    }

    /// The answer's list of refused rows, and the key under which an entry echoes its row.
    var failedListName: String { self == .orders ? "failedOrders" : "failedContacts" }
    var echoedRowKey: String { self == .orders ? "order" : "contact" }

    /// What one row is, for messages ("contact is 2000000 bytes").
    var rowNoun: String {
        switch self {
        case .contacts: return "contact"
        case .orders: return "order"
        case .events: return "event"
        }
    }

    /// The single event method answers with no session and nothing to map: any 2xx accepts it.
    var acceptsAnySuccessBody: Bool { self == .events }

    /// Only contacts have import sessions that /importstatus follows.
    var supportsImportWaits: Bool { self == .contacts }
}

extension UpsertOptions {
    /// The options (JSON keys) set to something other than their default that the job's kind has
    /// no use for. Checked by validated() so the Swift API refuses them as the JSON parser does.
    var contactOnlyOptionsSet: [String] {
        var set: [String] = []
        if dedupeOn != .email { set.append("dedupeOn") }
        if fieldId != nil { set.append("fieldId") }
        if contactFields != nil { set.append("contactFields") }
        if customFieldsIDs != nil { set.append("customFieldsIDs") }
        if groupNames != nil { set.append("groupNames") }
        if groupNamesExclude != nil { set.append("groupNamesExclude") }
        if restoreDeleted != nil { set.append("restoreDeleted") }
        if eventKeyForNewContacts != nil { set.append("eventKeyForNewContacts") }
        if wait { set.append("wait") }
        if ackOn != .accepted { set.append("ackOn") }
        return set
    }

    static func kindRefuses(_ key: String, _ kind: JobKind) -> YespoError {
        let why = key == "wait" || key == "ackOn"
            ? "(\(kind.rawValue) have no import session to wait for)"
            : "(it is an option of contact upserts)"
        return YespoError(.invalidArgument, "upsert options: \"\(key)\" cannot be used with \"kind\": \"\(kind.rawValue)\" \(why)")
    }
}
