// The outcome kinds of an input row and the outcomes an interrupted run recorded: shared by the
// job, the report, the journal (CLI) and every binding, so they live with the shared types.

/// The final outcome kinds of an input row. Their counts always add up to the rows read.
public enum RowOutcomeKind: String, Sendable, CaseIterable {
    case accepted
    case rejected
    case invalid
    case duplicate
    case notSent
}

/// Outcomes of rows recorded by an earlier run, keyed by row number (1-based).
public struct ResumeState: Sendable, Equatable {
    public struct Recorded: Sendable, Equatable {
        public var kind: RowOutcomeKind
        public var asyncSessionId: String?
        public var reason: String?
        public init(kind: RowOutcomeKind, asyncSessionId: String? = nil, reason: String? = nil) {
            self.kind = kind
            self.asyncSessionId = asyncSessionId
            self.reason = reason
        }
    }
    public var rows: [Int: Recorded]
    public init(rows: [Int: Recorded] = [:]) { self.rows = rows }
}
