// One chunk as the report shows it (yespo_report_json "chunks").

public struct ChunkRecord: Sendable {
    public enum Status: String, Sendable {
        /// The server took the request(s); single rows may still be rejected via failedContacts.
        case accepted
        /// The server refused (part of) it: a 400 that was bisected down to the offending rows.
        case rejected
        /// Not sent, or no answer: cancelled, stopped by a fatal error, retries ran out.
        case notSent
    }
    public internal(set) var index: Int
    public internal(set) var rows: Int
    public internal(set) var firstRow: Int
    public internal(set) var lastRow: Int
    public internal(set) var status: Status
    public internal(set) var asyncSessionId: String?
    public internal(set) var attempts: Int
    public internal(set) var importStatus: String?
}
