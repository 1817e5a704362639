// A forward-only cursor over the bytes of one JSON text: the tokens, their validation (full JSON
// grammar, strict UTF-8, escapes incl. surrogate pairs) and nothing else. No DOM: callers get byte
// ranges back and decide what to copy. Every read is bounds-checked against `count`, so hostile
// input can only produce a RowProblem, never a read past the buffer.

/// Why a row cannot be used; `message` already says what and where (without the "row N: " prefix).
struct RowProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Deeper nesting than this (objects/arrays inside a contact) makes the row invalid.
let maxJSONDepth = 64

/// A scanned string token: `start..<end` is the content between the quotes.
struct StringToken {
    var start: Int
    var end: Int
    /// The content holds at least one backslash escape (so the raw bytes are not the value).
    var hasEscapes: Bool
    /// The content holds bytes >= 0x80.
    var hasNonASCII: Bool
}

enum JSONByte {
    static let quote: UInt8 = 0x22, backslash: UInt8 = 0x5C, comma: UInt8 = 0x2C, colon: UInt8 = 0x3A
    static let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D
    static let openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D
    static let minus: UInt8 = 0x2D, plus: UInt8 = 0x2B, dot: UInt8 = 0x2E

    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
}

struct JSONCursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i: Int

    /// `buf` must not be empty (callers reject empty rows before scanning).
    init?(_ buf: UnsafeRawBufferPointer) {
        guard let p = buf.baseAddress, buf.count > 0 else { return nil }
        base = p.assumingMemoryBound(to: UInt8.self)
        count = buf.count
        i = 0
    }

    @inline(__always) var atEnd: Bool { i >= count }
    @inline(__always) func byte(_ at: Int) -> UInt8 { base[at] }
    /// The current byte, or 0 at the end (0 is never valid where a token is expected).
    @inline(__always) var current: UInt8 { i < count ? base[i] : 0 }

    func raw(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    func problem(_ what: String, at: Int? = nil) -> RowProblem {
        let where_ = at ?? i
        if where_ >= count { return RowProblem("invalid JSON: \(what) (the text ends at byte \(count))") }
        return RowProblem("invalid JSON at byte \(where_): \(what)")
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < count && JSONByte.isWhitespace(base[i]) { i += 1 }
    }

    mutating func expect(_ b: UInt8, _ what: @autoclosure () -> String) throws(RowProblem) {
        guard i < count && base[i] == b else { throw problem(what()) }
        i += 1
    }

    /// What kind of value starts at the current byte, for messages ("a number", "an object").
    var valueKindHere: String {
        switch current {
        case JSONByte.openBrace: return "an object"
        case JSONByte.openBracket: return "an array"
        case JSONByte.quote: return "a string"
        case 0x74, 0x66, 0x6E:
            var probe = self
            guard (try? probe.scanLiteral()) != nil else { return "an invalid token" }
            return current == 0x6E ? "null" : "a boolean"
        case JSONByte.minus, 0x30...0x39: return "a number"
        case 0: return "nothing"
        default: return "an invalid token"
        }
    }

    // MARK: strings

    /// An object member's key and the colon after it, whitespace around both skipped: the key's
    /// token and its literal's bounds (quotes included); the cursor is then at the value. The one
    /// place every object walker of the input stage reads a key.
    @inline(__always) mutating func memberKey() throws(RowProblem) -> (key: StringToken, start: Int, end: Int) {
        skipWhitespace()
        guard current == JSONByte.quote else { throw problem("expected a string key") }
        let start = i
        let key = try scanString()
        let end = i
        skipWhitespace()
        try expect(JSONByte.colon, "expected ':' after an object key")
        skipWhitespace()
        return (key, start, end)
    }

    /// Scans a string starting at the opening quote; leaves `i` after the closing quote.
    /// Inlined for the common case (plain ASCII up to the closing quote, found eight bytes at a
    /// time); anything else goes through `scanStringInFull`.
    @inline(__always) mutating func scanString() throws(RowProblem) -> StringToken {
        guard i < count && base[i] == JSONByte.quote else { throw problem("expected a string") }
        let start = i &+ 1
        var j = start
        while j &+ 8 <= count {
            let special = swarSpecialStringBytes(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
            if special == 0 { j &+= 8; continue }
            j &+= special.trailingZeroBitCount &>> 3
            if base[j] == JSONByte.quote {
                i = j &+ 1
                return StringToken(start: start, end: j, hasEscapes: false, hasNonASCII: false)
            }
            break
        }
        return try scanStringInFull()
    }

    /// scanString's general case: escapes, non-ASCII (validated), control characters, the end of
    /// the text.
    @inline(never) mutating func scanStringInFull() throws(RowProblem) -> StringToken {
        try expect(JSONByte.quote, "expected a string")
        var token = StringToken(start: i, end: i, hasEscapes: false, hasNonASCII: false)
        while true {
            // Eight bytes at a time to the next special byte (quote, backslash, control, non-ASCII).
            while i &+ 8 <= count {
                let special = swarSpecialStringBytes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if special != 0 { i &+= special.trailingZeroBitCount &>> 3; break }
                i &+= 8
            }
            guard i < count else { throw problem("unterminated string", at: token.start - 1) }
            let b = base[i]
            if b == JSONByte.quote {
                token.end = i
                i += 1
                return token
            } else if b == JSONByte.backslash {
                token.hasEscapes = true
                try scanEscape()
            } else if b < 0x20 {
                throw problem("control character 0x\(hex2(b)) inside a string (must be escaped)")
            } else if b >= 0x80 {
                token.hasNonASCII = true
                i += try utf8SequenceLength(base, i, count)
            } else {
                i += 1
            }
        }
    }

    private mutating func scanEscape() throws(RowProblem) {
        let at = i
        guard i + 1 < count else { throw problem("unterminated escape", at: at) }
        switch base[i + 1] {
        case JSONByte.quote, JSONByte.backslash, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            i += 2
        case 0x75:  // \uXXXX
            guard let unit = hex4(i + 2) else { throw problem("invalid \\u escape", at: at) }
            i += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard i + 1 < count, base[i] == JSONByte.backslash, base[i + 1] == 0x75,
                      let low = hex4(i + 2), low >= 0xDC00 && low <= 0xDFFF else {
                    throw problem("lone high surrogate \\u\(hex4String(unit)) (needs a \\uDC00-\\uDFFF pair)", at: at)
                }
                i += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw problem("lone low surrogate \\u\(hex4String(unit))", at: at)
            }
        default:
            throw problem("invalid escape \\\(printableByte(base[i + 1]))", at: at)
        }
    }

    func hex4(_ at: Int) -> UInt32? {
        guard at + 4 <= count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = hexValue(base[at + k]) else { return nil }
            v = v << 4 | d
        }
        return v
    }

    // MARK: numbers and literals

    /// Scans a JSON number; returns whether it is an integer (no fraction, no exponent).
    /// NaN, Infinity, leading zeros, "+1", "1." and ".5" are all rejected here.
    mutating func scanNumber() throws(RowProblem) -> (start: Int, end: Int, isInteger: Bool) {
        let start = i
        if current == JSONByte.minus { i += 1 }
        if current == 0x30 {
            i += 1
        } else if current >= 0x31 && current <= 0x39 {
            while i < count && JSONByte.isDigit(base[i]) { i += 1 }
        } else {
            throw problem("invalid number", at: start)
        }
        var isInteger = true
        if current == JSONByte.dot {
            isInteger = false
            i += 1
            guard JSONByte.isDigit(current) else { throw problem("invalid number (digit expected after '.')", at: start) }
            while i < count && JSONByte.isDigit(base[i]) { i += 1 }
        }
        if current == 0x65 || current == 0x45 {
            isInteger = false
            i += 1
            if current == JSONByte.plus || current == JSONByte.minus { i += 1 }
            guard JSONByte.isDigit(current) else { throw problem("invalid number (digit expected in exponent)", at: start) }
            while i < count && JSONByte.isDigit(base[i]) { i += 1 }
        }
        return (start, i, isInteger)
    }

    /// Scans `true`, `false` or `null` (whichever starts here).
    mutating func scanLiteral() throws(RowProblem) {
        let word: StaticString
        switch current {
        case 0x74: word = "true"
        case 0x66: word = "false"
        default: word = "null"
        }
        let n = word.utf8CodeUnitCount
        guard i + n <= count else { throw problem("invalid literal") }
        let w = word.utf8Start
        for k in 0..<n where base[i + k] != w[k] { throw problem("invalid literal") }
        i += n
    }

    // MARK: any value, copied compactly

    /// Validates the value starting here and appends it to `out` without insignificant whitespace.
    /// Strings and numbers are copied byte for byte (they are valid JSON as given).
    mutating func copyValue<S: ByteSink>(into out: inout S, depth: Int) throws(RowProblem) {
        switch current {
        case JSONByte.quote:
            let start = i
            _ = try scanString()
            out.append(contentsOf: raw(start, i))
        case JSONByte.openBrace:
            guard depth < maxJSONDepth else { throw problem("nesting deeper than \(maxJSONDepth) levels") }
            i += 1
            out.append(JSONByte.openBrace)
            skipWhitespace()
            if current == JSONByte.closeBrace { i += 1; out.append(JSONByte.closeBrace); return }
            while true {
                skipWhitespace()
                guard current == JSONByte.quote else { throw problem("expected a string key") }
                let keyStart = i
                _ = try scanString()
                out.append(contentsOf: raw(keyStart, i))
                skipWhitespace()
                try expect(JSONByte.colon, "expected ':' after an object key")
                out.append(JSONByte.colon)
                skipWhitespace()
                try copyValue(into: &out, depth: depth + 1)
                skipWhitespace()
                if current == JSONByte.comma { i += 1; out.append(JSONByte.comma); continue }
                try expect(JSONByte.closeBrace, "expected ',' or '}' in an object")
                out.append(JSONByte.closeBrace)
                return
            }
        case JSONByte.openBracket:
            guard depth < maxJSONDepth else { throw problem("nesting deeper than \(maxJSONDepth) levels") }
            i += 1
            out.append(JSONByte.openBracket)
            skipWhitespace()
            if current == JSONByte.closeBracket { i += 1; out.append(JSONByte.closeBracket); return }
            while true {
                skipWhitespace()
                try copyValue(into: &out, depth: depth + 1)
                skipWhitespace()
                if current == JSONByte.comma { i += 1; out.append(JSONByte.comma); continue }
                try expect(JSONByte.closeBracket, "expected ',' or ']' in an array")
                out.append(JSONByte.closeBracket)
                return
            }
        case 0x74, 0x66, 0x6E:
            let start = i
            try scanLiteral()
            out.append(contentsOf: raw(start, i))
        case JSONByte.minus, 0x30...0x39:
            let n = try scanNumber()
            out.append(contentsOf: raw(n.start, n.end))
        case 0:
            if atEnd { throw problem("a value is missing") }
            throw problem("unexpected byte 0x00")
        default:
            throw problem("unexpected \(describeByte(current))")
        }
    }
}

