// The two array-valued keys of a contact: `channels` ({type, value}) and `fields` ({id, value}).
// Inside their elements the member order is free, so an element is read whole before it is written
// (type decides how value is normalised); unknown members are validated and kept, compacted.

extension ContactWriter {
    /// A member value remembered while reading an element.
    private enum ElementValue {
        case string(start: Int, token: StringToken)
        case number(start: Int, end: Int, isInteger: Bool)
        case bool(Bool)
        case null
    }

    /// Reads one `{...}` element: `type`/`value` (or `id`/`value`) remembered, other members copied
    /// compactly into `extras` as `,"key":value`. Duplicate known members are refused.
    private mutating func readElement(path: ElementPath, firstKey: StaticString)
        throws(RowProblem) -> (first: ElementValue?, value: ElementValue?, extras: [UInt8]) {
        guard c.current == JSONByte.openBrace else { throw typeProblem("\(path)", "an object") }
        c.i += 1
        var first: ElementValue?
        var value: ElementValue?
        var extras: [UInt8] = []
        c.skipWhitespace()
        if c.current == JSONByte.closeBrace { c.i += 1; return (nil, nil, extras) }
        while true {
            let (key, keyStart, keyEnd) = try c.memberKey()
            let isFirst: Bool, isValue: Bool
            if key.hasEscapes {
                let keyBytes = c.decoded(key)
                isFirst = keyBytes.withUnsafeBytes { bytesEqual($0, firstKey) }
                isValue = !isFirst && keyBytes.withUnsafeBytes { bytesEqual($0, "value") }
            } else {
                isFirst = bytesEqual(c.raw(key.start, key.end), firstKey)
                isValue = !isFirst && bytesEqual(c.raw(key.start, key.end), "value")
            }
            if isFirst || isValue {
                let member: StaticString = isFirst ? firstKey : "value"
                if (isFirst ? first : value) != nil {
                    throw RowProblem("\(path): key \"\(member)\" appears twice")
                }
                let v = try readScalar(path: path, member: member)
                if isFirst { first = v } else { value = v }
            } else {
                extras.append(JSONByte.comma)
                extras.append(contentsOf: c.raw(keyStart, keyEnd))
                extras.append(JSONByte.colon)
                try c.copyValue(into: &extras, depth: 3)
            }
            c.skipWhitespace()
            if c.current == JSONByte.comma { c.i += 1; continue }
            try c.expect(JSONByte.closeBrace, "expected ',' or '}' in an object")
            return (first, value, extras)
        }
    }

    private mutating func readScalar(path: ElementPath, member: StaticString) throws(RowProblem) -> ElementValue {
        switch c.current {
        case JSONByte.quote:
            let start = c.i
            return .string(start: start, token: try c.scanString())
        case JSONByte.minus, 0x30...0x39:
            let n = try c.scanNumber()
            return .number(start: n.start, end: n.end, isInteger: n.isInteger)
        case 0x74, 0x66:
            let isTrue = c.current == 0x74
            try c.scanLiteral()
            return .bool(isTrue)
        case 0x6E:
            try c.scanLiteral()
            return .null
        default:
            throw typeProblem("\(path).\(member)", "a string, number or boolean")
        }
    }

    /// Runs `body` over the value bytes of a string token (decoded only when it has escapes).
    private func withValueBytes<R>(_ t: StringToken,
                                   _ body: (UnsafeRawBufferPointer) throws(RowProblem) -> R) throws(RowProblem) -> R {
        if !t.hasEscapes { return try body(c.raw(t.start, t.end)) }
        return try withBytes(c.decoded(t), body)
    }

    // MARK: channels

    mutating func writeChannels() throws(RowProblem) { try writeArray(.channels) }

    /// The two arrays a contact has; their loop is one, only the element writer differs.
    private enum ContactArray { case channels, fields }

