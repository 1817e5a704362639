// Input files that are not UTF-8, converted to UTF-8 while streaming (ByteWindow calls this on
// every read), so the rest of the input stage only ever sees UTF-8: UTF-16 (Excel's "Unicode
// text", found by its byte order mark) and the single-byte code pages spreadsheets still write
// (windows-1251 for Cyrillic, windows-1252 / ISO-8859-1 for Western European).

/// A text encoding an input file may be in (`FileOptions.encoding`, CLI `--encoding`).
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1251 = "windows-1251"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"

    /// Accepts the usual spellings: "UTF8", "cp1251", "win-1251", "latin-1", "latin1", "ISO_8859-1",
    /// "cp1252", and "utf-16" (little-endian unless a byte order mark says otherwise).
    public static func named(_ text: String) -> TextEncoding? {
        let key = String(text.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != " " }.map(Character.init))
        switch key {
        case "utf8": return .utf8
        case "utf16", "utf16le", "unicode", "ucs2", "ucs2le": return .utf16LE
        case "utf16be", "ucs2be": return .utf16BE
        case "windows1251", "cp1251", "win1251", "1251": return .windows1251
        case "windows1252", "cp1252", "win1252", "1252": return .windows1252
        case "iso88591", "latin1", "l1", "iso8859": return .latin1
        default: return nil
        }
    }

    /// The spellings shown in messages and help.
    public static let acceptedNames = "utf-8, utf-16 (utf-16le, utf-16be), windows-1251 (cp1251), windows-1252 (cp1252), latin-1 (iso-8859-1)"

    /// The name iconv knows it by, for the conversion command a message suggests.
    var iconvName: String {
        switch self {
        case .utf8: return "UTF-8"
        case .utf16LE: return "UTF-16LE"
        case .utf16BE: return "UTF-16BE"
        case .windows1251: return "WINDOWS-1251"
        case .windows1252: return "WINDOWS-1252"
        case .latin1: return "ISO-8859-1"
        }
    }
}

/// Converts a stream of bytes in one encoding to UTF-8, a read at a time. A code unit split across
/// two reads is carried over; what cannot be decoded (a lone surrogate, an odd last byte) becomes
/// U+FFFD, so a bad spot spoils one cell, never the stream.
struct TextTranscoder {
    let encoding: TextEncoding
    /// Bytes of an incomplete UTF-16 code unit or surrogate pair (at most 3).
    private var carry: [UInt8] = []

    init(_ encoding: TextEncoding) { self.encoding = encoding }

    /// The most UTF-8 bytes one input byte can become (plus the carry), to size the output.
    static let maxGrowth = 3

    /// Converts `input` into `out` (room for `maxGrowth * input.count + 4` bytes); returns the
    /// bytes written. With `final`, a leftover partial code unit becomes U+FFFD.
    mutating func convert(_ input: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>, final: Bool) -> Int {
        switch encoding {
        case .utf8:
            if let base = input.baseAddress, input.count > 0 { out.update(from: base.assumingMemoryBound(to: UInt8.self), count: input.count) }
            return input.count
        case .windows1251, .windows1252, .latin1:
            let table: [UInt16]? = encoding == .windows1251 ? windows1251High : encoding == .windows1252 ? windows1252High : nil
            var n = 0
            for b in input {
                if b < 0x80 { out[n] = b; n += 1; continue }
                n += writeUTF8(UInt32(table?[Int(b) - 0x80] ?? UInt16(b)), out + n)
            }
            return n
        case .utf16LE, .utf16BE:
            return convertUTF16(input, into: out, final: final, littleEndian: encoding == .utf16LE)
        }
    }

    private mutating func convertUTF16(_ input: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>, final: Bool,
                                       littleEndian: Bool) -> Int {
        var n = 0
        var bytes = carry
        bytes.append(contentsOf: input)
        carry.removeAll(keepingCapacity: true)
        var i = 0
        func unit(_ k: Int) -> UInt32 {
            littleEndian ? UInt32(bytes[k]) | UInt32(bytes[k + 1]) << 8 : UInt32(bytes[k]) << 8 | UInt32(bytes[k + 1])
        }
        while i + 1 < bytes.count {
            let u = unit(i)
            if u >= 0xD800 && u <= 0xDBFF {
                guard i + 3 < bytes.count else { break }  // the low half is in the next read
                let low = unit(i + 2)
                if low >= 0xDC00 && low <= 0xDFFF {
                    n += writeUTF8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), out + n)
                    i += 4
                } else {
                    n += writeUTF8(0xFFFD, out + n)
                    i += 2
                }
            } else if u >= 0xDC00 && u <= 0xDFFF {
                n += writeUTF8(0xFFFD, out + n)
                i += 2
            } else {
                n += writeUTF8(u, out + n)
                i += 2
            }
        }
        if i < bytes.count {
            if final {
                n += writeUTF8(0xFFFD, out + n)
            } else {
                carry.append(contentsOf: bytes[i...])
            }
        }
        return n
    }
}

/// Writes one scalar as UTF-8; returns its length.
private func writeUTF8(_ v: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
    switch v {
    case 0..<0x80:
        out[0] = UInt8(v)
        return 1
    case 0x80..<0x800:
        out[0] = UInt8(0xC0 | (v >> 6)); out[1] = UInt8(0x80 | (v & 0x3F))
        return 2
    case 0x800..<0x10000:
        out[0] = UInt8(0xE0 | (v >> 12)); out[1] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[2] = UInt8(0x80 | (v & 0x3F))
        return 3
    default:
        out[0] = UInt8(0xF0 | (v >> 18)); out[1] = UInt8(0x80 | ((v >> 12) & 0x3F))
        out[2] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[3] = UInt8(0x80 | (v & 0x3F))
        return 4
    }
}

/// Where a file's byte order mark says its text is: the encoding and the mark's length.
func byteOrderMark(_ bytes: UnsafeRawBufferPointer) -> (TextEncoding, Int)? {
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return (.utf8, 3) }
    if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE { return (.utf16LE, 2) }
    if bytes.count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF { return (.utf16BE, 2) }
    return nil
}

/// UTF-16 without a byte order mark: many NUL bytes, all at even (BE) or all at odd (LE) offsets
/// of the first bytes. Text in any 8-bit encoding has no NUL bytes at all.
func looksLikeBOMlessUTF16(_ bytes: UnsafeRawBufferPointer) -> TextEncoding? {
    let n = min(bytes.count, 512) & ~1
    guard n >= 8 else { return nil }
    var even = 0, odd = 0
    for i in 0..<n where bytes[i] == 0 { if i & 1 == 0 { even += 1 } else { odd += 1 } }
    if odd >= n / 4 && even == 0 { return .utf16LE }
    if even >= n / 4 && odd == 0 { return .utf16BE }
    return nil
}

// 0x80...0xFF of the Windows code pages (bytes the code page leaves undefined map to the C1
// control of the same number, as browsers do).
private let windows1251High: [UInt16] = [
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
    0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
    0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x0098, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
    0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
    0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
    0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
    0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
    0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
    0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F,
    0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
    0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437,
    0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F,
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F,
]

private let windows1252High: [UInt16] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7,
    0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
    0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF,
    0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
    0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7,
    0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7,
    0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
    0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
    0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
]
