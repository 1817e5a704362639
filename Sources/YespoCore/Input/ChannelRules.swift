// The client-side rules for channel values (contracts §3): how an email and a phone number are
// normalised and when they are refused. The server applies the same rules, so a row refused here
// would only have come back in `failedContacts`.
import Glibc

enum ChannelType: Int, CaseIterable {
    case email = 0, sms, mobilepush, webpush, viber

    var name: StaticString {
        switch self {
        case .email: return "email"
        case .sms: return "sms"
        case .mobilepush: return "mobilepush"
        case .webpush: return "webpush"
        case .viber: return "viber"
        }
    }

    static let allNames = "email, sms, mobilepush, webpush, viber"

    /// Case-insensitive (ASCII) match of a type value.
    init?(bytes: UnsafeRawBufferPointer) {
        var lower: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let n = bytes.count
        guard n >= 3 && n <= 10 else { return nil }
        let found: ChannelType? = withUnsafeMutableBytes(of: &lower) { l in
            for k in 0..<n { l[k] = asciiLower(bytes[k]) }
            let word = UnsafeRawBufferPointer(rebasing: l[0..<n])
            for t in ChannelType.allCases where bytesEqual(word, t.name) { return t }
            return nil
        }
        guard let found else { return nil }
        self = found
    }
}

enum ChannelRules {
    static let maxEmailLength = 254
    static let maxEmailLocalPart = 64
    static let phoneDigits = 7...15

