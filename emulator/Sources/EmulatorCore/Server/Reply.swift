import HTTPTypes
import Hummingbird
import NIOCore

// A response before it is written: status, bytes and extra headers. Everything under /api/v1
// is labelled application/json;charset=UTF-8, even plain sentences, as the real server does.
struct Reply: Sendable {
    var status: Int
    var body: [UInt8]
    var headers: [(HTTPField.Name, String)] = []
    var contentType = "application/json;charset=UTF-8"
    /// Contacts in a bulk request, for the per-contact latency.
    var contacts = 0

    static func text(_ status: Int, _ s: String) -> Reply { Reply(status: status, body: Array(s.utf8)) }
    static func json(_ bytes: [UInt8], status: Int = 200) -> Reply { Reply(status: status, body: bytes) }
    static func json(_ v: JSONValue, status: Int = 200) -> Reply { Reply(status: status, body: JSONWriter.encode(v)) }
    static func error(_ e: RequestError) -> Reply { .text(e.status, e.reason) }

    static let totalCount = HTTPField.Name("TotalCount")!
    static let retryAfter = HTTPField.Name("Retry-After")!

    var fields: HTTPFields {
        var f = HTTPFields()
        f[.contentType] = contentType
        for (k, v) in headers { f.append(HTTPField(name: k, value: v)) }
        return f
    }
}
