// The fixed parts of every bulk body of a job: `{"contacts":[` before the spliced contacts and
// `],"dedupeOn":...}` with the job's options after them (orders: `{"orders":[` and `]}`; events:
// nothing, the body is the one event). Encoded once per job.

struct BodyTemplate: Sendable {
    let head: [UInt8]
    let tail: [UInt8]

    init(options: UpsertOptions) {
        switch options.kind {
        case .contacts: break
        case .orders:
            // {"orders":[…]}: POST /orders takes no options.
            head = Array(#"{"orders":["#.utf8)
            tail = Array("]}".utf8)
            return
        case .events:
            // POST /api/v2/event: the body is the one event itself.
            head = []
            tail = []
            return
        }
        head = Array(#"{"contacts":["#.utf8)
        var out = JSONOutput(capacity: 256)
        out.raw("]"); out.raw(","); out.key("dedupeOn"); out.string(options.dedupeOn.rawValue)
        if let fieldId = options.fieldId { out.raw(","); out.key("fieldId"); out.int(fieldId) }
        if let fields = options.contactFields {
            out.raw(","); out.key("contactFields"); Self.strings(fields, &out)
        }
        if let ids = options.customFieldsIDs {
            out.raw(","); out.key("customFieldsIDs"); out.raw("[")
            for (i, id) in ids.enumerated() { if i > 0 { out.raw(",") }; out.int(id) }
            out.raw("]")
        }
        if let names = options.groupNames { out.raw(","); out.key("groupNames"); Self.strings(names, &out) }
        if let names = options.groupNamesExclude { out.raw(","); out.key("groupNamesExclude"); Self.strings(names, &out) }
        if let restore = options.restoreDeleted { out.raw(","); out.key("restoreDeleted"); out.bool(restore) }
        if let key = options.eventKeyForNewContacts { out.raw(","); out.key("eventKeyForNewContacts"); out.string(key) }
        out.raw("}")
        tail = out.bytes
    }

    private static func strings(_ values: [String], _ out: inout JSONOutput) {
        out.raw("[")
        for (i, value) in values.enumerated() { if i > 0 { out.raw(",") }; out.string(value) }
        out.raw("]")
    }

    /// The body for rows `lo..<hi` of a chunk, spliced from its contact byte ranges.
    func body(from source: [UInt8], starts: [Int32], ends: [Int32], lo: Int, hi: Int) -> [UInt8] {
        var size = head.count + tail.count
        for i in lo..<hi { size += Int(ends[i] - starts[i]) + 1 }
        var out = [UInt8]()
        out.reserveCapacity(size)
        out.append(contentsOf: head)
        for i in lo..<hi {
            if i > lo { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: source[Int(starts[i])..<Int(ends[i])])
        }
        out.append(contentsOf: tail)
        return out
    }
}
