// The one redactor: every text that leaves the library (log lines, error messages, report
// reasons) and every line the CLI prints passes through it. It masks the API key and its
// Basic-auth form (Base64 of ":" + key, as it travels in the Authorization header). The engine
// never puts either into a message on purpose; this catches a server that echoes one back.
//
// Bytes, not Characters: String.contains misses the key when the text puts a combining mark right
// after it ("key\u{301}" ends in a different Character), and would let it through.

public struct SecretRedactor: Sendable {
    public static let mask = "[redacted]"
    private let needles: [[UInt8]]

    /// A key shorter than 4 bytes is not masked: it would mask ordinary text and hide nothing.
    public init(secret: String?) {
        guard let secret, secret.utf8.count >= 4 else {
            needles = []
            return
        }
        needles = [Array(secret.utf8), Array(base64Encode(Array((":" + secret).utf8)).utf8)]
    }

    public var isEmpty: Bool { needles.isEmpty }

    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let out = redact(bytes)
        return out.count == bytes.count && out == bytes ? text : String(decoding: out, as: UTF8.self)
    }

    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        var current = bytes
        for needle in needles { current = Self.replacing(needle, in: current) }
        return current
    }

    private static func replacing(_ needle: [UInt8], in hay: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, hay.count >= needle.count else { return hay }
        let first = needle[0]
        var out: [UInt8] = []
        var copied = 0
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first && hay[i..<i + needle.count].elementsEqual(needle) {
                if out.isEmpty { out.reserveCapacity(hay.count) }
                out.append(contentsOf: hay[copied..<i])
                out.append(contentsOf: mask.utf8)
                i += needle.count
                copied = i
            } else {
                i += 1
            }
        }
        if copied == 0 { return hay }
        out.append(contentsOf: hay[copied...])
        return out
    }
}
