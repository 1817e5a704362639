// The byte-level walk shared by the order and event writers: one JSON object read with JSONCursor
// and written compactly into a ByteWriter in the same pass, known members checked and re-emitted,
// unknown ones validated and copied. (ContactWriter predates it and keeps its own tuned copy.)

struct ObjectWriter {
    var c: JSONCursor
    var out: ByteWriter
    private var wroteMember = false

    init(cursor: JSONCursor, out: ByteWriter) {
        c = cursor
        self.out = out
    }

    /// Walks the object at the cursor, writing `{`…`}`; `member` handles each key (it must consume
    /// the value) and returns false to have an unknown member copied as it is.
    mutating func writeObject(what: String, depth: Int,
                              _ member: (inout ObjectWriter, _ key: UnsafeRawBufferPointer, _ keyLiteral: UnsafeRawBufferPointer) throws(RowProblem) -> Bool) throws(RowProblem) {
        c.skipWhitespace()
        guard c.current == JSONByte.openBrace else {
            if c.atEnd && depth == 0 { throw RowProblem("empty row: expected a JSON object") }
            throw RowProblem("\(what): expected a JSON object, got \(c.valueKindHere)")
        }
        c.i += 1
        let outer = wroteMember
        wroteMember = false
        out.append(JSONByte.openBrace)
        c.skipWhitespace()
        if c.current == JSONByte.closeBrace {
            c.i += 1
        } else {
            while true {
                let (key, keyStart, keyEnd) = try c.memberKey()
                let literal = c.raw(keyStart, keyEnd)
                let handled: Bool
                if key.hasEscapes {
                    let decoded = c.decoded(key)
                    handled = try withBytes(decoded) { (k) throws(RowProblem) -> Bool in try member(&self, k, literal) }
                } else {
                    handled = try member(&self, c.raw(key.start, key.end), literal)
                }
                if !handled {
                    beginMember(literal)
                    try c.copyValue(into: &out, depth: depth + 1)
                }
                c.skipWhitespace()
                if c.current == JSONByte.comma { c.i += 1; continue }
                try c.expect(JSONByte.closeBrace, "expected ',' or '}' in an object")
                break
            }
        }
        out.append(JSONByte.closeBrace)
        wroteMember = outer
    }

    /// An array member: `[`, each element written by `element` (which consumes one value), `]`.
    mutating func writeArray(_ path: String, _ literal: UnsafeRawBufferPointer,
                             _ element: (inout ObjectWriter, Int) throws(RowProblem) -> Void) throws(RowProblem) {
        guard c.current == JSONByte.openBracket else { throw typeProblem(path, "an array") }
        c.i += 1
        beginMember(literal)
        out.append(JSONByte.openBracket)
        var k = 0
        c.skipWhitespace()
        if c.current == JSONByte.closeBracket {
            c.i += 1
        } else {
            while true {
                if k > 0 { out.append(JSONByte.comma) }
                c.skipWhitespace()
                try element(&self, k)
                k += 1
                c.skipWhitespace()
                if c.current == JSONByte.comma { c.i += 1; continue }
                try c.expect(JSONByte.closeBracket, "expected ',' or ']' in an array")
                break
            }
        }
        out.append(JSONByte.closeBracket)
    }

    /// Starts a member: the comma before it, then its key literal (`"name"`) and the colon.
    mutating func beginMember(_ keyLiteral: UnsafeRawBufferPointer) {
        if wroteMember { out.append(JSONByte.comma) }
        wroteMember = true
        out.append(contentsOf: keyLiteral)
        out.append(JSONByte.colon)
    }

    /// Consumes `null` when it is the value here (a known member set to null is left out).
    mutating func skipNull() throws(RowProblem) -> Bool {
        guard c.current == 0x6E else { return false }
        try c.scanLiteral()
        return true
    }

    func typeProblem(_ path: String, _ expected: String) -> RowProblem {
        RowProblem("\(path): expected \(expected), got \(c.valueKindHere)")
    }

