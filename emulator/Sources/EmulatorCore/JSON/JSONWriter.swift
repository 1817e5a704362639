// Serialises JSONValue and builds response bodies directly into a byte buffer, so that large
// answers (an import mapping of 3000 entries, the NDJSON dump) cost one pass and no DOM.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public mutating func string(_ s: String) {
        bytes.append(0x22)
        for c in s.utf8 {
            switch c {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: bytes.append(c)
            }
        }
        bytes.append(0x22)
    }

    public mutating func int(_ i: Int64) { bytes.append(contentsOf: String(i).utf8) }
    public mutating func int(_ i: Int) { bytes.append(contentsOf: String(i).utf8) }

    public mutating func double(_ d: Double) {
        if d.isFinite, d.rounded() == d, abs(d) < 1e15 { int(Int64(d)) } else if d.isFinite {
            bytes.append(contentsOf: "\(d)".utf8)
        } else {
            raw("null")
        }
    }

    public mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }

    /// `"key":` — callers write separators themselves; `ObjectWriter` does it for them.
    public mutating func key(_ k: String) { string(k); bytes.append(UInt8(ascii: ":")) }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (i, (k, item)) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                key(k)
                value(item)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public static func encode(_ v: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.value(v)
        return w.bytes
    }
}

extension JSONValue {
    public var jsonText: String { String(decoding: JSONWriter.encode(self), as: UTF8.self) }
}
