// One CSV record → the contact JSON the preparer validates: names and ids as strings, `channels`
// from Email/Sms, `address` from Address/Region/City/Postcode, `fields` from custom-field columns.
// Email, phone and name rules are checked here first so that a reason names the CSV column.

struct CSVContactBuilder {
    let map: CSVColumnMap
    private var value: [UInt8] = []

    init(map: CSVColumnMap) { self.map = map }

    /// Writes the contact for `cells` of `record` into `out` (emptied first).
    mutating func build(_ record: UnsafeRawBufferPointer, _ cells: [CSVCell], into out: inout ByteWriter) throws(RowProblem) {
        if cells.count > map.headerCount {
            throw RowProblem("\(cells.count) cells but the header has \(map.headerCount) columns")
        }
        out.removeAll()
        out.append(JSONByte.openBrace)
        var wrote = false
        func key(_ name: StaticString, _ out: inout ByteWriter) {
            if wrote { out.append(JSONByte.comma) }
            wrote = true
            out.append(JSONByte.quote)
            out.append(name)
            out.append(JSONByte.quote)
            out.append(JSONByte.colon)
        }
        for column in map.columns {
            switch column.target {
            case .email, .sms, .address, .region, .town, .postcode, .customField, .ignored: continue
            default: break
            }
            guard try load(record, cells, column) else { continue }
            switch column.target {
            case .firstName, .lastName:
                let n = value.withUnsafeBytes { countScalars($0) }
                if n > ContactWriter.maxNameLength {
                    throw RowProblem("\(column.label): is \(n) characters long, at most \(ContactWriter.maxNameLength) allowed")
                }
                key(column.target == .firstName ? "firstName" : "lastName", &out)
                appendJSONString(value, into: &out)
            case .languageCode: key("languageCode", &out); appendJSONString(value, into: &out)
            case .timeZone: key("timeZone", &out); appendJSONString(value, into: &out)
            case .contactKey: key("contactKey", &out); appendJSONString(value, into: &out)
            case .externalCustomerId: key("externalCustomerId", &out); appendJSONString(value, into: &out)
            case .id:
                guard let id = value.withUnsafeBytes({ parseDigits($0) }) else {
                    throw RowProblem("\(column.label): \(quotedForMessage(value)) is not a contact id (digits)")
                }
                key("id", &out)
                appendDecimal(id, into: &out)
            default: break
            }
        }
        do {
            var opened = false
            for column in map.columns where column.target == .email || column.target == .sms {
                guard try load(record, cells, column) else { continue }
                if !opened { key("channels", &out); out.append(JSONByte.openBracket) } else { out.append(JSONByte.comma) }
                opened = true
                let isEmail = column.target == .email
                out.append((isEmail ? #"{"type":"email","value":"# : #"{"type":"sms","value":"#) as StaticString)
                try withBytes(value) { (v) throws(RowProblem) in
                    if isEmail {
                        try ChannelRules.appendEmail(v, path: { column.label }, into: &out)
                    } else {
                        try ChannelRules.appendPhone(v, path: { column.label }, into: &out)
                    }
                }
                out.append(JSONByte.closeBrace)
            }
            if opened { out.append(JSONByte.closeBracket) }
        }
        do {
            var opened = false
            for column in map.columns {
                let name: StaticString
                switch column.target {
                case .address: name = "address"
                case .region: name = "region"
                case .town: name = "town"
                case .postcode: name = "postcode"
                default: continue
                }
                guard try load(record, cells, column) else { continue }
                if !opened { key("address", &out); out.append(JSONByte.openBrace) } else { out.append(JSONByte.comma) }
                opened = true
                appendJSONString(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), into: &out)
                out.append(JSONByte.colon)
                appendJSONString(value, into: &out)
            }
            if opened { out.append(JSONByte.closeBrace) }
        }
        do {
            var opened = false
            for column in map.columns {
                guard case .customField(let id) = column.target else { continue }
                guard try load(record, cells, column) else { continue }
                if !opened { key("fields", &out); out.append(JSONByte.openBracket) } else { out.append(JSONByte.comma) }
                opened = true
                out.append(#"{"id":"# as StaticString)
                appendDecimal(id, into: &out)
                out.append(#","value":"# as StaticString)
                appendJSONString(value, into: &out)
                out.append(JSONByte.closeBrace)
            }
            if opened { out.append(JSONByte.closeBracket) }
        }
        out.append(JSONByte.closeBrace)
    }

    /// Puts the trimmed value of the column's cell in `value`; false when the cell is missing or
    /// empty (an empty cell leaves the field out).
    private mutating func load(_ record: UnsafeRawBufferPointer, _ cells: [CSVCell],
                               _ column: CSVColumn) throws(RowProblem) -> Bool {
        guard column.index < cells.count else { return false }
        let cell = cells[column.index]
        value.removeAll(keepingCapacity: true)
        appendCSVCellValue(record, cell, into: &value)
        let valid = value.withUnsafeBytes { isValidUTF8($0) }
        guard valid else { throw RowProblem("\(column.label): invalid UTF-8") }
        var lo = 0
        var hi = value.count
        while lo < hi && JSONByte.isWhitespace(value[lo]) { lo += 1 }
        while hi > lo && JSONByte.isWhitespace(value[hi - 1]) { hi -= 1 }
        if lo > 0 || hi < value.count { value = Array(value[lo..<hi]) }
        return !value.isEmpty
    }
}
