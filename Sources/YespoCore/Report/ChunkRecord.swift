// One chunk as the report shows it (yespo_report_json "chunks").

struct ChunkRecord: Sendable {
    enum Status: String, Sendable {
        /// The server took the request(s); single rows may still be rejected via failedContacts.
        case accepted
        /// The server refused (part of) it: a 400 that was bisected down to the offending rows.
        case rejected
        /// Not sent, or no answer: cancelled, stopped by a fatal error, retries ran out.
        case notSent
    }
    var index: Int
    var rows: Int
    var firstRow: Int
    var lastRow: Int
    var status: Status
    var asyncSessionId: String?
    var attempts: Int
    var importStatus: String?
}
