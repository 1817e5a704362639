// Checks one order object (POST /orders) and writes it compactly in the same pass: the required
// fields (externalOrderId, externalCustomerId, totalCost, status, date, currency, an email or a
// phone), the optional ones Yespo documents with their types, and `items`; email and phone are
// normalised by the contacts' rules (ChannelRules). Unknown fields pass through as given.

/// What one order carries that the job needs, collected while writing it.
struct OrderFacts {
    var externalOrderId: ValueBytes?
    var seen: UInt16 = 0
    /// The hashes of its normalised email and phone: an order whose email/phone matches no contact
    /// creates one (with the order's name), so two orders of one new email are ordered like two
    /// contact rows are — else the later order's name could win.
    var orderKeys = OrderKeys()
}

enum OrderField: UInt16, CaseIterable {
    case externalOrderId = 1, externalCustomerId = 2, totalCost = 4, status = 8, date = 16, currency = 32
    case email = 64, phone = 128, firstName = 256, lastName = 512, taxes = 1024, shipping = 2048
    case discount = 4096, deliveryAddress = 8192, items = 16384

    /// The API's name of the field. Looked up, not reflected: String(describing:) of a case goes
    /// through the runtime's reflection, and cost ~30 µs an order in the bench's orders scenario.
    var name: String { Self.names[rawValue.trailingZeroBitCount] }

    init?(_ key: UnsafeRawBufferPointer) {
        for (i, name) in Self.nameBytes.enumerated() where name.count == key.count {
            if name.withUnsafeBytes({ $0.elementsEqual(key) }) { self = Self.allCases[i]; return }
        }
        return nil
    }

    /// Names by case, in declaration order (the raw values are 1 << index).
    private static let names: [String] = allCases.map { String(describing: $0) }
    private static let nameBytes: [[UInt8]] = names.map { Array($0.utf8) }

    static let required: [OrderField] = [.externalOrderId, .externalCustomerId, .totalCost, .status, .date, .currency]
    static let statuses = ["INITIALIZED", "IN_PROGRESS", "DELIVERED", "CANCELLED", "ABANDONED_SHOPPING_CART"]
}

struct OrderWriter {
    var w: ObjectWriter
    var facts = OrderFacts()

    init(cursor: JSONCursor, out: ByteWriter) {
        w = ObjectWriter(cursor: cursor, out: out)
    }

    /// Writes the whole order; the cursor must then be at the end of the text.
    mutating func writeOrder() throws(RowProblem) {
        var facts = OrderFacts()
        try w.writeObject(what: "order", depth: 0) { (w, key, literal) throws(RowProblem) -> Bool in
            guard let field = OrderField(key) else { return false }
            guard facts.seen & field.rawValue == 0 else { throw RowProblem("key \"\(field.name)\" appears twice") }
            if try w.skipNull() { return true }
            switch field {
            case .externalOrderId:
                facts.externalOrderId = try w.identifier(field.name, literal)
                if facts.externalOrderId == nil { return true }
            case .externalCustomerId:
                if try w.identifier(field.name, literal) == nil { return true }
            case .totalCost, .taxes, .shipping, .discount:
                try w.number(field.name, literal)
            case .status:
                try Self.writeStatus(&w, literal)
            case .date, .currency, .firstName, .lastName, .deliveryAddress:
                if try w.string(field.name, literal) == nil { return true }
            case .email:
                let value = try Self.writeChannel(&w, literal, field)
                facts.orderKeys.insert(OrderKeys.hash(.email, w.out.bytes(value)))
            case .phone:
                let value = try Self.writeChannel(&w, literal, field)
                facts.orderKeys.insert(OrderKeys.hash(.phone, w.out.bytes(value)))
            case .items:
                try Self.writeItems(&w, literal)
            }
            facts.seen |= field.rawValue
            return true
        }
        w.c.skipWhitespace()
        guard w.c.atEnd else { throw w.c.problem("unexpected data after the object") }
        if let missing = OrderField.required.first(where: { facts.seen & $0.rawValue == 0 }) {
            throw RowProblem("\(missing.name) is missing; an order needs \(OrderField.required.map(\.name).joined(separator: ", ")) and an email or a phone")
        }
        if facts.seen & (OrderField.email.rawValue | OrderField.phone.rawValue) == 0 {
            throw RowProblem("an order needs an email or a phone")
        }
        self.facts = facts
    }

    private static func writeStatus(_ w: inout ObjectWriter, _ literal: UnsafeRawBufferPointer) throws(RowProblem) {
        guard w.c.current == JSONByte.quote else { throw w.typeProblem("status", "a string") }
        let t = try w.c.scanString()
        let value = w.c.decoded(t)
        guard let status = OrderField.statuses.first(where: { Array($0.utf8) == value }) else {
            throw RowProblem("status: \(quotedForMessage(value)) is not one of \(OrderField.statuses.joined(separator: ", "))")
        }
        w.beginMember(literal)
        var text = status
        text.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0), into: &w.out) }
    }

    /// email / phone: normalised as a contact's channel value is. Returns where the normalised
    /// value (without its quotes) lies in the output.
    private static func writeChannel(_ w: inout ObjectWriter, _ literal: UnsafeRawBufferPointer,
                                     _ field: OrderField) throws(RowProblem) -> Range<Int> {
        guard w.c.current == JSONByte.quote else { throw w.typeProblem(field.name, "a string") }
        let t = try w.c.scanString()
        let value = w.c.decoded(t)
        var start = 0
        try withBytes(value) { (v) throws(RowProblem) in
            w.beginMember(literal)
            start = w.out.count
            if field == .email {
                try ChannelRules.appendEmail(v, path: { "email" }, into: &w.out)
            } else {
                try ChannelRules.appendPhone(v, path: { "phone" }, into: &w.out)
            }
        }
        return (start + 1)..<(w.out.count - 1)
    }

    /// items: an array of objects, each with externalItemId and name; quantity and cost numbers.
    private static func writeItems(_ w: inout ObjectWriter, _ literal: UnsafeRawBufferPointer) throws(RowProblem) {
        try w.writeArray("items", literal) { (w, k) throws(RowProblem) in try writeItem(&w, path: "items[\(k)]") }
    }

    private static func writeItem(_ w: inout ObjectWriter, path: String) throws(RowProblem) {
        var hasId = false, hasName = false
        try w.writeObject(what: path, depth: 2) { (w, key, literal) throws(RowProblem) -> Bool in
            if bytesEqualText(key, "externalItemId") {
                if try w.skipNull() { return true }
                hasId = try w.identifier("\(path).externalItemId", literal) != nil
            } else if bytesEqualText(key, "name") {
                if try w.skipNull() { return true }
                hasName = try w.string("\(path).name", literal) != nil
            } else if bytesEqualText(key, "quantity") || bytesEqualText(key, "cost") {
                if try w.skipNull() { return true }
                try w.number("\(path).\(String(decoding: key, as: UTF8.self))", literal)
            } else {
                return false
            }
            return true
        }
        if !hasId { throw RowProblem("\(path).externalItemId is missing") }
        if !hasName { throw RowProblem("\(path).name is missing") }
    }
}

/// Byte-wise equality of a key and a Swift string.
func bytesEqualText(_ a: UnsafeRawBufferPointer, _ s: String) -> Bool {
    var s = s
    return s.withUTF8 { b in a.count == b.count && a.elementsEqual(b) }
}
