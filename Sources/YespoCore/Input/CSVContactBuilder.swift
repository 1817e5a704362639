// One CSV record → the normalised contact JSON, written straight into the output: names and ids as
// strings, `channels` from Email/Sms, `address` from Address/Region/City/Postcode, `fields` from
// custom-field columns. Every cell rule is checked here (a reason names the CSV column), and what
// the match key needs is collected on the way (ContactFacts), so the JSON is never parsed back:
// the bytes are exactly what ContactWriter would write for them (a test checks both agree).

struct CSVContactBuilder {
    let map: CSVColumnMap
    /// The value of a quoted cell with "" in it (other cells are used in place).
    private var unquoted: ByteWriter
    /// The plan as the row loop uses it: what to do with each mapped cell, decided once per file
    /// (no enum payloads compared or copied per row).
    private let steps: [Step]

    private enum Op: UInt8 { case name, plain, externalId, id, email, sms, addressPart, customField }

    private struct Step {
        let cell: Int
        let op: Op
        let section: CSVSection
        /// `"firstName":` and the like; for custom fields the field id is in `fieldId`.
        let key: StaticString
        let fieldId: Int64
        /// Index of the planned column, for messages.
        let plan: Int
    }

    /// The caller frees it with `free()`.
    init(map: CSVColumnMap) {
        self.map = map
        unquoted = ByteWriter(capacity: 256)
        steps = map.plan.enumerated().compactMap { (k, planned) -> Step? in
            let op: Op, key: StaticString
            var fieldId: Int64 = 0
            switch planned.target {
            case .firstName: op = .name; key = #""firstName":"#
            case .lastName: op = .name; key = #""lastName":"#
            case .languageCode: op = .plain; key = #""languageCode":"#
            case .timeZone: op = .plain; key = #""timeZone":"#
            case .contactKey: op = .plain; key = #""contactKey":"#
            case .externalCustomerId: op = .externalId; key = #""externalCustomerId":"#
            case .id: op = .id; key = #""id":"#
            case .email: op = .email; key = #"{"type":"email","value":"#
            case .sms: op = .sms; key = #"{"type":"sms","value":"#
            case .address: op = .addressPart; key = #""address":"#
            case .region: op = .addressPart; key = #""region":"#
            case .town: op = .addressPart; key = #""town":"#
            case .postcode: op = .addressPart; key = #""postcode":"#
            case .customField(let id): op = .customField; key = #"{"id":"#; fieldId = id
            case .ignored: return nil
            }
            return Step(cell: planned.cell, op: op, section: planned.section, key: key, fieldId: fieldId, plan: k)
        }
    }

    func free() { unquoted.free() }

    /// Writes the contact for `cells` of `record` into `out` (emptied first) and its facts.
    mutating func build(_ record: UnsafeRawBufferPointer, _ cells: [CSVCell], into out: inout ByteWriter,
                        facts: inout ContactFacts, dedupeFieldId: Int64?) throws(RowProblem) {
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
        for step in steps {
            guard step.cell < cells.count else { continue }
            let value = try cellValue(record, cells[step.cell], step.plan, checkUTF8: !recordIsUTF8)
            guard !value.isEmpty else { continue }
            if step.section != open {
                close(open, &out)
                open = step.section
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
            switch step.op {
            case .name:
                let n = countScalars(value)
                if n > ContactWriter.maxNameLength {
                    throw RowProblem("\(label(step.plan)): is \(n) characters long, at most \(ContactWriter.maxNameLength) allowed")
                }
                topKey(step.key, &wroteTop, &out)
                appendJSONString(value, into: &out)
            case .plain:
                topKey(step.key, &wroteTop, &out)
                appendJSONString(value, into: &out)
            case .externalId:
                topKey(step.key, &wroteTop, &out)
                facts.externalCustomerId = appendRemembered(value, &out)
            case .id:
                guard let id = parseDigits(value) else {
                    throw RowProblem("\(label(step.plan)): \(quotedForMessage(value)) is not a contact id (digits)")
                }
                topKey(step.key, &wroteTop, &out)
                appendDecimal(id, into: &out)
                facts.id = id
            case .email:
                out.append(step.key)
                let start = out.count
                try ChannelRules.appendEmail(value, path: { label(step.plan) }, into: &out)
                let content = (start + 1)..<(out.count - 1)
                if facts.email == nil { facts.email = content }
                facts.orderKeys.insert(OrderKeys.hash(.email, out.bytes(content)))
                _ = facts.countChannel(.email)
                out.append(JSONByte.closeBrace)
            case .sms:
                out.append(step.key)
                let start = out.count
                try ChannelRules.appendPhone(value, path: { label(step.plan) }, into: &out)
                let content = (start + 1)..<(out.count - 1)
                if facts.phone == nil { facts.phone = content }
                facts.orderKeys.insert(OrderKeys.hash(.phone, out.bytes(content)))
                _ = facts.countChannel(.sms)
                out.append(JSONByte.closeBrace)
            case .addressPart:
                out.append(step.key)
                appendJSONString(value, into: &out)
            case .customField:
                out.append(step.key)
                appendDecimal(step.fieldId, into: &out)
                out.append(#","value":"#)
                let remembered = appendRemembered(value, &out)
                if step.fieldId == dedupeFieldId && facts.dedupeFieldValue == nil { facts.dedupeFieldValue = remembered }
                out.append(JSONByte.closeBrace)
            }
        }
        close(open, &out)
        out.append(JSONByte.closeBrace)
    }

    private func label(_ plan: Int) -> String { map.columns[map.plan[plan].column].label }

    /// Appends `value` as a JSON string and says where its value is, as ContactWriter would: in
    /// the output when it needed no escape, else a copy.
    private func appendRemembered(_ value: UnsafeRawBufferPointer, _ out: inout ByteWriter) -> ValueBytes {
        let start = out.count
        appendJSONString(value, into: &out)
        if out.count - start == value.count + 2 { return .inOutput((start + 1)..<(out.count - 1)) }
        return .owned(Array(value))
    }

    @inline(__always) private func topKey(_ key: StaticString, _ wrote: inout Bool, _ out: inout ByteWriter) {
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
    @inline(__always) private mutating func cellValue(_ record: UnsafeRawBufferPointer, _ cell: CSVCell, _ plan: Int,
                                                      checkUTF8: Bool) throws(RowProblem) -> UnsafeRawBufferPointer {
        var value = UnsafeRawBufferPointer(start: record.baseAddress.map { $0 + cell.start }, count: cell.end - cell.start)
        if cell.hasDoubledQuotes {
            unquoted.removeAll()
            var k = 0
            while k < value.count {
                unquoted.append(value[k])
                k += value[k] == JSONByte.quote ? 2 : 1
            }
            value = unquoted.all
        }
        if checkUTF8 && !isValidUTF8(value) { throw RowProblem("\(label(plan)): invalid UTF-8") }
        return trimASCIIWhitespace(value)
    }
}