    /// A string value (non-empty after trimming when `required`): written, and its content range in
    /// the output returned (escapes kept as written). nil when it was blank and not written.
    mutating func string(_ path: String, _ key: UnsafeRawBufferPointer) throws(RowProblem) -> Range<Int>? {
        guard c.current == JSONByte.quote else { throw typeProblem(path, "a string") }
        return try copyString(key)?.content
    }

    /// The string here, copied as written under `key` unless blank: its token and its content's
    /// range in the output.
    private mutating func copyString(_ key: UnsafeRawBufferPointer) throws(RowProblem) -> (token: StringToken, content: Range<Int>)? {
        let start = c.i
        let t = try c.scanString()
        if isBlankLine(c.raw(t.start, t.end)) { return nil }
        beginMember(key)
        let at = out.count + 1
        out.append(contentsOf: c.raw(start, c.i))
        return (t, at..<(out.count - 1))
    }

    /// A string, or an integer written as a string (ids); where its value is (in the output when
    /// it needed no escape: no copy). nil: blank.
    mutating func identifier(_ path: String, _ key: UnsafeRawBufferPointer) throws(RowProblem) -> ValueBytes? {
        if c.current == JSONByte.quote {
            guard let (t, content) = try copyString(key) else { return nil }
            return t.hasEscapes ? .owned(c.decoded(t)) : .inOutput(content)
        }
        guard c.current == JSONByte.minus || JSONByte.isDigit(c.current) else { throw typeProblem(path, "a string or an integer") }
        let n = try c.scanNumber()
        let text = c.raw(n.start, n.end)
        guard n.isInteger else { throw RowProblem("\(path): \(String(decoding: text, as: UTF8.self)) is not an integer or a string") }
        beginMember(key)
        out.append(JSONByte.quote)
        let at = out.count
        out.append(contentsOf: text)
        out.append(JSONByte.quote)
        return .inOutput(at..<(at + text.count))
    }

    /// A number, or a string holding one (spreadsheet exports quote them), written as a number.
    mutating func number(_ path: String, _ key: UnsafeRawBufferPointer) throws(RowProblem) {
        if c.current == JSONByte.minus || JSONByte.isDigit(c.current) {
            let n = try c.scanNumber()
            beginMember(key)
            out.append(contentsOf: c.raw(n.start, n.end))
            return
        }
        guard c.current == JSONByte.quote else { throw typeProblem(path, "a number") }
        let t = try c.scanString()
        let text = trimASCIIWhitespace(c.raw(t.start, t.end))
        guard !t.hasEscapes, isJSONNumber(text) else {
            throw RowProblem("\(path): \(quotedForMessage(c.decoded(t))) is not a number")
        }
        beginMember(key)
        out.append(contentsOf: text)
    }

    /// Any scalar (string, number, boolean) written as a JSON string: event parameter values.
    mutating func scalarAsString(_ path: String, _ key: UnsafeRawBufferPointer) throws(RowProblem) {
        switch c.current {
        case JSONByte.quote:
            let start = c.i
            _ = try c.scanString()
            beginMember(key)
            out.append(contentsOf: c.raw(start, c.i))
        case JSONByte.minus, 0x30...0x39:
            let n = try c.scanNumber()
            beginMember(key)
            out.append(JSONByte.quote)
            out.append(contentsOf: c.raw(n.start, n.end))
            out.append(JSONByte.quote)
        case 0x74, 0x66:
            let start = c.i
            try c.scanLiteral()
            beginMember(key)
            out.append(JSONByte.quote)
            out.append(contentsOf: c.raw(start, c.i))
            out.append(JSONByte.quote)
        default:
            throw typeProblem(path, "a string, number or boolean")
        }
    }
}

/// Whether `text` is exactly one JSON number (no sign other than a leading '-', no NaN).
func isJSONNumber(_ text: UnsafeRawBufferPointer) -> Bool {
    guard !text.isEmpty, var c = JSONCursor(text) else { return false }
    guard c.current == JSONByte.minus || JSONByte.isDigit(c.current) else { return false }
    guard (try? c.scanNumber()) != nil else { return false }
    return c.atEnd
}

/// The key `"name"` as a literal, for members the writers add themselves.
@inline(__always) func keyLiteral(_ s: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
}
