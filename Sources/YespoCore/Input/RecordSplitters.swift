// Finding where one record of a streamed file ends: an NDJSON line, a CSV record (newlines inside
// quotes belong to the cell), or one element of a JSON array. Each splitter keeps its state between
// calls, so a record may arrive over several reads without being scanned twice.
import Glibc

enum SplitStep {
    /// The record is `bytes[start..<end]`; scanning continues at `next`.
    case record(end: Int, next: Int)
    /// Every byte up to the window's end was scanned; read more.
    case needMore
    case endOfInput
}

/// Where a split runs: the window's bytes and the scan position (both may move forward).
struct SplitInput {
    let p: UnsafePointer<UInt8>
    var start: Int
    var scan: Int
    let end: Int
    let eof: Bool
}

struct NDJSONSplitter {
    mutating func step(_ s: inout SplitInput) -> SplitStep {
        if s.scan < s.end, let nl = memchr(s.p + s.scan, 0x0A, s.end - s.scan) {
            let at = s.p.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            s.scan = at + 1
            return .record(end: at, next: at + 1)
        }
        s.scan = s.end
        guard s.eof else { return .needMore }
        return s.start < s.end ? .record(end: s.end, next: s.end) : .endOfInput
    }
}

struct CSVSplitter {
    private var inQuotes = false

    mutating func step(_ s: inout SplitInput) -> SplitStep {
        let p = s.p
        var i = s.scan
        while i < s.end {
            // Eight bytes at a time to the next quote or newline.
            while i &+ 8 <= s.end {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let hits = swarBytesEqual(w, JSONByte.quote) | swarBytesEqual(w, 0x0A)
                if hits != 0 { i &+= hits.trailingZeroBitCount &>> 3; break }
                i &+= 8
            }
            guard i < s.end else { break }
            let b = p[i]
            if b == JSONByte.quote {
                inQuotes.toggle()
            } else if b == 0x0A && !inQuotes {
                s.scan = i + 1
                return .record(end: i, next: i + 1)
            }
            i += 1
        }
        s.scan = s.end
        guard s.eof else { return .needMore }
        inQuotes = false
        return s.start < s.end ? .record(end: s.end, next: s.end) : .endOfInput
    }
}


/// Streams the elements of one JSON array. Only the structure between elements is checked here
/// (brackets, commas); an element's own syntax is the row's business (ContactPreparer), so one
/// broken element spoils one row. A broken structure is an error with its file offset.
struct JSONArraySplitter {
    private enum Phase { case expectOpen, expectFirstOrClose, expectElement, inElement, expectCommaOrClose, done }
    private var phase = Phase.expectOpen
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var scalar = false
    let name: String

    init(name: String) { self.name = name }

    private func failure(_ what: String, at offset: Int64) -> YespoError {
        YespoError(.invalidInput, "\(name): not a JSON array of contacts: \(what) at byte \(offset)")
    }

    mutating func step(_ s: inout SplitInput, fileOffset: Int64) throws(YespoError) -> SplitStep {
        let p = s.p
        while s.scan < s.end {
            let b = p[s.scan]
            if phase == .inElement {
                if inString {
                    if escaped { escaped = false } else if b == JSONByte.backslash { escaped = true } else if b == JSONByte.quote {
                        inString = false
                        if depth == 0 { return finishElement(&s, at: s.scan + 1) }
                    }
                } else if scalar {
                    if JSONByte.isWhitespace(b) || b == JSONByte.comma || b == JSONByte.closeBracket {
                        return finishElement(&s, at: s.scan)
                    }
                } else {
                    switch b {
                    case JSONByte.quote: inString = true
                    case JSONByte.openBrace, JSONByte.openBracket: depth += 1
                    case JSONByte.closeBrace, JSONByte.closeBracket:
                        depth -= 1
                        if depth == 0 { return finishElement(&s, at: s.scan + 1) }
                    default: break
                    }
                }
                s.scan += 1
                continue
            }
            if !JSONByte.isWhitespace(b) {
                let at = fileOffset + Int64(s.scan)
                switch phase {
                case .expectOpen:
                    guard b == JSONByte.openBracket else { throw failure("expected '[', found \(describeByte(b))", at: at) }
                    phase = .expectFirstOrClose
                case .expectFirstOrClose where b == JSONByte.closeBracket:
                    phase = .done
                case .expectFirstOrClose, .expectElement:
                    guard b != JSONByte.comma && b != JSONByte.closeBracket else {
                        throw failure("expected an element, found \(describeByte(b))", at: at)
                    }
                    s.start = s.scan
                    phase = .inElement
                    depth = (b == JSONByte.openBrace || b == JSONByte.openBracket) ? 1 : 0
                    inString = b == JSONByte.quote
                    escaped = false
                    scalar = depth == 0 && !inString
                    s.scan += 1
                    continue
                case .expectCommaOrClose:
                    if b == JSONByte.comma { phase = .expectElement } else if b == JSONByte.closeBracket { phase = .done } else {
                        throw failure("expected ',' or ']' after an element, found \(describeByte(b))", at: at)
                    }
                case .done:
                    throw failure("unexpected \(describeByte(b)) after the end of the array", at: at)
                case .inElement:
                    break
                }
            }
            s.scan += 1
            s.start = s.scan  // bytes between elements are not part of any row
        }
        guard s.eof else { return .needMore }
        let at = fileOffset + Int64(s.end)
        switch phase {
        case .inElement where scalar: return finishElement(&s, at: s.end)
        case .inElement: throw failure("the input ends inside an element", at: at)
        case .done: return .endOfInput
        case .expectOpen: throw failure("expected '[', found the end of the input", at: at)
        default: throw failure("the array is not closed", at: at)
        }
    }

    private mutating func finishElement(_ s: inout SplitInput, at end: Int) -> SplitStep {
        phase = .expectCommaOrClose
        s.scan = end
        return .record(end: end, next: end)
    }
}
