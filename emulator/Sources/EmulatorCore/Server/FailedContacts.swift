// The `failedContacts` value of a bulk answer. What an entry holds is documented nowhere, so the
// emulator can answer in several plausible shapes (`failedShape`), and a client that maps entries
// to rows is tested against each of them.
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

/// One row that was not imported.
struct FailedRow {
    var index: Int
    var contact: JSONValue
    var error: String
    /// A short machine code for the `errors` shape: INVALID_CONTACT, MISSING_DEDUPE_KEY or REJECTED.
    var code: String
}

extension JSONWriter {
    /// Writes the `failedContacts` value. `forceObject` (the failedObject fault) answers the first
    /// entry alone as an object, whatever the count.
    mutating func failedContacts(_ rows: [FailedRow], shape: FailedShape, forceObject: Bool,
                                 random: inout SeededRandom) {
        let asObject = forceObject || (shape == .object && rows.count == 1)
        if asObject {
            if let first = rows.first { failedEntry(first, shape: entryShape(shape, &random)) }
            return
        }
        raw("[")
        for (n, row) in rows.enumerated() {
            if n > 0 { raw(",") }
            failedEntry(row, shape: entryShape(shape, &random))
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

    private mutating func failedEntry(_ row: FailedRow, shape: FailedShape) {
        switch shape {
        case .message:
            raw("{\"message\":"); string(row.error); raw("}")
        case .errors:
            raw("{\"contact\":"); value(row.contact)
            raw(",\"errors\":[{\"code\":"); string(row.code)
            raw(",\"message\":"); string(row.error); raw("}]}")
        case .contact:
            raw("{\"contact\":"); value(row.contact)
            raw(",\"error\":"); string(row.error); raw("}")
        case .indexed, .object, .mixed:
            raw("{\"index\":"); int(row.index)
            raw(",\"contact\":"); value(row.contact)
            raw(",\"error\":"); string(row.error); raw("}")
        }
    }
}
