// Writes JSON text straight into a byte buffer: reports, progress, request bodies of single calls,
// JSONValue. No DOM, no Foundation; strings go through the one escaper (appendJSONString, RFC 8259)
// and invalid UTF-8 is repaired so the output is always valid JSON.

struct JSONOutput {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func raw(_ b: ArraySlice<UInt8>) { bytes.append(contentsOf: b) }

    mutating func int(_ v: Int) { signedDecimal(Int64(v)) }
    mutating func int(_ v: Int64) { signedDecimal(v) }

    /// Integral values as integers, others in Swift's shortest round-trip form; never NaN/inf
    /// (JSON has no spelling for them: null).
    mutating func number(_ v: Double) {
        if !v.isFinite { null() } else if v.rounded() == v && abs(v) < 9.0e15 { int(Int64(v)) } else { raw(Array("\(v)".utf8)) }
    }

    mutating func bool(_ v: Bool) { v ? raw("true") : raw("false") }
    mutating func null() { raw("null") }

    mutating func string(_ s: String) {
        var copy = s
        copy.withUTF8 { appendJSONString($0, into: &bytes) }
    }

    mutating func string(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    mutating func int(_ v: Int64?) {
        if let v { signedDecimal(v) } else { null() }
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
            appendJSONString(b, into: &bytes)
        } else {
            string(String(decoding: b, as: UTF8.self))
        }
    }

    private mutating func signedDecimal(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(v, into: &bytes)
    }
}
