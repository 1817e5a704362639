// Writes JSON text straight into a byte buffer: reports, progress, request bodies of single calls.
// No DOM, no Foundation; strings are escaped per RFC 8259 and invalid UTF-8 is repaired so the
// output is always valid JSON.

struct JSONOutput {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func raw(_ b: ArraySlice<UInt8>) { bytes.append(contentsOf: b) }
    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func int(_ v: Int) { appendDecimal(Int64(v)) }
    mutating func int(_ v: Int64) { appendDecimal(v) }

    mutating func bool(_ v: Bool) { v ? raw("true") : raw("false") }
    mutating func null() { raw("null") }

    mutating func string(_ s: String) {
        var copy = s
        copy.withUTF8 { escaped($0) }
    }

    mutating func string(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    mutating func int(_ v: Int64?) {
        if let v { appendDecimal(v) } else { null() }
    }

    /// Writes `"key":` — keys are static and need no escaping.
    mutating func key(_ k: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(k)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Escapes arbitrary bytes as a JSON string, replacing invalid UTF-8 with U+FFFD.
    mutating func stringFromBytes(_ b: [UInt8]) {
        if validUTF8(b) {
            b.withUnsafeBufferPointer { escaped($0) }
        } else {
            string(String(decoding: b, as: UTF8.self))
        }
    }

    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            switch c {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(c >> 4)])
                bytes.append(hex[Int(c & 0xF)])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendDecimal(_ v: Int64) {
        if v == 0 { bytes.append(UInt8(ascii: "0")); return }
        var magnitude = v.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while magnitude > 0 {
                buf[n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            }
            if v < 0 { bytes.append(UInt8(ascii: "-")) }
            while n > 0 { n -= 1; bytes.append(buf[n]) }
        }
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
