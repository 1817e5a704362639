// Walks one contact object and writes its normalised compact JSON in the same pass: known keys are
// checked and re-emitted normalised, unknown keys are validated and copied as they are. What the
// match key needs (emails, phone, ids, ...) is remembered on the way as ContactFacts.

/// The top-level keys the rules know about (contracts §3).
enum ContactKey: UInt16 {
    case id = 1, externalCustomerId = 2, firstName = 4, lastName = 8, channels = 16, address = 32
    case fields = 64, languageCode = 128, timeZone = 256, contactKey = 512

    init?(_ k: UnsafeRawBufferPointer) {
        switch k.count {
        case 2 where bytesEqual(k, "id"): self = .id
        case 18 where bytesEqual(k, "externalCustomerId"): self = .externalCustomerId
        case 9 where bytesEqual(k, "firstName"): self = .firstName
        case 8 where bytesEqual(k, "lastName"): self = .lastName
        case 8 where bytesEqual(k, "channels"): self = .channels
        case 7 where bytesEqual(k, "address"): self = .address
        case 6 where bytesEqual(k, "fields"): self = .fields
        case 12 where bytesEqual(k, "languageCode"): self = .languageCode
        case 8 where bytesEqual(k, "timeZone"): self = .timeZone
        case 10 where bytesEqual(k, "contactKey"): self = .contactKey
        default: return nil
        }
    }
}

/// A value remembered for the match key: where its bytes are in the output (the common case, no
/// copy), or a decoded copy when the output holds it escaped.
enum ValueBytes {
    case inOutput(Range<Int>)
    case owned([UInt8])

    func string(_ out: UnsafeRawBufferPointer) -> String {
        switch self {
        case .inOutput(let r): return String(decoding: UnsafeRawBufferPointer(rebasing: out[r]), as: UTF8.self)
        case .owned(let b): return String(decoding: b, as: UTF8.self)
        }
    }
}

/// What one contact carries that matters for matching, collected while writing it.
struct ContactFacts {
    var channelCounts: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
    /// Content ranges in the output of the first email / phone (never escaped: see ChannelRules).
    var email: Range<Int>?
    var phone: Range<Int>?
    var pushToken: ValueBytes?
    var webpushToken: ValueBytes?
    var externalCustomerId: ValueBytes?
    var id: Int64?
    /// The value of the custom field the job dedupes on (dedupeOn = fieldId).
    var dedupeFieldValue: ValueBytes?
    /// Every email, phone and the external id as hashes (see OrderKeys); completed by the preparer.
    var orderKeys = OrderKeys()

    var channelTotal: Int {
        channelCounts.0 + channelCounts.1 + channelCounts.2 + channelCounts.3 + channelCounts.4
    }

    mutating func countChannel(_ t: ChannelType) -> Int {
        switch t {
        case .email: channelCounts.0 += 1; return channelCounts.0
        case .sms: channelCounts.1 += 1; return channelCounts.1
        case .mobilepush: channelCounts.2 += 1; return channelCounts.2
        case .webpush: channelCounts.3 += 1; return channelCounts.3
        case .viber: channelCounts.4 += 1; return channelCounts.4
        }
    }
}

struct ContactWriter {
    static let maxNameLength = 40

    var c: JSONCursor
    var out: ByteWriter
    var facts = ContactFacts()
    let dedupeFieldId: Int64?
    private var seen: UInt16 = 0
    private var wroteMember = false

    /// Writes into `out` (from its current end); the caller owns and frees it.
    init(cursor: JSONCursor, dedupeFieldId: Int64?, out: ByteWriter) {
        c = cursor
        self.dedupeFieldId = dedupeFieldId
        self.out = out
    }

    /// Writes the whole object; the cursor must then be at the end of the text.
    mutating func writeContact() throws(RowProblem) {
        c.skipWhitespace()
        guard c.current == JSONByte.openBrace else {
            if c.atEnd { throw RowProblem("empty row: expected a JSON object") }
            throw RowProblem("expected a JSON object, got \(c.valueKindHere)")
        }
        c.i += 1
        out.append(JSONByte.openBrace)
        c.skipWhitespace()
        if c.current == JSONByte.closeBrace {
            c.i += 1
        } else {
            try writeMembers()
        }
        out.append(JSONByte.closeBrace)
        c.skipWhitespace()
        guard c.atEnd else { throw c.problem("unexpected data after the object") }
    }

    private mutating func writeMembers() throws(RowProblem) {
        while true {
            let (key, keyStart, _) = try c.memberKey()
            let known: ContactKey?
            if key.hasEscapes {
                known = c.decoded(key).withUnsafeBytes { ContactKey($0) }
            } else {
                known = ContactKey(c.raw(key.start, key.end))
            }
            if let known {
                guard seen & known.rawValue == 0 else {
                    throw RowProblem("key \"\(known)\" appears twice")
                }
                seen |= known.rawValue
                try writeKnown(known)
            } else {
                beginMember()
                out.append(contentsOf: c.raw(keyStart, key.end + 1))
                out.append(JSONByte.colon)
                try c.copyValue(into: &out, depth: 1)
            }
            c.skipWhitespace()
            if c.current == JSONByte.comma { c.i += 1; continue }
            try c.expect(JSONByte.closeBrace, "expected ',' or '}' in an object")
            return
        }
    }

