// The input stage for events (POST /api/v2/event, one a request): `eventTypeKey` (required, the
// rule of EventKeyRule), `keyValue` (a string; numbers written as strings) and `params`, an array
// of {name, value} whose values go out as strings. Yespo needs a key: `keyValue`, or a parameter
// named contactId, externalCustomerId, email, phone or pushToken — without one it answers 400,
// so such an event is refused here, before anything is sent. Unknown fields pass through.

struct EventPreparer: RowPreparer {
    let validate: Bool
    static let keyParams = ["contactId", "externalCustomerId", "email", "phone", "pushToken"]

    init(options: UpsertOptions) { validate = options.validate }

    func prepareInPlace<S: RowSink>(json: UnsafeRawBufferPointer, row: Int, buffers: inout PrepareBuffers,
                                    into sink: inout S) throws(S.Failure) {
        buffers.contact.removeAll()
        do throws(RowProblem) {
            if validate {
                guard let cursor = JSONCursor(json) else { throw RowProblem("empty row: expected a JSON object") }
                var w = ObjectWriter(cursor: cursor, out: buffers.contact)
                defer { buffers.contact = w.out }
                try Self.writeEvent(&w)
            } else {
                try compactObject(json, into: &buffers.contact)
            }
        } catch {
            return try sink.invalid(row: row, reason: "row \(row): \(error.message)", raw: ContactPreparer.truncatedRaw(json))
        }
        // Events are never de-duplicated or ordered: each is its own request, and two events
        // with one key are two events.
        try sink.ready(ReadyRow(row: row, json: buffers.contact.all, matchKey: nil, dedupeValue: nil, orderKeys: OrderKeys()))
    }

    private static func writeEvent(_ w: inout ObjectWriter) throws(RowProblem) {
        var hasType = false, hasKey = false, seenType = false, seenKeyValue = false, seenParams = false
        try w.writeObject(what: "event", depth: 0) { (w, key, literal) throws(RowProblem) -> Bool in
            if bytesEqualText(key, "eventTypeKey") {
                guard !seenType else { throw RowProblem("key \"eventTypeKey\" appears twice") }
                seenType = true
                guard w.c.current == JSONByte.quote else { throw w.typeProblem("eventTypeKey", "a string") }
                let start = w.c.i
                let t = try w.c.scanString()
                let text = String(decoding: w.c.decoded(t), as: UTF8.self)
                if let problem = EventKeyRule.problem(text) { throw RowProblem("eventTypeKey \(problem)") }
                w.beginMember(literal)
                w.out.append(contentsOf: w.c.raw(start, w.c.i))
                hasType = true
            } else if bytesEqualText(key, "keyValue") {
                guard !seenKeyValue else { throw RowProblem("key \"keyValue\" appears twice") }
                seenKeyValue = true
                if try w.skipNull() { return true }
                hasKey = try w.identifier("keyValue", literal) != nil || hasKey
            } else if bytesEqualText(key, "params") {
                guard !seenParams else { throw RowProblem("key \"params\" appears twice") }
                seenParams = true
                if try w.skipNull() { return true }
                if try writeParams(&w, literal) { hasKey = true }
            } else {
                return false
            }
            return true
        }
        w.c.skipWhitespace()
        guard w.c.atEnd else { throw w.c.problem("unexpected data after the object") }
        if !hasType { throw RowProblem("eventTypeKey is missing") }
        if !hasKey {
            throw RowProblem("the event has no key: give keyValue, or a parameter named \(keyParams.joined(separator: ", "))")
        }
    }

    /// params: [{name, value}]; returns whether one of them can be the event's key.
    private static func writeParams(_ w: inout ObjectWriter, _ literal: UnsafeRawBufferPointer) throws(RowProblem) -> Bool {
        var keyed = false
        try w.writeArray("params", literal) { (w, k) throws(RowProblem) in
            let path = "params[\(k)]"
            var name: [UInt8]? = nil
            var hasValue = false
            try w.writeObject(what: path, depth: 2) { (w, key, literal) throws(RowProblem) -> Bool in
                if bytesEqualText(key, "name") {
                    guard w.c.current == JSONByte.quote else { throw w.typeProblem("\(path).name", "a string") }
                    let start = w.c.i
                    let t = try w.c.scanString()
                    name = w.c.decoded(t)
                    w.beginMember(literal)
                    w.out.append(contentsOf: w.c.raw(start, w.c.i))
                } else if bytesEqualText(key, "value") {
                    try w.scalarAsString("\(path).value", literal)
                    hasValue = true
                } else {
                    return false
                }
                return true
            }
            guard let name, !name.isEmpty else { throw RowProblem("\(path).name is missing") }
            if !hasValue { throw RowProblem("\(path).value is missing") }
            if keyParams.contains(where: { Array($0.utf8) == name }) { keyed = true }
        }
        return keyed
    }
}
