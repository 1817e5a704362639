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
        // The common spellings, as written: no lower-cased copy.
        switch bytes.count {
        case 5 where bytesEqual(bytes, "email"): self = .email; return
        case 3 where bytesEqual(bytes, "sms"): self = .sms; return
        default: break
        }
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
        let verdict = lowerASCIIEmail(src, n, out.tail + 1)
        guard verdict == .valid else { return verdict }
        out.tail[0] = JSONByte.quote
        out.tail[n + 1] = JSONByte.quote
        out.commit(n + 2)
        return .valid
    }

    /// The loop of appendASCIIEmail on plain pointers, eight bytes at a time: each word is checked
    /// for non-ASCII, lower-cased and stored in a few operations, and only its bytes that may
    /// matter (a superset of '@', '.' and the refused ones, found by SWAR range tests) are looked
    /// up one by one. Label lengths come from the positions of the separators.
    private static func lowerASCIIEmail(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<UInt8>) -> FastEmail {
        let classes = emailByteClasses.utf8Start
        var at = -1          // the '@'
        var separator = -1   // the last '@' or domain '.'
        var labels = 0
        /// One byte that may matter, at index i: false when the email is refused.
        @inline(__always) func visit(_ i: Int, _ b: UInt8) -> Bool {
            switch classes[Int(b)] {
            case 0x30: return true
            case 0x31:
                if at >= 0 { return false }
                at = i
                separator = i
                return true
            case 0x32:
                guard at >= 0 else { return true }
                if i - separator == 1 { return false }   // an empty domain label
                labels &+= 1
                separator = i
                return true
            default: return false
            }
        }
        let high: UInt64 = 0x8080_8080_8080_8080
        var k = 0
        while k &+ 8 <= n {
            let w = src.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if w & high != 0 { return .notASCII }
            let upper = ((w &+ 0x3F3F_3F3F_3F3F_3F3F) ^ (w &+ 0x2525_2525_2525_2525)) & high
            UnsafeMutableRawPointer(dst + k).storeBytes(of: w | (upper &>> 2), as: UInt64.self)
            // Bytes <= 0x2E, 0x3A...0x40, 0x5B...0x5D, 0x7F: every byte whose class is not 0 is one.
            let low = ~(w &+ 0x5151_5151_5151_5151)
            let colonToAt = (w &+ 0x4646_4646_4646_4646) & ~(w &+ 0x3F3F_3F3F_3F3F_3F3F)
            let brackets = (w &+ 0x2525_2525_2525_2525) & ~(w &+ 0x2222_2222_2222_2222)
            var maybe = (low | colonToAt | brackets | (w &+ 0x0101_0101_0101_0101)) & high
            while maybe != 0 {
                let i = k &+ maybe.trailingZeroBitCount &>> 3
                if !visit(i, src.load(fromByteOffset: i, as: UInt8.self)) { return .invalid }
                maybe &= maybe &- 1
            }
            k &+= 8
        }
        while k < n {
            let b = src.load(fromByteOffset: k, as: UInt8.self)
            if b >= 0x80 { return .notASCII }
            dst[k] = asciiLower(b)
            if !visit(k, b) { return .invalid }
            k &+= 1
        }
        let lastLabel = n - separator - 1
        guard n <= maxEmailLength, at > 0, at <= maxEmailLocalPart, at < n - 1, lastLabel > 0, labels >= 1 else {
            return .invalid
        }
        return .valid
    }

    /// The class of each ASCII byte for appendASCIIEmail, one digit per byte: 0 ordinary, 1 '@',
    /// 2 '.', 3 a byte no email may hold (space and controls, DEL, `"(),:;<>[\]`: the rules of
    /// isValidEmail; a test checks the table against it byte by byte). Constant data, no lookup cost.
    static let emailByteClasses: StaticString =
        "33333333333333333333333333333333303000003300302000000000003330301000000000000000000000000003330000000000000000000000000000000003"

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
    let q = UnsafeRawPointer(s.utf8Start)
    // Keys and type names are short: two overlapping words instead of a memcmp call.
    if n >= 8 && n <= 16 {
        return p.loadUnaligned(as: UInt64.self) == q.loadUnaligned(as: UInt64.self)
            && p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == q.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n < 8 {
        for k in 0..<n where p.load(fromByteOffset: k, as: UInt8.self) != q.load(fromByteOffset: k, as: UInt8.self) { return false }
        return true
    }
    return memcmp(p, q, n) == 0
}

