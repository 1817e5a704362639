// Both option tables as JSON (yespo_options_json): what the bindings, the docs generator and the
// drift tests read instead of copying names, ranges and defaults.

public enum OptionTables {
    public static func json() -> String {
        var out = JSONOutput(capacity: 8192)
        out.raw("{"); out.key("client"); out.raw("[")
        for (i, o) in ClientOptionTable.all.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{"); out.key("id"); out.int(Int(o.id))
            out.raw(","); out.key("name"); out.string(o.cName)
            out.raw(","); out.key("key"); out.string(o.key)
            out.raw(","); out.key("type"); out.string(o.kind.rawValue)
            out.raw(","); out.key("min"); out.int(o.range?.lowerBound)
            out.raw(","); out.key("max"); out.int(o.range?.upperBound)
            out.raw(","); out.key("default"); out.string(o.defaultText)
            out.raw(","); out.key("python"); out.string(o.python)
            out.raw(","); out.key("pythonUnit"); out.string(o.pythonUnit)
            out.raw(","); out.key("go"); out.string(o.go)
            out.raw(","); out.key("cli"); out.string(o.cli)
            out.raw(","); out.key("doc"); out.string(o.doc)
            out.raw("}")
        }
        out.raw("],"); out.key("upsert"); out.raw("[")
        for (i, o) in UpsertOptionTable.all.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{"); out.key("key"); out.string(o.key)
            out.raw(","); out.key("type"); out.string(o.type)
            out.raw(","); out.key("values"); out.raw("[")
            for (j, v) in o.values.enumerated() { if j > 0 { out.raw(",") }; out.string(v) }
            out.raw("]")
            out.raw(","); out.key("default"); out.string(o.defaultText)
            out.raw(","); out.key("python"); out.string(o.python)
            out.raw(","); out.key("go"); out.string(o.go)
            out.raw(","); out.key("cli"); out.string(o.cli)
            out.raw(","); out.key("doc"); out.string(o.doc)
            out.raw("}")
        }
        out.raw("],"); out.key("sync"); out.raw("[")
        for (i, o) in SyncOptionTable.all.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{"); out.key("key"); out.string(o.key)
            out.raw(","); out.key("type"); out.string(o.type)
            out.raw(","); out.key("default"); out.string(o.defaultText)
            out.raw(","); out.key("python"); out.string(o.python)
            out.raw(","); out.key("go"); out.string(o.go)
            out.raw(","); out.key("cli"); out.string(o.cli)
            out.raw(","); out.key("doc"); out.string(o.doc)
            out.raw("}")
        }
        out.raw("]}")
        return out.text
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
