// What finally happened to one input row, and the batches in which the job announces them.

public struct RowOutcome: Sendable, Equatable {
    /// 1-based input row number.
    public var row: Int
    public var kind: RowOutcomeKind
    /// Why the row was not accepted (or a note on an accepted row, e.g. an import that timed out).
    public var reason: String?
    public var asyncSessionId: String?
    /// Set when the job waited for the import and Yespo's `mapping` named this row's contact.
    public var contactId: Int64?
    /// How an accepted row was known to be accepted, when not by its own request's 200.
    public var acceptedBy: AcceptedBy?

    public init(row: Int, kind: RowOutcomeKind, reason: String? = nil, asyncSessionId: String? = nil,
                contactId: Int64? = nil, acceptedBy: AcceptedBy? = nil) {
        self.row = row
        self.kind = kind
        self.reason = reason
        self.asyncSessionId = asyncSessionId
        self.contactId = contactId
        self.acceptedBy = acceptedBy
    }
}

/// Why a row counts as accepted without an answer of its own.
public enum AcceptedBy: String, Sendable {
    /// The server answered "Duplicated request": an identical request was applied earlier (most
    /// likely this request's own earlier attempt, whose answer was lost). The session is unknown.
    case duplicatedRequest
}

/// Rows that became final together: one chunk's rows when it ends (chunkIndex set), or rows that
/// never entered a chunk (invalid, duplicate, resumed, not sent after a stop; chunkIndex nil).
public struct OutcomeBatch: Sendable {
    public var chunkIndex: Int?
    /// The chunk's session (its first accepted request's when a 400 split it).
    public var asyncSessionId: String?
    public var rows: [RowOutcome]

    public init(chunkIndex: Int?, asyncSessionId: String?, rows: [RowOutcome]) {
        self.chunkIndex = chunkIndex
        self.asyncSessionId = asyncSessionId
        self.rows = rows
    }
}

extension RowOutcomeKind {
    /// Dense code for compact storage; 0 means "no outcome yet".
    var code: UInt8 {
        switch self {
        case .accepted: return 1
        case .rejected: return 2
        case .invalid: return 3
        case .duplicate: return 4
        case .notSent: return 5
        }
    }

    init?(code: UInt8) {
        switch code {
        case 1: self = .accepted
        case 2: self = .rejected
        case 3: self = .invalid
        case 4: self = .duplicate
        case 5: self = .notSent
        default: return nil
        }
    }
}
