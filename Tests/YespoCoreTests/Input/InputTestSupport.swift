// Helpers shared by the input-stage tests: run the preparer over Swift strings and look at verdicts.
@testable import YespoCore

func preparer(_ dedupeOn: DedupeKey = .email, fieldId: Int? = nil, validate: Bool = true) -> ContactPreparer {
    var o = UpsertOptions()
    o.dedupeOn = dedupeOn
    o.fieldId = fieldId
    o.validate = validate
    return ContactPreparer(options: o)
}

func verdict(_ json: String, row: Int = 1, _ p: ContactPreparer = preparer()) -> RowVerdict {
    verdict(bytes: Array(json.utf8), row: row, p)
}

func verdict(bytes: [UInt8], row: Int = 1, _ p: ContactPreparer = preparer()) -> RowVerdict {
    bytes.withUnsafeBytes { p.prepare(json: $0, row: row) }
}

extension RowVerdict {
    var output: String? {
        if case .ready(let r) = self { return String(decoding: r.json, as: UTF8.self) }
        return nil
    }
    var prepared: PreparedRow? {
        if case .ready(let r) = self { return r }
        return nil
    }
    var reason: String? {
        if case .invalid(_, let reason, _) = self { return reason }
        return nil
    }
}
