// CSV files of orders and events → one JSON object per order / event, for the kind's preparer
// (which then checks and normalises it exactly as it would an NDJSON row).
//
// Orders: one CSV record per order ITEM with the order's columns repeated (what shops export).
// Columns are named by the API's fields; item columns are prefixed `item.` (`item.name`, …).
// Consecutive records with one externalOrderId are one order: its order columns come from the
// first record (a later record may leave them empty, but a different value makes the order
// invalid, naming the line), and each record with an item cell adds an item. Records of one
// externalOrderId that are not consecutive are separate orders: the later supersedes the earlier.
// Events: one record per event: `eventTypeKey`, optional `keyValue`, every other non-empty cell
// becomes a parameter {name: its header, value: the cell}.

struct CSVObjectRows {
    enum Output {
        case object(json: [UInt8], lines: ClosedRange<Int>)
        case invalid(reason: String, raw: [UInt8], lines: ClosedRange<Int>)
    }

    private let kind: JobKind
    /// Per column: the field it fills (after FileOptions.columns), "" for an unnamed column.
    private let fields: [String]
    private let isItem: [Bool]
    private let orderIdColumn: Int?

    private struct Group {
        var orderId: String
        var first: Int
        var last: Int
        var values: [String]
        var items: [[(String, String)]] = []
        /// Why the order is invalid although each line parsed (its lines differ, a cell is not UTF-8).
        var conflict: String? = nil
        var raw: [UInt8]
    }
    private var group: Group? = nil

    init(kind: JobKind, header: [String], renames: [String: String]) {
        self.kind = kind
        let names = header.map { h -> String in
            let trimmed = trimmedText(h)
            return renames[h] ?? renames[trimmed] ?? trimmed
        }
        fields = names.map { $0.hasPrefix("item.") ? String($0.dropFirst(5)) : $0 }
        isItem = names.map { $0.hasPrefix("item.") }
        orderIdColumn = names.firstIndex(of: "externalOrderId")
    }

    /// What the file's columns are used as (the report's InputDescription).
    var columnReports: [CSVColumnReport] {
        fields.enumerated().map { k, field in
            CSVColumnReport(column: k + 1, header: field, field: field.isEmpty ? nil : (isItem[k] ? "items[]." + field : field),
                            note: field.isEmpty ? "no header" : nil)
        }
    }

    /// One record's (trimmed) cell values; returns an object when one is complete.
    /// A cell that is not valid UTF-8 (`invalidUTF8Column`) makes the event, or the whole order
    /// it belongs to, invalid.
    mutating func add(_ values: [String], line: Int, lines: Int, raw: UnsafeRawBufferPointer,
                      invalidUTF8Column: Int? = nil) -> Output? {
        let span = line...(line + lines - 1)
        let encodingProblem = invalidUTF8Column.map { k in
            "CSV line \(line): column \(k + 1)\(k < fields.count && !fields[k].isEmpty ? " (\(fields[k]))" : "") is not valid UTF-8 (give --encoding / the file's encoding)"
        }
        if kind == .events {
            if let encodingProblem { return .invalid(reason: encodingProblem, raw: ContactPreparer.truncatedRaw(raw), lines: span) }
            return .object(json: event(values), lines: span)
        }
        let orderId = orderIdColumn.map { $0 < values.count ? values[$0] : "" } ?? ""
        if var open = group, !orderId.isEmpty, open.orderId == orderId {
            if open.conflict == nil, let encodingProblem { open.conflict = encodingProblem }
            if open.conflict == nil, let column = differingOrderColumn(open.values, values) {
                open.conflict = "the order's lines differ: CSV line \(line): \(fields[column]) is \(quotedText(values[column])) but the order's first line (\(open.first)) has \(quotedText(open.values[column]))"
            }
            open.items.append(item(values))
            open.last = span.upperBound
            group = open
            return nil
        }
        let done = flush()
        group = Group(orderId: orderId, first: line, last: span.upperBound, values: values, items: [item(values)],
                      conflict: encodingProblem, raw: ContactPreparer.truncatedRaw(raw))
        return done
    }

