// The `failedContacts` value of a bulk answer, and the `failedOrders` value of POST /orders. What
// an entry holds is documented nowhere, so the emulator can answer in several plausible shapes
// (`failedShape`), and a client that maps entries to rows is tested against each of them. Both
// answers use the same shapes; only the key naming the row as sent differs ("contact", "order").
public enum FailedShape: String, Sendable, CaseIterable {
    /// `{"index", "contact", "error"}`: the emulator's original shape.
    case indexed
    /// `{"contact", "error"}`: no position; the client must find the row by the contact.
    case contact
    /// `{"contact", "errors": [{"code", "message"}]}`
    case errors
    /// `{"message"}` only: nothing identifies the row.
    case message
    /// `indexed` entries, but a single failure is one object instead of an array (Yespo does that).
    case object
    /// Each entry is `indexed`, `contact` or `errors`, drawn from the seeded generator.
    case mixed

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// One row (a contact or an order) that was not applied.
struct FailedRow {
    var index: Int
    /// The row as sent.
    var sent: JSONValue
    var error: String
    /// A short machine code for the `errors` shape: INVALID_CONTACT, MISSING_DEDUPE_KEY,
    /// INVALID_ORDER or REJECTED.
    var code: String
}

extension Emulator {
    /// Writes a failed-rows value in the configured `failedShape`; `mixed` draws from the
    /// emulator's seeded shape generator.
    func writeFailedRows(_ rows: [FailedRow], itemKey: StaticString, forceObject: Bool, into w: inout JSONWriter) {
        let shape = settings.failedShape
        if shape == .mixed {
            shapeRandom.withLock { w.failedRows(rows, itemKey: itemKey, shape: .mixed, forceObject: forceObject, random: &$0) }
        } else {
            var unused = SeededRandom(seed: 0)
            w.failedRows(rows, itemKey: itemKey, shape: shape, forceObject: forceObject, random: &unused)
        }
    }
}

extension JSONWriter {
    /// Writes the `failedContacts` / `failedOrders` value; `itemKey` names the row as sent in each
    /// entry. `forceObject` (the failedObject fault) answers the first entry alone as an object,
    /// whatever the count.
    mutating func failedRows(_ rows: [FailedRow], itemKey: StaticString, shape: FailedShape, forceObject: Bool,
                             random: inout SeededRandom) {
        let asObject = forceObject || (shape == .object && rows.count == 1)
        if asObject {
            if let first = rows.first { failedEntry(first, itemKey: itemKey, shape: entryShape(shape, &random)) }
            return
        }
        raw("[")
        for (n, row) in rows.enumerated() {
            if n > 0 { raw(",") }
            failedEntry(row, itemKey: itemKey, shape: entryShape(shape, &random))
        }
        raw("]")
    }

    private func entryShape(_ shape: FailedShape, _ random: inout SeededRandom) -> FailedShape {
        switch shape {
        case .object: return .indexed
        case .mixed: return [FailedShape.indexed, .contact, .errors][Int(random.next() % 3)]
        default: return shape
        }
    }

    private mutating func failedEntry(_ row: FailedRow, itemKey: StaticString, shape: FailedShape) {
        switch shape {
        case .message:
            raw("{\"message\":"); string(row.error); raw("}")
        case .errors:
            raw("{\""); raw(itemKey); raw("\":"); value(row.sent)
            raw(",\"errors\":[{\"code\":"); string(row.code)
            raw(",\"message\":"); string(row.error); raw("}]}")
        case .contact:
            raw("{\""); raw(itemKey); raw("\":"); value(row.sent)
            raw(",\"error\":"); string(row.error); raw("}")
        case .indexed, .object, .mixed:
            raw("{\"index\":"); int(row.index)
            raw(",\""); raw(itemKey); raw("\":"); value(row.sent)
            raw(",\"error\":"); string(row.error); raw("}")
        }
    }
}