// MARK: byte helpers

/// The high bit set in the first of the 8 bytes (little-endian) that is '"', '\\', < 0x20 or
/// >= 0x80, so the lowest set bit finds it; zero when there is none. (Bytes above the first may be
/// flagged too: callers read only the lowest bit, or zero/non-zero.)
@inline(__always) func swarSpecialStringBytes(_ w: UInt64) -> UInt64 {
    // "Has a zero byte" tests ((y - 0x01…) & ~y): exact up to the first hit (a borrow only ever
    // flags bytes above a true one), which is all a caller reads.
    let ones: UInt64 = 0x0101_0101_0101_0101
    let q = w ^ 0x2222_2222_2222_2222
    let bs = w ^ 0x5C5C_5C5C_5C5C_5C5C
    let isQuote = (q &- ones) & ~q
    let isBackslash = (bs &- ones) & ~bs
    let isControl = (w &- 0x2020_2020_2020_2020) & ~w
    return (isQuote | isBackslash | isControl | w) & 0x8080_8080_8080_8080
}

/// The high bit set in each of the 8 bytes that equals `b` (exact, as above).
@inline(__always) func swarBytesEqual(_ w: UInt64, _ b: UInt8) -> UInt64 {
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let x = w ^ (0x0101_0101_0101_0101 &* UInt64(b))
    return ~(((x & low7) &+ low7) | x) & 0x8080_8080_8080_8080
}

