// The options of one bulk upsert job: the documented body fields of POST /contacts plus the
// job's own settings (wait, validate, dryRun, resume).

/// How Yespo matches an incoming contact to an existing one (`dedupeOn`).
public enum DedupeKey: String, Sendable, CaseIterable {
    case email
    case sms
    case emailOrSms = "email_or_sms"
    case id
    case fieldId
    case externalCustomerId
    case push
    case webpush
}

public struct UpsertOptions: Sendable, Equatable {
    public var dedupeOn: DedupeKey = .email
    /// Required when `dedupeOn == .fieldId`: the custom field whose value is the match key.
    public var fieldId: Int? = nil
    public var contactFields: [String]? = nil
    public var customFieldsIDs: [Int]? = nil
    public var groupNames: [String]? = nil
    public var groupNamesExclude: [String]? = nil
    public var restoreDeleted: Bool? = nil
    public var eventKeyForNewContacts: String? = nil
    /// Poll /importstatus after sending and attach contact ids.
    public var wait: Bool = false
    /// When a later write of a contact may follow an earlier one (see WriteOrderGate).
    public var ackOn: WriteAcknowledgement = .accepted
    /// Validate and normalise rows client-side before sending.
    public var validate: Bool = true
    /// What the rows are: contacts (POST /contacts), orders (POST /orders), events (POST /api/v2/event).
    public var kind: JobKind = .contacts
    /// Validate and plan chunks only; send nothing.
    public var dryRun: Bool = false
    /// Outcomes recorded by an earlier, interrupted run of the same input (CLI --resume).
    /// Rows found here are not sent again and are reported with their recorded outcome.
    public var resume: ResumeState? = nil

    public init() {}

    /// Accepted rows are followed to the end of their import: `wait`, or `ackOn: finished`,
    /// which cannot release a contact's later write before the earlier import FINISHED.
    public var waitsForImports: Bool { wait || ackOn == .finished }
}

/// When an earlier write of a contact counts as done, so that a later write of it may be sent.
public enum WriteAcknowledgement: String, Sendable, CaseIterable {
    /// HTTP 200 for its request: enough when Yespo applies import sessions in arrival order.
    case accepted
    /// Its import session reported FINISHED: safe whatever order Yespo applies sessions in.
    case finished
}