    /// Appends the normalised email (trimmed, lower-cased) as a JSON string, or throws the reason.
    /// The appended content never needs escaping (such characters are refused).
    static func appendEmail(_ value: UnsafeRawBufferPointer, path: () -> String,
                            into out: inout ByteWriter) throws(RowProblem) {
        let trimmed = trimASCIIWhitespace(value)
        // The common case in one pass: ASCII, lower-cased while copied and checked at once.
        switch appendASCIIEmail(trimmed, into: &out) {
        case .valid: return
        case .invalid: throw RowProblem("\(path()): \(quotedForMessage(value)) is not a valid email")
        case .notASCII: break
        }
        let start = out.count
        out.append(JSONByte.quote)
        out.append(contentsOf: trimmed)
        var ascii = true
        out.mutateBytes(from: start + 1) { b in
            for k in 0..<b.count {
                let c = b[k]
                if c >= 0x80 { ascii = false }
                b[k] = asciiLower(c)
            }
        }
        if !ascii {
            // Rare: lower-case the non-ASCII letters too (stdlib, no Foundation).
            let lowered = String(decoding: trimmed, as: UTF8.self).lowercased()
            out.truncate(to: start + 1)
            var l = lowered
            l.withUTF8 { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
        }
        guard isValidEmail(out.bytes((start + 1)..<out.count)) else {
            throw RowProblem("\(path()): \(quotedForMessage(value)) is not a valid email")
        }
        out.append(JSONByte.quote)
    }

    private enum FastEmail { case valid, invalid, notASCII }

    /// appendEmail for ASCII text in one pass over the bytes, with the rules of isValidEmail.
    /// Appends nothing unless the email is valid; `.notASCII` leaves the work to the general path.
    private static func appendASCIIEmail(_ e: UnsafeRawBufferPointer, into out: inout ByteWriter) -> FastEmail {
        let n = e.count
        guard n > 0, let src = e.baseAddress else { return .invalid }
        out.reserveAdditional(n + 2)
        let dst = out.tail
        var at = -1
        var labels = 0
        var labelLength = 0
        for k in 0..<n {
            let b = src.load(fromByteOffset: k, as: UInt8.self)
            if b >= 0x80 { return .notASCII }
            dst[k + 1] = asciiLower(b)
            // One bit test rejects every byte no email may hold; '@' and '.' are the only others
            // that matter.
            let refused = b < 64 ? (emailRefusedLow >> UInt64(b)) & 1 : (emailRefusedHigh >> UInt64(b &- 64)) & 1
            if refused != 0 { return .invalid }
            if b == 0x40 {
                if at >= 0 { return .invalid }
                at = k
                labelLength = 0
            } else if b == JSONByte.dot && at >= 0 {
                if labelLength == 0 { return .invalid }
                labels &+= 1
                labelLength = 0
            } else {
                labelLength &+= 1
            }
        }
        guard n <= maxEmailLength, at > 0, at <= maxEmailLocalPart, at < n - 1, labelLength > 0, labels >= 1 else {
            return .invalid
        }
        dst[0] = JSONByte.quote
        dst[n + 1] = JSONByte.quote
        out.commit(n + 2)
        return .valid
    }

    /// Bytes no email may hold, as bit masks over 0..<64 and 64..<128: space and controls, DEL,
    /// and `"(),:;<>[\]` (the rules of isValidEmail).
    /// (0...0x20 and 0x22 0x28 0x29 0x2C 0x3A 0x3B 0x3C 0x3E; 0x5B 0x5C 0x5D 0x7F. A test checks
    /// the masks against isValidEmail byte by byte.)
    static let emailRefusedLow: UInt64 = 0x5C00_1305_FFFF_FFFF
    static let emailRefusedHigh: UInt64 = 0x8000_0000_3800_0000

    /// `local@domain.tld`: one '@', a non-empty local part of at most 64 bytes, a domain of
    /// non-empty dot-separated labels (at least two), at most 254 characters, no spaces, control
    /// characters or the characters `"(),:;<>[\]`.
    static func isValidEmail(_ e: UnsafeRawBufferPointer) -> Bool {
        guard countScalars(e) <= maxEmailLength else { return false }
        var at = -1
        for (k, b) in e.enumerated() {
            switch b {
            case 0x40:
                if at >= 0 { return false }
                at = k
            case 0...0x20, 0x7F, JSONByte.quote, 0x28, 0x29, 0x2C, 0x3A, 0x3B, 0x3C, 0x3E, 0x5B, 0x5C, 0x5D:
                return false
            default: break
            }
        }
        guard at > 0, at <= maxEmailLocalPart, at < e.count - 1 else { return false }
        var labels = 0
        var labelLength = 0
        for b in e[(at + 1)...] {
            if b == JSONByte.dot {
                if labelLength == 0 { return false }
                labels += 1
                labelLength = 0
            } else {
                labelLength += 1
            }
        }
        return labelLength > 0 && labels >= 1
    }

    /// Appends the phone digits as a JSON string, or throws the reason.
    static func appendPhone(_ value: UnsafeRawBufferPointer, path: () -> String,
                            into out: inout ByteWriter) throws(RowProblem) {
        let trimmed = trimASCIIWhitespace(value)
        let start = out.count
        out.append(JSONByte.quote)
        var ok = true
        for (k, b) in trimmed.enumerated() {
            switch b {
            case 0x30...0x39: out.append(b)
            case 0x20, JSONByte.minus, 0x28, 0x29, JSONByte.dot: continue
            case JSONByte.plus where k == 0: continue
            default: ok = false
            }
            if !ok { break }
        }
        let digits = out.count - start - 1
        guard ok, phoneDigits.contains(digits) else {
            throw RowProblem("\(path()): \(quotedForMessage(value)) is not a valid phone number "
                + "(7 to 15 digits after removing spaces, '-', '(', ')', '.' and a leading '+')")
        }
        out.append(JSONByte.quote)
    }
}

@inline(__always) func asciiLower(_ b: UInt8) -> UInt8 {
    b &- 0x41 < 26 ? b | 0x20 : b
}

@inline(__always) func trimASCIIWhitespace(_ v: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    guard let p = v.baseAddress else { return v }
    var lo = 0
    var hi = v.count
    while lo < hi && JSONByte.isWhitespace(p.load(fromByteOffset: lo, as: UInt8.self)) { lo += 1 }
    while hi > lo && JSONByte.isWhitespace(p.load(fromByteOffset: hi - 1, as: UInt8.self)) { hi -= 1 }
    return UnsafeRawBufferPointer(start: p + lo, count: hi - lo)
}

@inline(__always) func bytesEqual(_ a: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard a.count == n else { return false }
    guard n > 0, let p = a.baseAddress else { return true }
    return memcmp(p, s.utf8Start, n) == 0
}

