// JSON's grammar on the write side, in one place: string escaping (RFC 8259: quotes, backslashes
// and control characters escaped, everything else raw UTF-8), decimal integers, and the UTF-8
// check. The input stage (contacts spliced into bodies), JSONOutput (reports, progress, single
// calls) and JSONValue (the CLI) all write through these. Parsing is JSONCursor (contacts, byte
// level) and JSONDocument (options and answers, jansson).

/// Appends `value` (valid UTF-8) as a JSON string: quotes, backslashes and control characters
/// escaped, everything else (including non-ASCII) as raw UTF-8. Runs without such characters are
/// copied eight bytes at a time.
func appendJSONString(_ value: UnsafeRawBufferPointer, into out: inout ByteWriter) {
    // Most values need no escape: one check, then one copy between the quotes.
    let n = value.count
    if n < 16, let p = value.baseAddress {
        // Short values (names, cities, codes): checked and copied in one pass.
        out.reserveAdditional(n + 2)
        let dst = out.tail
        dst[0] = JSONByte.quote
        var clean = true
        for k in 0..<n {
            let b = p.load(fromByteOffset: k, as: UInt8.self)
            if b == JSONByte.quote || b == JSONByte.backslash || b < 0x20 { clean = false; break }
            dst[k + 1] = b
        }
        if clean {
            dst[n + 1] = JSONByte.quote
            out.commit(n + 2)
            return
        }
    } else if let p = value.baseAddress, !needsJSONEscape(p, n) {
        out.reserveAdditional(n + 2)
        let dst = out.tail
        dst[0] = JSONByte.quote
        (dst + 1).initialize(from: p.assumingMemoryBound(to: UInt8.self), count: n)
        dst[n + 1] = JSONByte.quote
        out.commit(n + 2)
        return
    }
    out.append(JSONByte.quote)
    guard let p = value.baseAddress else { out.append(JSONByte.quote); return }
    var runStart = 0
    var i = 0
    while i < n {
        if i &+ 8 <= n {
            let w = (p + i).loadUnaligned(as: UInt64.self)
            let special = swarSpecialStringBytes(w) & ~w  // non-ASCII needs no escaping
            if special == 0 { i &+= 8; continue }
            i &+= special.trailingZeroBitCount &>> 3
        }
        let b = p.load(fromByteOffset: i, as: UInt8.self)
        guard b == JSONByte.quote || b == JSONByte.backslash || b < 0x20 else { i += 1; continue }
        out.append(contentsOf: UnsafeRawBufferPointer(start: p + runStart, count: i - runStart))
        appendEscaped(b, into: &out)
        i += 1
        runStart = i
    }
    out.append(contentsOf: UnsafeRawBufferPointer(start: p + runStart, count: n - runStart))
    out.append(JSONByte.quote)
}

/// True when some byte of `p[0..<n]` is a quote, a backslash or a control character.
@inline(__always) func needsJSONEscape(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i &+ 8 <= n {
        let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        if swarSpecialStringBytes(w) & ~w != 0 { return true }
        i &+= 8
    }
    while i < n {
        let b = p.load(fromByteOffset: i, as: UInt8.self)
        if b == JSONByte.quote || b == JSONByte.backslash || b < 0x20 { return true }
        i &+= 1
    }
    return false
}

@inline(__always) func appendEscaped<S: ByteSink>(_ b: UInt8, into out: inout S) {
    switch b {
    case JSONByte.quote: out.append(JSONByte.backslash); out.append(JSONByte.quote)
    case JSONByte.backslash: out.append(JSONByte.backslash); out.append(JSONByte.backslash)
    case 0x0A: out.append(JSONByte.backslash); out.append(0x6E)
    case 0x0D: out.append(JSONByte.backslash); out.append(0x72)
    case 0x09: out.append(JSONByte.backslash); out.append(0x74)
    default:
        out.append("\\u00")
        out.append(hexDigit(b >> 4))
        out.append(hexDigit(b & 15))
    }
}

func appendJSONString<C: Collection<UInt8>, S: ByteSink>(_ value: C, into out: inout S) {
    out.append(JSONByte.quote)
    for b in value {
        if b < 0x20 || b == JSONByte.quote || b == JSONByte.backslash { appendEscaped(b, into: &out) } else { out.append(b) }
    }
    out.append(JSONByte.quote)
}

/// Appends a non-negative integer's decimal digits.
func appendDecimal<S: ByteSink>(_ value: Int64, into out: inout S) {
    if value == 0 { out.append(0x30); return }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var v = value.magnitude
    var n = 0
    withUnsafeMutableBytes(of: &digits) { d in
        while v > 0 { d[n] = UInt8(0x30 + v % 10); v /= 10; n += 1 }
        while n > 0 { n -= 1; out.append(d[n]) }
    }
}

/// True when `b` is well-formed UTF-8 (the stdlib's validating decoder, no copy on success).
func validUTF8(_ b: [UInt8]) -> Bool {
    var it = b.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&it) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}