    mutating func beginMember() {
        if wroteMember { out.append(JSONByte.comma) }
        wroteMember = true
    }

    /// `key` is the whole `"name":` literal: one copy instead of four appends.
    mutating func writeKey(_ key: StaticString) {
        beginMember()
        out.append(key)
    }

    /// Consumes `null` when it is the value here; known keys set to null are left out.
    private mutating func skipNull() throws(RowProblem) -> Bool {
        guard c.current == 0x6E else { return false }
        try c.scanLiteral()
        return true
    }

    func typeProblem(_ path: String, _ expected: String) -> RowProblem {
        RowProblem("\(path): expected \(expected), got \(c.valueKindHere)")
    }

    private mutating func writeKnown(_ key: ContactKey) throws(RowProblem) {
        if try skipNull() { return }
        switch key {
        case .firstName: try writeName("firstName", #""firstName":"#)
        case .lastName: try writeName("lastName", #""lastName":"#)
        case .languageCode: try writePlainString("languageCode", #""languageCode":"#)
        case .timeZone: try writePlainString("timeZone", #""timeZone":"#)
        case .contactKey: try writePlainString("contactKey", #""contactKey":"#)
        case .id: try writeId()
        case .externalCustomerId: try writeExternalCustomerId()
        case .channels: try writeChannels()
        case .address: try writeAddress()
        case .fields: try writeFields()
        }
    }

    private mutating func writeName(_ name: StaticString, _ key: StaticString) throws(RowProblem) {
        guard c.current == JSONByte.quote else { throw typeProblem("\(name)", "a string") }
        let start = c.i
        let t = try c.scanString()
        let length = c.scalarCount(t)
        guard length <= Self.maxNameLength else {
            throw RowProblem("\(name): is \(length) characters long, at most \(Self.maxNameLength) allowed")
        }
        writeKey(key)
        out.append(contentsOf: c.raw(start, c.i))
    }

    private mutating func writePlainString(_ name: StaticString, _ key: StaticString) throws(RowProblem) {
        guard c.current == JSONByte.quote else { throw typeProblem("\(name)", "a string") }
        let start = c.i
        _ = try c.scanString()
        writeKey(key)
        out.append(contentsOf: c.raw(start, c.i))
    }

    private mutating func writeId() throws(RowProblem) {
        guard c.current == JSONByte.minus || JSONByte.isDigit(c.current) else {
            throw typeProblem("id", "an integer")
        }
        let n = try c.scanNumber()
        let text = c.raw(n.start, n.end)
        guard n.isInteger, let value = parseDigits(text) else {
            throw RowProblem("id: \(String(decoding: text, as: UTF8.self)) is not a non-negative integer (at most 18 digits)")
        }
        facts.id = value
        writeKey(#""id":"#)
        out.append(contentsOf: text)
    }

    private mutating func writeExternalCustomerId() throws(RowProblem) {
        if c.current == JSONByte.quote {
            let start = c.i
            let t = try c.scanString()
            // An empty id identifies nothing: treated like a missing one.
            if isBlankLine(c.raw(t.start, t.end)) { return }
            writeKey(#""externalCustomerId":"#)
            facts.externalCustomerId = t.hasEscapes ? .owned(c.decoded(t)) : .inOutput((out.count + 1)..<(out.count + 1 + t.end - t.start))
            out.append(contentsOf: c.raw(start, c.i))
        } else if c.current == JSONByte.minus || JSONByte.isDigit(c.current) {
            let n = try c.scanNumber()
            let text = c.raw(n.start, n.end)
            guard n.isInteger else {
                throw RowProblem("externalCustomerId: \(String(decoding: text, as: UTF8.self)) is not an integer or a string")
            }
            writeKey(#""externalCustomerId":"#)
            facts.externalCustomerId = .inOutput((out.count + 1)..<(out.count + 1 + text.count))
            out.append(JSONByte.quote)
            out.append(contentsOf: text)
            out.append(JSONByte.quote)
        } else {
            throw typeProblem("externalCustomerId", "a string or an integer")
        }
    }

    private mutating func writeAddress() throws(RowProblem) {
        guard c.current == JSONByte.openBrace else { throw typeProblem("address", "an object") }
        c.i += 1
        writeKey(#""address":"#)
        out.append(JSONByte.openBrace)
        var first = true
        c.skipWhitespace()
        if c.current == JSONByte.closeBrace { c.i += 1; out.append(JSONByte.closeBrace); return }
        while true {
            let (key, keyStart, keyEnd) = try c.memberKey()
            if try !skipNull() {
                guard c.current == JSONByte.quote else {
                    let name = String(decoding: c.decoded(key), as: UTF8.self)
                    throw typeProblem("address.\(name)", "a string")
                }
                let valueStart = c.i
                _ = try c.scanString()
                if !first { out.append(JSONByte.comma) }
                first = false
                out.append(contentsOf: c.raw(keyStart, keyEnd))
                out.append(JSONByte.colon)
                out.append(contentsOf: c.raw(valueStart, c.i))
            }
            c.skipWhitespace()
            if c.current == JSONByte.comma { c.i += 1; continue }
            try c.expect(JSONByte.closeBrace, "expected ',' or '}' in an object")
            out.append(JSONByte.closeBrace)
            return
        }
    }
}