    private mutating func writeArray(_ array: ContactArray) throws(RowProblem) {
        let name = array == .channels ? "channels" : "fields"
        guard c.current == JSONByte.openBracket else { throw typeProblem(name, "an array") }
        c.i += 1
        writeKey(array == .channels ? #""channels":"# : #""fields":"#)
        out.append(JSONByte.openBracket)
        c.skipWhitespace()
        if c.current == JSONByte.closeBracket { c.i += 1; out.append(JSONByte.closeBracket); return }
        var index = 0
        while true {
            c.skipWhitespace()
            if index > 0 { out.append(JSONByte.comma) }
            switch array {
            case .channels: try writeChannel(index)
            case .fields: try writeField(index)
            }
            index += 1
            c.skipWhitespace()
            if c.current == JSONByte.comma { c.i += 1; continue }
            try c.expect(JSONByte.closeBracket, "expected ',' or ']' in an array")
            out.append(JSONByte.closeBracket)
            return
        }
    }

    private mutating func writeChannel(_ index: Int) throws(RowProblem) {
        let path = ElementPath(array: "channels", index: index)
        let element = try readElement(path: path, firstKey: "type")
        guard let typeValue = element.first else { throw RowProblem("\(path).type: missing") }
        guard case .string(_, let typeToken) = typeValue else {
            throw RowProblem("\(path).type: expected a string")
        }
        let type = try withValueBytes(typeToken) { (b) throws(RowProblem) -> ChannelType in
            guard let t = ChannelType(bytes: b) else {
                throw RowProblem("\(path).type: \(quotedForMessage(b)) is not a channel type (\(ChannelType.allNames))")
            }
            return t
        }
        guard let value = element.value else { throw RowProblem("\(path).value: missing") }
        if facts.countChannel(type) > 2 {
            throw RowProblem("channels: more than two channels of type \(type.name)")
        }
        out.append(#"{"type":""# as StaticString)
        out.append(type.name)
        out.append(#"","value":"# as StaticString)
        let valuePath = { "\(path).value" }
        switch (type, value) {
        case (.email, .string(_, let t)):
            let start = out.count
            try withValueBytes(t) { (b) throws(RowProblem) in
                try ChannelRules.appendEmail(b, path: valuePath, into: &out)
            }
            if facts.email == nil { facts.email = (start + 1)..<(out.count - 1) }
            facts.orderKeys.insert(OrderKeys.hash(.email, out.bytes((start + 1)..<(out.count - 1))))
        case (.sms, .string(_, let t)):
            let start = out.count
            try withValueBytes(t) { (b) throws(RowProblem) in
                try ChannelRules.appendPhone(b, path: valuePath, into: &out)
            }
            if facts.phone == nil { facts.phone = (start + 1)..<(out.count - 1) }
            facts.orderKeys.insert(OrderKeys.hash(.phone, out.bytes((start + 1)..<(out.count - 1))))
        case (.sms, .number(let s, let e, true)) where c.byte(s) != JSONByte.minus:
            let start = out.count
            try ChannelRules.appendPhone(c.raw(s, e), path: valuePath, into: &out)
            if facts.phone == nil { facts.phone = (start + 1)..<(out.count - 1) }
            facts.orderKeys.insert(OrderKeys.hash(.phone, out.bytes((start + 1)..<(out.count - 1))))
        case (_, .string(let s, let t)):
            let empty = try withValueBytes(t) { (b) throws(RowProblem) in trimASCIIWhitespace(b).isEmpty }
            if empty { throw RowProblem("\(path).value: is empty") }
            let token: ValueBytes = t.hasEscapes ? .owned(c.decoded(t)) : .inOutput((out.count + 1)..<(out.count + 1 + t.end - t.start))
            if type == .mobilepush && facts.pushToken == nil { facts.pushToken = token }
            if type == .webpush && facts.webpushToken == nil { facts.webpushToken = token }
            out.append(contentsOf: c.raw(s, c.rawEnd(of: t)))
        default:
            throw RowProblem("\(path).value: expected a string")
        }
        out.append(contentsOf: element.extras)
        out.append(JSONByte.closeBrace)
    }

    // MARK: fields

    mutating func writeFields() throws(RowProblem) { try writeArray(.fields) }

    private mutating func writeField(_ index: Int) throws(RowProblem) {
        let path = ElementPath(array: "fields", index: index)
        let element = try readElement(path: path, firstKey: "id")
        guard let idValue = element.first else { throw RowProblem("\(path).id: missing") }
        var fieldId: Int64?
        switch idValue {
        case .number(let s, let e, true): fieldId = parseDigits(c.raw(s, e))
        case .string(_, let t): fieldId = try withValueBytes(t) { (b) throws(RowProblem) in parseDigits(b) }
        default: fieldId = nil
        }
        guard let fieldId else {
            throw RowProblem("\(path).id: expected a custom field id (an integer or a string of digits), got \(describe(idValue))")
        }
        guard let value = element.value else { throw RowProblem("\(path).value: missing") }
        out.append(#"{"id":"# as StaticString)
        appendDecimal(fieldId, into: &out)
        out.append(#","value":"# as StaticString)
        let valueStart = out.count
        switch value {
        case .string(let s, let t): out.append(contentsOf: c.raw(s, c.rawEnd(of: t)))
        case .number(let s, let e, _):
            out.append(JSONByte.quote)
            out.append(contentsOf: c.raw(s, e))
            out.append(JSONByte.quote)
        case .bool(let b): out.append((b ? #""true""# : #""false""#) as StaticString)
        // null clears the field: Yespo takes an empty value for "no value".
        case .null: out.append(#""""# as StaticString)
        }
        if fieldId == dedupeFieldId && facts.dedupeFieldValue == nil {
            if case .string(_, let t) = value, t.hasEscapes {
                facts.dedupeFieldValue = .owned(c.decoded(t))
            } else if out.count - valueStart > 2 {
                facts.dedupeFieldValue = .inOutput((valueStart + 1)..<(out.count - 1))
            }
        }
        out.append(contentsOf: element.extras)
        out.append(JSONByte.closeBrace)
    }

    private func describe(_ v: ElementValue) -> String {
        switch v {
        case .string(_, let t): return quotedForMessage(c.decoded(t))
        case .number(let s, let e, _): return String(decoding: c.raw(s, e), as: UTF8.self)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}

/// "channels[2]", built only when a message needs it.
struct ElementPath: CustomStringConvertible {
    let array: StaticString
    let index: Int
    var description: String { "\(array)[\(index)]" }
}

extension JSONCursor {
    /// The index just after a string token's closing quote.
    @inline(__always) func rawEnd(of t: StringToken) -> Int { t.end + 1 }
}
