// Turning a validated JSON string token into its value bytes and back into a compact JSON string.
// Decoding runs only on tokens that JSONCursor.scanString already accepted, so it cannot fail.

extension JSONCursor {
    /// The value bytes (UTF-8) of a validated string token, escapes resolved.
    func decoded(_ t: StringToken) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(t.end - t.start)
        appendDecoded(t, into: &out)
        return out
    }

    func appendDecoded<S: ByteSink>(_ t: StringToken, into out: inout S) {
        if !t.hasEscapes {
            out.append(contentsOf: raw(t.start, t.end))
            return
        }
        var k = t.start
        while k < t.end {
            let b = base[k]
            guard b == JSONByte.backslash else { out.append(b); k += 1; continue }
            let e = base[k + 1]
            k += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = hex4(k) ?? 0xFFFD
                k += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hex4(k + 2) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                }
                appendUTF8(scalar, into: &out)
            default: out.append(e)  // \" \\ \/
            }
        }
    }

    /// The number of Unicode scalars in a validated string token's value.
    func scalarCount(_ t: StringToken) -> Int {
        if !t.hasEscapes && !t.hasNonASCII { return t.end - t.start }
        if !t.hasEscapes { return countScalars(raw(t.start, t.end)) }
        return decoded(t).withUnsafeBytes { countScalars($0) }
    }
}

/// Scalars in valid UTF-8: every byte that is not a continuation byte starts one.
func countScalars(_ bytes: UnsafeRawBufferPointer) -> Int {
    var n = 0
    for b in bytes where b & 0xC0 != 0x80 { n += 1 }
    return n
}

func appendUTF8<S: ByteSink>(_ scalar: UInt32, into out: inout S) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | scalar >> 6))
        out.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | scalar >> 12))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    default:
        out.append(UInt8(0xF0 | scalar >> 18))
        out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    }
}

/// Parses ASCII decimal digits (1...18 of them, so no overflow) into a non-negative integer.
func parseDigits(_ bytes: UnsafeRawBufferPointer) -> Int64? {
    guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
    var v: Int64 = 0
    for b in bytes {
        guard JSONByte.isDigit(b) else { return nil }
        v = v * 10 + Int64(b - 0x30)
    }
    return v
}

/// A short, quoted, printable rendering of a value for messages (at most ~64 characters).
func quotedForMessage<C: Collection<UInt8>>(_ value: C) -> String {
    var bytes: [UInt8] = []
    var scalars = 0
    var truncated = false
    for b in value {
        if b & 0xC0 != 0x80 {
            if scalars == 64 { truncated = true; break }
            scalars += 1
        }
        bytes.append(b)
    }
    var out: [UInt8] = []
    appendJSONString(bytes, into: &out)
    var s = String(decoding: out, as: UTF8.self)
    if truncated { s.removeLast(); s += "…\"" }
    return s
}

/// `withUnsafeBytes` for bodies with typed throws (the stdlib's only rethrows `any Error`).
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(RowProblem) -> R) throws(RowProblem) -> R {
    var result: Result<R, RowProblem>?
    bytes.withUnsafeBytes { b in
        do throws(RowProblem) { result = .success(try body(b)) } catch { result = .failure(error) }
    }
    switch result {
    case .success(let r)?: return r
    case .failure(let e)?: throw e
    case nil: throw RowProblem("internal: value not read")
    }
}

@inline(__always) func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x41 + v - 10 }