    /// The order still being gathered (at the end of the input).
    mutating func flush() -> Output? {
        guard let open = group else { return nil }
        group = nil
        let lines = open.first...open.last
        if let conflict = open.conflict {
            return .invalid(reason: conflict, raw: open.raw, lines: lines)
        }
        var out = JSONOutput(capacity: 512)
        out.raw("{")
        var first = true
        for (k, field) in fields.enumerated() where !isItem[k] && !field.isEmpty && k < open.values.count && !open.values[k].isEmpty {
            member(field, open.values[k], &out, &first)
        }
        let items = open.items.filter { !$0.isEmpty }
        if !items.isEmpty {
            if !first { out.raw(",") }
            first = false
            out.string("items")
            out.raw(":[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.raw(",") }
                out.raw("{")
                var firstInItem = true
                for (name, value) in item { member(name, value, &out, &firstInItem) }
                out.raw("}")
            }
            out.raw("]")
        }
        out.raw("}")
        return .object(json: out.bytes, lines: lines)
    }

    private func member(_ name: String, _ value: String, _ out: inout JSONOutput, _ first: inout Bool) {
        if !first { out.raw(",") }
        first = false
        out.string(name)
        out.raw(":")
        out.string(value)
    }

    private func item(_ values: [String]) -> [(String, String)] {
        var item: [(String, String)] = []
        for (k, field) in fields.enumerated() where isItem[k] && k < values.count && !values[k].isEmpty && !field.isEmpty {
            item.append((field, values[k]))
        }
        return item
    }

    /// The first order column a later line of the group fills differently (an empty cell agrees).
    private func differingOrderColumn(_ first: [String], _ later: [String]) -> Int? {
        for k in fields.indices where !isItem[k] && k < later.count && !later[k].isEmpty {
            if (k < first.count ? first[k] : "") != later[k] { return k }
        }
        return nil
    }

    private func event(_ values: [String]) -> [UInt8] {
        var out = JSONOutput(capacity: 256)
        out.raw("{")
        var first = true
        var params: [(String, String)] = []
        for (k, field) in fields.enumerated() where k < values.count && !values[k].isEmpty && !field.isEmpty {
            if field == "eventTypeKey" || field == "keyValue" {
                member(field, values[k], &out, &first)
            } else {
                params.append((field, values[k]))
            }
        }
        if !params.isEmpty {
            if !first { out.raw(",") }
            out.string("params")
            out.raw(":[")
            for (i, p) in params.enumerated() {
                if i > 0 { out.raw(",") }
                out.raw("{\"name\":")
                out.string(p.0)
                out.raw(",\"value\":")
                out.string(p.1)
                out.raw("}")
            }
            out.raw("]")
        }
        out.raw("}")
        return out.bytes
    }
}

private func quotedText(_ s: String) -> String { quotedForMessage(Array(s.utf8)) }

/// Rewrites the preparer's "row N: …" reasons of CSV orders and events to name the CSV lines.
struct CSVLineSink<Inner: RowSink>: RowSink {
    var inner: Inner
    var lines: ClosedRange<Int> = 1...1

    mutating func ready(_ row: ReadyRow) throws(Inner.Failure) { try inner.ready(row) }

    mutating func invalid(row: Int, reason: String, raw: [UInt8]) throws(Inner.Failure) {
        let prefix = "row \(row): "
        let body = reason.hasPrefix(prefix) ? String(reason.dropFirst(prefix.count)) : reason
        try inner.invalid(row: row, reason: "row \(row) (\(Self.describe(lines))): \(body)", raw: raw)
    }

    static func describe(_ lines: ClosedRange<Int>) -> String {
        lines.count == 1 ? "CSV line \(lines.lowerBound)" : "CSV lines \(lines.lowerBound)-\(lines.upperBound)"
    }
}
