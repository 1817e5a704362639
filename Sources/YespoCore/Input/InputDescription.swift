// How a file was read, once its head is known: format, encoding, delimiter (given or sniffed) and
// the resolved CSV column mapping. Every door shows it the same way: the CLI prints `summary`
// at the start, and the report keeps it (summary JSON "files", Report/InputDescription+JSON.swift).

public struct InputDescription: Sendable, Equatable {
    /// The path as given ("-" for standard input).
    public let file: String
    public let format: InputFormat
    /// "utf-8", "utf-8 (BOM)", "utf-16le (BOM)", "windows-1251", ...
    public let encoding: String
    /// CSV only: the delimiter byte, and whether it was sniffed from the header line.
    public let delimiter: UInt8?
    public let delimiterSniffed: Bool
    /// CSV only: every header cell, in order.
    public let columns: [CSVColumnReport]

    /// "','", "';'", "tab", "'|'".
    public var delimiterName: String? {
        guard let d = delimiter else { return nil }
        return d == 0x09 ? "tab" : "'\(String(decoding: [d], as: UTF8.self))'"
    }

    /// One line: `contacts.csv: csv, ';' (sniffed), utf-8 (BOM); First name → firstName, Email → email, Notes → not used`.
    public var summary: String {
        var head = "\(file == "-" ? "standard input" : file): \(format.rawValue)"
        if let name = delimiterName { head += ", delimiter \(name)\(delimiterSniffed ? " (sniffed)" : "")" }
        head += ", \(encoding)"
        guard !columns.isEmpty else { return head }
        let used = columns.filter { $0.field != nil }.map { "\($0.header) → \($0.field ?? "")" }
        let unused = columns.filter { $0.field == nil }.map { c in
            (c.header.isEmpty ? "column \(c.column)" : c.header) + (c.note.map { " (\($0))" } ?? "")
        }
        return head + "; columns: " + used.joined(separator: ", ")
            + (unused.isEmpty ? "" : "; not used: " + unused.joined(separator: ", "))
    }
}

/// The delimiter of a CSV header line: the most frequent of ',', ';', tab and '|' outside quotes
/// (',' on a tie or when none occurs: a one-column file).
func sniffDelimiter(_ line: UnsafeRawBufferPointer) -> UInt8 {
    let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
    var counts = [0, 0, 0, 0]
    var inQuotes = false
    for b in line {
        if b == JSONByte.quote { inQuotes.toggle(); continue }
        if inQuotes { continue }
        if let k = candidates.firstIndex(of: b) { counts[k] += 1 }
    }
    var best = 0
    for k in 1..<candidates.count where counts[k] > counts[best] { best = k }
    return candidates[best]
}
