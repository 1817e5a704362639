// Splitting one CSV record (RFC 4180) into cells: quoted cells may hold the delimiter, newlines
// and doubled quotes (""), an unquoted cell runs to the next delimiter.
import Glibc

struct CSVCell {
    /// The cell's content range inside the record (without the surrounding quotes).
    var start: Int
    var end: Int
    /// A quoted cell with "" inside: its value is the content with each "" made one quote.
    var hasDoubledQuotes: Bool
}

/// Parses `record` (no line terminator) into `cells`; returns a problem or nil.
func parseCSVRecord(_ record: UnsafeRawBufferPointer, delimiter: UInt8, into cells: inout [CSVCell]) -> String? {
    cells.removeAll(keepingCapacity: true)
    let n = record.count
    guard let base = record.baseAddress else {
        cells.append(CSVCell(start: 0, end: 0, hasDoubledQuotes: false))
        return nil
    }
    var i = 0
    while true {
        if i < n && record[i] == JSONByte.quote {
            i += 1
            let start = i
            var doubled = false
            while true {
                guard i < n else { return "column \(cells.count + 1): a quoted cell is not closed" }
                if record[i] == JSONByte.quote {
                    if i + 1 < n && record[i + 1] == JSONByte.quote { doubled = true; i += 2; continue }
                    break
                }
                i += 1
            }
            cells.append(CSVCell(start: start, end: i, hasDoubledQuotes: doubled))
            i += 1
            while i < n && (record[i] == 0x20 || record[i] == 0x09) { i += 1 }
            if i == n { return nil }
            guard record[i] == delimiter else {
                return "column \(cells.count): unexpected \(describeByte(record[i])) after the closing quote"
            }
            i += 1
        } else {
            let start = i
            i = nextByte(delimiter, base, from: i, to: n)
            cells.append(CSVCell(start: start, end: i, hasDoubledQuotes: false))
            if i == n { return nil }
            i += 1
        }
    }
}

/// The index of the first `b` in `p[from..<to]`, or `to`: eight bytes at a time (cells are short,
/// so this beats a memchr call).
@inline(__always) private func nextByte(_ b: UInt8, _ p: UnsafeRawPointer, from: Int, to n: Int) -> Int {
    var i = from
    while i &+ 8 <= n {
        let hits = swarBytesEqual(p.loadUnaligned(fromByteOffset: i, as: UInt64.self), b)
        if hits != 0 { return i &+ hits.trailingZeroBitCount &>> 3 }
        i &+= 8
    }
    while i < n {
        if p.load(fromByteOffset: i, as: UInt8.self) == b { return i }
        i &+= 1
    }
    return n
}

/// The value bytes of a cell ("" → ") appended to `out`.
func appendCSVCellValue(_ record: UnsafeRawBufferPointer, _ cell: CSVCell, into out: inout [UInt8]) {
    let content = UnsafeRawBufferPointer(rebasing: record[cell.start..<cell.end])
    guard cell.hasDoubledQuotes else { out.append(contentsOf: content); return }
    var k = 0
    while k < content.count {
        out.append(content[k])
        k += content[k] == JSONByte.quote ? 2 : 1
    }
}
