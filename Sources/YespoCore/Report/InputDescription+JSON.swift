// How a file was read, as the report's summary JSON holds it ("files": one object per file).

extension InputDescription {
    func write(_ out: inout JSONOutput) {
        out.raw("{"); out.key("file"); out.string(file)
        out.raw(","); out.key("format"); out.string(format.rawValue)
        out.raw(","); out.key("encoding"); out.string(encoding)
        out.raw(","); out.key("delimiter")
        if let d = delimiter { out.string(String(decoding: [d], as: UTF8.self)) } else { out.null() }
        out.raw(","); out.key("delimiterSniffed"); out.bool(delimiterSniffed)
        out.raw(","); out.key("columns"); out.raw("[")
        for (i, c) in columns.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{"); out.key("column"); out.int(c.column)
            out.raw(","); out.key("header"); out.string(c.header)
            out.raw(","); out.key("field"); out.string(c.field)
            if let note = c.note { out.raw(","); out.key("note"); out.string(note) }
            out.raw("}")
        }
        out.raw("]}")
    }
}