/// The length of the valid UTF-8 sequence starting at `at` (whose first byte is >= 0x80), per
/// Unicode table 3-7: no overlongs, no surrogates, nothing above U+10FFFF.
func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ at: Int, _ count: Int) throws(RowProblem) -> Int {
    let b0 = p[at]
    @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
        at + k < count && p[at + k] >= lo && p[at + k] <= hi
    }
    let ok: Bool
    let n: Int
    switch b0 {
    case 0xC2...0xDF: n = 2; ok = cont(1)
    case 0xE0: n = 3; ok = cont(1, 0xA0) && cont(2)
    case 0xE1...0xEC, 0xEE, 0xEF: n = 3; ok = cont(1) && cont(2)
    case 0xED: n = 3; ok = cont(1, 0x80, 0x9F) && cont(2)
    case 0xF0: n = 4; ok = cont(1, 0x90) && cont(2) && cont(3)
    case 0xF1...0xF3: n = 4; ok = cont(1) && cont(2) && cont(3)
    case 0xF4: n = 4; ok = cont(1, 0x80, 0x8F) && cont(2) && cont(3)
    default: n = 1; ok = false
    }
    guard ok else { throw RowProblem("invalid UTF-8 at byte \(at)") }
    return n
}

/// True when the bytes are valid UTF-8 (the whole buffer).
func isValidUTF8(_ buf: UnsafeRawBufferPointer) -> Bool {
    guard let raw = buf.baseAddress else { return true }
    let p = raw.assumingMemoryBound(to: UInt8.self)
    let n = buf.count
    var i = 0
    while i < n {
        while i &+ 8 <= n && UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i &+= 8
        }
        guard i < n else { break }
        if p[i] < 0x80 { i += 1; continue }
        do { i += try utf8SequenceLength(p, i, n) } catch { return false }
    }
    return true
}

@inline(__always) func hexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case 0x30...0x39: return UInt32(b - 0x30)
    case 0x41...0x46: return UInt32(b - 0x41 + 10)
    case 0x61...0x66: return UInt32(b - 0x61 + 10)
    default: return nil
    }
}

private let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

func hex2(_ b: UInt8) -> String {
    String(decoding: [hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]], as: UTF8.self)
}

func hex4String(_ v: UInt32) -> String {
    hex2(UInt8(truncatingIfNeeded: v >> 8)) + hex2(UInt8(truncatingIfNeeded: v))
}

func printableByte(_ b: UInt8) -> String {
    b >= 0x21 && b < 0x7F ? String(UnicodeScalar(b)) : "0x" + hex2(b)
}

func describeByte(_ b: UInt8) -> String {
    b >= 0x21 && b < 0x7F ? "'\(String(UnicodeScalar(b)))'" : "byte 0x\(hex2(b))"
}
