// Splitting buffers of contacts into rows (NDJSON lines, JSON array elements).

/// Each non-blank line → one verdict, rows numbered from firstRow. Returns the number of rows.
public func forEachNDJSONRow(_ buf: UnsafeRawBufferPointer, firstRow: Int, preparer: ContactPreparer,
                             _ emit: (RowVerdict) throws -> Void) rethrows -> Int {
    var count = 0
    var start = 0
    let n = buf.count
    var i = 0
    while i <= n {
        if i == n || buf[i] == 0x0A {
            var end = i
            if end > start && buf[end - 1] == 0x0D { end -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: buf[start..<end])
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                try emit(preparer.prepare(json: line, row: firstRow + count))
                count += 1
            }
            start = i + 1
        }
        i += 1
    }
    return count
}

/// The buffer must be one JSON array (else YespoError .invalidInput with the byte offset, and no row
/// is emitted); each element → one verdict.
public func forEachJSONArrayRow(_ buf: UnsafeRawBufferPointer, firstRow: Int, preparer: ContactPreparer,
                                _ emit: (RowVerdict) throws -> Void) throws -> Int {
    throw YespoError(.invalidInput, "JSON array input is not implemented yet")
}
