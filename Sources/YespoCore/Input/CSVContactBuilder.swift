// One CSV record → the contact JSON the preparer validates: names and ids as strings, `channels`
// from Email/Sms, `address` from Address/Region/City/Postcode, `fields` from custom-field columns.
// Email, phone and name rules are checked here first so that a reason names the CSV column.

struct CSVContactBuilder {
    let map: CSVColumnMap
    /// The value of a quoted cell with "" in it (other cells are used in place).
    private var unquoted: ByteWriter

    /// The caller frees it with `free()`.
    init(map: CSVColumnMap) {
        self.map = map
        unquoted = ByteWriter(capacity: 256)
    }

    func free() { unquoted.free() }

    /// Writes the contact for `cells` of `record` into `out` (emptied first).
    mutating func build(_ record: UnsafeRawBufferPointer, _ cells: [CSVCell], into out: inout ByteWriter) throws(RowProblem) {
        if cells.count > map.headerCount {
            throw RowProblem("\(cells.count) cells but the header has \(map.headerCount) columns")
        }
        // One pass over the whole record; only when it fails is each cell checked, to name it.
        let recordIsUTF8 = isValidUTF8(record)
        out.removeAll()
        out.append(JSONByte.openBrace)
        var wroteTop = false
        var open = CSVSection.top
        var firstInSection = true
        for planned in map.plan {
            guard planned.cell < cells.count else { continue }
            let value = try cellValue(record, cells[planned.cell], planned, checkUTF8: !recordIsUTF8)
            guard !value.isEmpty else { continue }
            if planned.section != open {
                close(open, &out)
                open = planned.section
                firstInSection = true
                switch open {
                case .channels: topKey(#""channels":["#, &wroteTop, &out)
                case .address: topKey(#""address":{"#, &wroteTop, &out)
                case .fields: topKey(#""fields":["#, &wroteTop, &out)
                case .top: break
                }
            }
            if open != .top {
                if !firstInSection { out.append(JSONByte.comma) }
                firstInSection = false
            }
            switch planned.target {
            case .firstName, .lastName:
                let n = countScalars(value)
                if n > ContactWriter.maxNameLength {
                    throw RowProblem("\(label(planned)): is \(n) characters long, at most \(ContactWriter.maxNameLength) allowed")
                }
                topKey(planned.target == .firstName ? #""firstName":"# : #""lastName":"#, &wroteTop, &out)
                appendJSONString(value, into: &out)
            case .languageCode: topKey(#""languageCode":"#, &wroteTop, &out); appendJSONString(value, into: &out)
            case .timeZone: topKey(#""timeZone":"#, &wroteTop, &out); appendJSONString(value, into: &out)
            case .contactKey: topKey(#""contactKey":"#, &wroteTop, &out); appendJSONString(value, into: &out)
            case .externalCustomerId: topKey(#""externalCustomerId":"#, &wroteTop, &out); appendJSONString(value, into: &out)
            case .id:
                guard let id = parseDigits(value) else {
                    throw RowProblem("\(label(planned)): \(quotedForMessage(value)) is not a contact id (digits)")
                }
                topKey(#""id":"#, &wroteTop, &out)
                appendDecimal(id, into: &out)
            case .email:
                out.append(#"{"type":"email","value":"#)
                try ChannelRules.appendEmail(value, path: { label(planned) }, into: &out)
                out.append(JSONByte.closeBrace)
            case .sms:
                out.append(#"{"type":"sms","value":"#)
                try ChannelRules.appendPhone(value, path: { label(planned) }, into: &out)
                out.append(JSONByte.closeBrace)
            case .address: out.append(#""address":"#); appendJSONString(value, into: &out)
            case .region: out.append(#""region":"#); appendJSONString(value, into: &out)
            case .town: out.append(#""town":"#); appendJSONString(value, into: &out)
            case .postcode: out.append(#""postcode":"#); appendJSONString(value, into: &out)
            case .customField(let id):
                out.append(#"{"id":"#)
                appendDecimal(id, into: &out)
                out.append(#","value":"#)
                appendJSONString(value, into: &out)
                out.append(JSONByte.closeBrace)
            case .ignored:
                break
            }
        }
        close(open, &out)
        out.append(JSONByte.closeBrace)
    }

    private func label(_ planned: CSVPlannedColumn) -> String { map.columns[planned.column].label }

    private func topKey(_ key: StaticString, _ wrote: inout Bool, _ out: inout ByteWriter) {
        if wrote { out.append(JSONByte.comma) }
        wrote = true
        out.append(key)
    }

    private func close(_ section: CSVSection, _ out: inout ByteWriter) {
        switch section {
        case .top: break
        case .channels, .fields: out.append(JSONByte.closeBracket)
        case .address: out.append(JSONByte.closeBrace)
        }
    }

    /// The cell's value, trimmed (empty: the field is left out). Valid until the next call.
    private mutating func cellValue(_ record: UnsafeRawBufferPointer, _ cell: CSVCell, _ planned: CSVPlannedColumn,
                                    checkUTF8: Bool) throws(RowProblem) -> UnsafeRawBufferPointer {
        var value = UnsafeRawBufferPointer(rebasing: record[cell.start..<cell.end])
        if cell.hasDoubledQuotes {
            unquoted.removeAll()
            var k = 0
            while k < value.count {
                unquoted.append(value[k])
                k += value[k] == JSONByte.quote ? 2 : 1
            }
            value = unquoted.all
        }
        if checkUTF8 && !isValidUTF8(value) { throw RowProblem("\(label(planned)): invalid UTF-8") }
        return trimASCIIWhitespace(value)
    }
}
