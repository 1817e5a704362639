// Every recipient of a message send (email, SMS, prepared, smartsend), in the order they were
// processed. The emulator sends nothing; the log is what tests read back.
public enum MessageKind: String, Sendable {
    case email, sms, prepared, smartsend
}

public struct MessageSend: Sendable {
    public var kind: MessageKind
    /// The prepared message's id (prepared and smartsend only).
    public var messageId: Int64?
    /// The address or phone as sent.
    public var locator: String
    /// "OK", or "ERROR" with `error`.
    public var status: String
    public var error: String?
    public var contactId: Int64?
    /// Whether the send created the contact (source `singleMessage`).
    public var contactCreated: Bool
    public var requestId: String
    /// Request fields worth seeing again (from, subject, fromName, externalRequestId, …).
    public var details: [(String, JSONValue)]
}

public struct MessageLog: Sendable {
    public private(set) var sends: [MessageSend] = []

    public init() {}

    mutating func append(_ s: MessageSend) { sends.append(s) }
}
