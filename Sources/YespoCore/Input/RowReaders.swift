// Splitting an in-memory buffer of contacts into rows: NDJSON lines, or the elements of one JSON
// array (whose structure is checked before any row is emitted).
import Glibc

/// Each non-blank line → one verdict, rows numbered from firstRow. Returns the number of rows.
public func forEachNDJSONRow(_ buf: UnsafeRawBufferPointer, firstRow: Int, preparer: ContactPreparer,
                             _ emit: (RowVerdict) throws -> Void) rethrows -> Int {
    var buffers = PrepareBuffers()
    defer { buffers.free() }
    var capture = VerdictCapture()
    return try forEachNDJSONLine(buf) { line, k in
        preparer.prepareInPlace(json: line, row: firstRow + k, buffers: &buffers, into: &capture)
        try emit(capture.take(row: firstRow + k))
    }
}

/// The same, handing rows to `sink` in place.
func forEachNDJSONRow<P: RowPreparer, S: RowSink>(_ buf: UnsafeRawBufferPointer, firstRow: Int, preparer: P,
                                                  into sink: inout S) throws -> Int {
    var buffers = PrepareBuffers()
    defer { buffers.free() }
    return try forEachNDJSONLine(buf) { line, k in
        try preparer.prepareInPlace(json: line, row: firstRow + k, buffers: &buffers, into: &sink)
    }
}

/// Calls `body` with each non-blank line (CR dropped) and its 0-based index; returns the count.
private func forEachNDJSONLine(_ buf: UnsafeRawBufferPointer,
                               _ body: (UnsafeRawBufferPointer, Int) throws -> Void) rethrows -> Int {
    guard let base = buf.baseAddress, buf.count > 0 else { return 0 }
    var count = 0
    var start = hasUTF8BOM(buf) ? 3 : 0
    let n = buf.count
    while start < n {
        let end: Int
        if let nl = memchr(base + start, 0x0A, n - start) {
            end = base.distance(to: UnsafeRawPointer(nl))
        } else {
            end = n
        }
        let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
        if !isBlankLine(line) {
            try body(trimmedLine(line), count)
            count += 1
        }
        start = end + 1
    }
    return count
}

/// The buffer must be one JSON array (else YespoError .invalidInput with the byte offset, and no row
/// is emitted); each element → one verdict.
public func forEachJSONArrayRow(_ buf: UnsafeRawBufferPointer, firstRow: Int, preparer: ContactPreparer,
                                _ emit: (RowVerdict) throws -> Void) throws -> Int {
    try withoutActuallyEscaping(emit) { emit in
        var sink = VerdictSink(emit: emit)
        return try forEachJSONArrayRow(buf, firstRow: firstRow, preparer: preparer, into: &sink)
    }
}

/// The same, handing rows to `sink` in place.
func forEachJSONArrayRow<P: RowPreparer, S: RowSink>(_ buf: UnsafeRawBufferPointer, firstRow: Int, preparer: P,
                                                     into sink: inout S) throws -> Int {
    let elements: [Range<Int>]
    do throws(RowProblem) {
        elements = try jsonArrayElements(buf)
    } catch {
        throw YespoError(.invalidInput, "not a JSON array of contacts: \(error.message)")
    }
    guard let base = buf.baseAddress else { return 0 }
    var buffers = PrepareBuffers()
    defer { buffers.free() }
    for (k, r) in elements.enumerated() {
        try preparer.prepareInPlace(json: UnsafeRawBufferPointer(start: base + r.lowerBound, count: r.count),
                                    row: firstRow + k, buffers: &buffers, into: &sink)
    }
    return elements.count
}

/// The byte ranges of the elements of the JSON array that makes up the whole buffer. The syntax
/// is checked strictly except inside strings (bad UTF-8 or escapes there only spoil that row).
func jsonArrayElements(_ buf: UnsafeRawBufferPointer) throws(RowProblem) -> [Range<Int>] {
    guard var c = JSONCursor(buf) else { throw RowProblem("the input is empty") }
    if hasUTF8BOM(buf) { c.i = 3 }
    c.skipWhitespace()
    guard c.current == JSONByte.openBracket else {
        throw c.problem("expected '[' (a JSON array), got \(c.valueKindHere)")
    }
    c.i += 1
    var elements: [Range<Int>] = []
    c.skipWhitespace()
    if c.current == JSONByte.closeBracket {
        c.i += 1
    } else {
        while true {
            c.skipWhitespace()
            let start = c.i
            try c.skipValueStructurally(depth: 1)
            elements.append(start..<c.i)
            c.skipWhitespace()
            if c.current == JSONByte.comma { c.i += 1; continue }
            try c.expect(JSONByte.closeBracket, "expected ',' or ']' after an array element")
            break
        }
    }
    c.skipWhitespace()
    guard c.atEnd else { throw c.problem("unexpected data after the array") }
    return elements
}

func hasUTF8BOM(_ buf: UnsafeRawBufferPointer) -> Bool {
    buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF
}

func isBlankLine(_ line: UnsafeRawBufferPointer) -> Bool {
    for b in line where !JSONByte.isWhitespace(b) { return false }
    return true
}

/// Drops a trailing '\r' (CRLF line ends).
func trimmedLine(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    if let last = line.last, last == 0x0D { return UnsafeRawBufferPointer(rebasing: line.dropLast()) }
    return line
}

extension JSONCursor {
    /// Skips one value checking its syntax; strings are only delimited, not validated.
    mutating func skipValueStructurally(depth: Int) throws(RowProblem) {
        switch current {
        case JSONByte.quote:
            try skipStringLoosely()
        case JSONByte.openBrace, JSONByte.openBracket:
            guard depth <= maxJSONDepth else { throw problem("nesting deeper than \(maxJSONDepth) levels") }
            let isObject = current == JSONByte.openBrace
            let close = isObject ? JSONByte.closeBrace : JSONByte.closeBracket
            i += 1
            skipWhitespace()
            if current == close { i += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    guard current == JSONByte.quote else { throw problem("expected a string key") }
                    try skipStringLoosely()
                    skipWhitespace()
                    try expect(JSONByte.colon, "expected ':' after an object key")
                    skipWhitespace()
                }
                try skipValueStructurally(depth: depth + 1)
                skipWhitespace()
                if current == JSONByte.comma { i += 1; continue }
                try expect(close, isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                return
            }
        case 0x74, 0x66, 0x6E:
            try scanLiteral()
        case JSONByte.minus, 0x30...0x39:
            _ = try scanNumber()
        default:
            if atEnd { throw problem("a value is missing") }
            throw problem("unexpected \(describeByte(current))")
        }
    }

    /// Finds the closing quote, stepping over backslash escapes.
    mutating func skipStringLoosely() throws(RowProblem) {
        let start = i
        i += 1
        while i < count {
            // Eight bytes at a time to the next quote or backslash (most of an array's bytes are
            // inside strings).
            while i &+ 8 <= count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let hits = swarBytesEqual(w, JSONByte.quote) | swarBytesEqual(w, JSONByte.backslash)
                if hits != 0 { i &+= hits.trailingZeroBitCount &>> 3; break }
                i &+= 8
            }
            guard i < count else { break }
            let b = base[i]
            if b == JSONByte.quote { i += 1; return }
            i += b == JSONByte.backslash ? 2 : 1
        }
        throw problem("unterminated string", at: start)
    }
}
