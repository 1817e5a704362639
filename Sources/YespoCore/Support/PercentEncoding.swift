// Percent-encoding for ids and values put into request paths and queries (the job's import
// polls and the client's single calls both use it).

/// Percent-encodes everything but RFC 3986 unreserved characters (ids and values in paths/queries).
func percentEncodedPathSegment(_ text: String) -> String {
    var out = ""
    let hex = Array("0123456789ABCDEF".unicodeScalars)
    for byte in text.utf8 {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            out.unicodeScalars.append("%")
            out.unicodeScalars.append(hex[Int(byte >> 4)])
            out.unicodeScalars.append(hex[Int(byte & 0xF)])
        }
    }
    return out
}
