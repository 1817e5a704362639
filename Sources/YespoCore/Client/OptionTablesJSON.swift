// Both option tables as JSON (yespo_options_json): what the bindings, the docs generator and the
// drift tests read instead of copying names, ranges and defaults.

public enum OptionTables {
    public static func json() -> String {
        var out = JSONOutput(capacity: 8192)
        out.raw("{")
        table("client", ClientOptionTable.all, into: &out) { o in
            [("id", .int(Int64(o.id))), ("name", .text(o.cName)), ("key", .text(o.key)), ("type", .text(o.kind.rawValue)),
             ("min", .int(o.range?.lowerBound)), ("max", .int(o.range?.upperBound)), ("default", .text(o.defaultText)),
             ("python", .text(o.python)), ("pythonUnit", .text(o.pythonUnit)), ("go", .text(o.go)), ("cli", .text(o.cli)),
             ("doc", .text(o.doc))]
        }
        out.raw(",")
        table("upsert", UpsertOptionTable.all, into: &out) { o in
            [("key", .text(o.key)), ("type", .text(o.type)), ("values", .texts(o.values)), ("default", .text(o.defaultText)),
             ("python", .text(o.python)), ("go", .text(o.go)), ("cli", .text(o.cli)), ("doc", .text(o.doc))]
        }
        out.raw(",")
        table("sync", SyncOptionTable.all, into: &out) { o in
            [("key", .text(o.key)), ("type", .text(o.type)), ("default", .text(o.defaultText)),
             ("python", .text(o.python)), ("go", .text(o.go)), ("cli", .text(o.cli)), ("doc", .text(o.doc))]
        }
        out.raw("}")
        return out.text
    }

    /// One column of a table row as JSON.
    private enum Cell {
        case int(Int64?)
        case text(String?)
        case texts([String])
    }

    /// `"name":[{...},...]`, each row's cells in the order given.
    private static func table<Row>(_ name: StaticString, _ rows: [Row], into out: inout JSONOutput,
                                   cells: (Row) -> [(StaticString, Cell)]) {
        out.key(name); out.raw("[")
        for (i, row) in rows.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{")
            for (j, (key, cell)) in cells(row).enumerated() {
                if j > 0 { out.raw(",") }
                out.key(key)
                switch cell {
                case .int(let v): out.int(v)
                case .text(let v): out.string(v)
                case .texts(let vs):
                    out.raw("[")
                    for (k, v) in vs.enumerated() { if k > 0 { out.raw(",") }; out.string(v) }
                    out.raw("]")
                }
            }
            out.raw("}")
        }
        out.raw("]")
    }

    /// The accepted range of an integer or boolean client option.
    public static func bounds(id: Int32) throws(YespoError) -> ClosedRange<Int64> {
        guard let option = ClientOptionTable.option(id: id) else { throw YespoError(.invalidArgument, "unknown option \(id)") }
        guard let range = option.range else {
            throw YespoError(.invalidArgument, "option \(id) (\(option.cName)) takes a string and has no bounds")
        }
        return range
    }
}
