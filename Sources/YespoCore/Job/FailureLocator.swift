// Ties a `failedContacts` (`failedOrders`) entry to the one row of the request it is about, by
// what the entry carries — Yespo documents none of its fields. A position counts when it is inside
// the request and, if the entry also names the row, that row is it; the row's values (a contact's
// emails, phone digits, external id; an order's externalOrderId) count when exactly one row
// carries all of them. Anything else ties the entry to no row: reported unmapped, never guessed.

struct FailureLocator {
    private let part: ChunkPart
    private let kind: JobKind
    private var rowValues: [Int: Set<String>]? = nil

    init(part: ChunkPart, kind: JobKind = .contacts) {
        self.part = part
        self.kind = kind
    }

    mutating func position(of failure: BulkAnswer.Failure) -> Int? {
        let size = part.hi - part.lo
        let indexed = failure.position.flatMap { $0 < size ? part.lo + $0 : nil }
        guard !failure.values.isEmpty else {
            if let indexed { return indexed }
            return size == 1 ? part.lo : nil
        }
        let wanted = Set(failure.values)
        let values = valuesByRow()
        if let indexed {
            return values[indexed].map { wanted.isSubset(of: $0) } == true ? indexed : nil
        }
        var found: Int? = nil
        for position in part.lo..<part.hi where values[position].map({ wanted.isSubset(of: $0) }) == true {
            if found != nil { return nil }   // several rows fit: ambiguous
            found = position
        }
        return found
    }

    /// Identifying values of each row, parsed once per answer (slow path: only with failures).
    private mutating func valuesByRow() -> [Int: Set<String>] {
        if let rowValues { return rowValues }
        var result: [Int: Set<String>] = [:]
        for position in part.lo..<part.hi {
            guard let bytes = part.chunk.contactBytes(position),
                  case .success(let document) = JSONDocument.parse(bytes) else { continue }
            result[position] = Set(kind == .orders ? orderIdentifyingValues(document.root) : identifyingValues(document.root))
        }
        rowValues = result
        return result
    }
}
