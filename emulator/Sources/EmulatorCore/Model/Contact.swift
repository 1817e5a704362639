// How the emulator stores a contact: plain structs, no dictionaries of Any, so that a million
// contacts stay compact.
public enum ChannelKind: UInt8, Sendable, CaseIterable {
    case email, sms, mobilepush, webpush, viber

    public var name: String {
        switch self {
        case .email: return "email"
        case .sms: return "sms"
        case .mobilepush: return "mobilepush"
        case .webpush: return "webpush"
        case .viber: return "viber"
        }
    }

    public init?(name: String) {
        switch name {
        case "email": self = .email
        case "sms": self = .sms
        case "mobilepush": self = .mobilepush
        case "webpush": self = .webpush
        case "viber": self = .viber
        default: return nil
        }
    }
}

public struct ContactChannel: Sendable, Equatable {
    public var kind: ChannelKind
    public var value: String
}

public struct Address: Sendable, Equatable {
    public var region: String?
    public var town: String?
    public var address: String?
    public var postcode: String?

    var isEmpty: Bool { region == nil && town == nil && address == nil && postcode == nil }
}

public struct CustomField: Sendable, Equatable {
    public var id: Int64
    public var value: String
}

/// How a contact came to exist (shown as the `source` extension). The names follow the
/// guide's "Source" table: contact import (bulk or file), API, subscription form, single
/// message (email/SMS/prepared sends), and orders ("Integration of orders for RFM").
public enum ContactSource: UInt8, Sendable {
    case bulkImport, fileImport, api, subscriptionForm, singleMessage, orders

    public var name: String {
        switch self {
        case .bulkImport: return "import"
        case .fileImport: return "fileImport"
        case .api: return "api"
        case .subscriptionForm: return "subscriptionForm"
        case .singleMessage: return "singleMessage"
        case .orders: return "orders"
        }
    }
}

public struct StoredContact: Sendable {
    public var id: Int64
    public var externalCustomerId: String?
    public var firstName: String?
    public var lastName: String?
    public var channels: [ContactChannel] = []
    public var address: Address?
    public var fields: [CustomField] = []
    public var languageCode: String?
    public var timeZone: String?
    public var contactKey: String?
    public var source: ContactSource
    public var confirmed: Bool
    public var deleted = false
    /// A monotonic counter: "the most recently updated contact wins" compares these.
    public var updatedAt: UInt64

    func values(of kind: ChannelKind) -> [String] {
        channels.compactMap { $0.kind == kind ? $0.value : nil }
    }

    var firstEmail: String? { channels.first { $0.kind == .email }?.value }
    var firstPhone: String? { channels.first { $0.kind == .sms }?.value }
}

/// A segment. Members are ids; a contact's `groups` are found by asking every segment, since
/// there are few segments and many contacts.
public struct Segment: Sendable {
    public var id: Int64
    public var name: String
    public var type: String
    public var members: Set<Int64> = []
}

public struct EmulatorEvent: Sendable {
    public var type: String
    public var key: String
    public var params: [(String, String)]
}
