// libFuzzer target over the input stage: arbitrary bytes go to forEachNDJSONRow,
// forEachJSONArrayRow and FileRowReader (CSV, NDJSON, JSON array; small buffers so that records
// straddle reads). Beyond "no crash" it checks what must always hold, and traps when it does not:
// - every ready row, prepared again, is ready with the same bytes and keys (output is valid, stable);
// - rows are numbered consecutively from firstRow;
// - the streaming file reader agrees with the in-memory readers on the same bytes.
// Orders and events (job kinds) go through the same file reader: no crash, rows numbered in order.
// Built by run.sh with swiftc -sanitize=fuzzer,address over Sources/YespoCore/Input and the
// shared files it uses; not part of Package.swift.
import Glibc

private func check(_ ok: Bool, _ what: @autoclosure () -> String) {
    if !ok {
        fputs("fuzz-input invariant broken: \(what())\n", stderr)
        abort()
    }
}

private struct Summary: Equatable {
    var row: Int
    var json: [UInt8]?
    var matchKey: String?
    var dedupeValue: String?
    var reason: String?

    init(_ v: RowVerdict) {
        switch v {
        case .ready(let r): row = r.row; json = r.json; matchKey = r.matchKey; dedupeValue = r.dedupeValue
        case .invalid(let n, let why, _): row = n; reason = why
        }
    }
}

private func checkVerdict(_ v: RowVerdict, expectedRow: inout Int, _ p: ContactPreparer) -> Summary {
    check(v.row == expectedRow, "row \(v.row) where \(expectedRow) was due")
    expectedRow += 1
    if case .ready(let r) = v, p.options.validate {
        let again = r.json.withUnsafeBytes { p.prepare(json: $0, row: r.row) }
        guard case .ready(let twice) = again else {
            check(false, "prepared output rejected when prepared again: \(String(decoding: r.json, as: UTF8.self))")
            return Summary(v)
        }
        check(twice.json == r.json, "output not stable: \(String(decoding: r.json, as: UTF8.self))")
        check(twice.matchKey == r.matchKey && twice.dedupeValue == r.dedupeValue, "keys not stable")
    }
    if case .invalid(_, let reason, let raw) = v {
        check(reason.hasPrefix("row \(v.row): "), "reason without its row: \(reason)")
        check(raw.count <= ContactPreparer.maxRawBytes, "raw too long")
    }
    return Summary(v)
}

private func fileVerdicts(_ fd: Int32, _ format: InputFormat, bufferSize: Int, batch: Int,
                          _ p: ContactPreparer, encoding: TextEncoding? = nil) -> [Summary]? {
    var options = FileOptions()
    options.format = format
    options.encoding = encoding
    if format == .csv { options.columns = ["Profile.Age": "77", "Mail": "email"] }
    lseek(fd, 0, SEEK_SET)
    guard let reader = try? FileRowReader(path: "/proc/self/fd/\(fd)", options: options, bufferSize: bufferSize) else {
        return nil
    }
    defer { reader.close() }
    var all: [Summary] = []
    var expected = 1
    while true {
        guard let n = try? reader.read(firstRow: all.count + 1, maxRows: batch, preparer: p, { v in
            all.append(checkVerdict(v, expectedRow: &expected, p))
        }) else { return nil }
        if n == 0 { break }
    }
    return all
}

/// Orders and events read from a file (CSV rows grouped into orders, NDJSON, JSON array): no crash,
/// rows numbered consecutively from 1, every invalid row's reason names its row.
private func objectVerdicts(_ fd: Int32, _ format: InputFormat, kind: JobKind, bufferSize: Int, batch: Int) {
    var options = FileOptions()
    options.format = format
    lseek(fd, 0, SEEK_SET)
    guard let reader = try? FileRowReader(path: "/proc/self/fd/\(fd)", options: options, bufferSize: bufferSize, kind: kind) else {
        return
    }
    defer { reader.close() }
    var verdicts: [RowVerdict] = []
    var sink = VerdictSink { verdicts.append($0) }
    let orders = OrderPreparer(options: UpsertOptions())
    let events = EventPreparer(options: UpsertOptions())
    var next = 1
    while true {
        let n: Int?
        if kind == .orders {
            n = try? reader.readObjectRows(firstRow: next, maxRows: batch, preparer: orders, into: &sink)
        } else {
            n = try? reader.readObjectRows(firstRow: next, maxRows: batch, preparer: events, into: &sink)
        }
        guard let n, n > 0 else { break }
        next += n
    }
    for (i, v) in verdicts.enumerated() {
        check(v.row == i + 1, "\(kind) row \(v.row) where \(i + 1) was due")
        if case .invalid(_, let reason, _) = v { check(reason.hasPrefix("row \(v.row)"), "\(kind) reason without its row: \(reason)") }
    }
}

/// One unlinked temporary file for the whole run, rewritten for each input (opened by the readers
/// through /proc/self/fd, so they see a real file).
private let scratchFD: Int32 = {
    var template = Array("/tmp/yespo-fuzz-input-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    if fd >= 0 { unlink(String(cString: template)) }
    return fd
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    // The first byte picks the options and buffer sizes; the rest is the input.
    let control = data[0]
    let buf = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var options = UpsertOptions()
    options.dedupeOn = DedupeKey.allCases[Int(control & 7)]
    options.fieldId = 77
    options.validate = control & 8 == 0
    let p = ContactPreparer(options: options)
    let bufferSize = 16 + Int(control >> 4) * 37

    var expected = 1
    var ndjson: [Summary] = []
    _ = forEachNDJSONRow(buf, firstRow: 1, preparer: p) { v in ndjson.append(checkVerdict(v, expectedRow: &expected, p)) }

    expected = 1
    var array: [Summary] = []
    let arrayOK = (try? forEachJSONArrayRow(buf, firstRow: 1, preparer: p) { v in
        array.append(checkVerdict(v, expectedRow: &expected, p))
    }) != nil
    check(arrayOK || array.isEmpty, "rows emitted from a buffer that is not a JSON array")

    let fd = scratchFD
    guard fd >= 0, ftruncate(fd, 0) == 0 else { return 0 }
    lseek(fd, 0, SEEK_SET)
    var off = 0
    while off < buf.count {
        let n = write(fd, buf.baseAddress! + off, buf.count - off)
        if n <= 0 { return 0 }
        off += n
    }
    // Big enough buffers never cut a row, so the streaming readers must agree with the in-memory ones
    // (unless a UTF-16 byte order mark makes the file reader convert what the buffer readers take as is).
    let big = buf.count + 64
    let utf16Marked = buf.count >= 2 && ((buf[0] == 0xFF && buf[1] == 0xFE) || (buf[0] == 0xFE && buf[1] == 0xFF))
    if let rows = fileVerdicts(fd, .ndjson, bufferSize: big, batch: 3, p), !utf16Marked {
        check(rows == ndjson, "NDJSON file and buffer readers disagree")
    }
    if !utf16Marked {
        if let rows = fileVerdicts(fd, .json, bufferSize: big, batch: 2, p), arrayOK {
            check(rows == array, "JSON array file and buffer readers disagree")
        } else if arrayOK {
            check(false, "JSON array accepted in memory but not as a file")
        }
    }
    // Conversion while streaming, through buffers small enough to cut code units and rows.
    let encodings: [TextEncoding] = [.utf16LE, .utf16BE, .windows1251, .windows1252, .latin1]
    _ = fileVerdicts(fd, .csv, bufferSize: bufferSize, batch: 3, p, encoding: encodings[Int(control) % encodings.count])
    _ = fileVerdicts(fd, .ndjson, bufferSize: bufferSize, batch: 5, p)
    _ = fileVerdicts(fd, .json, bufferSize: bufferSize, batch: 1, p)
    _ = fileVerdicts(fd, .csv, bufferSize: bufferSize, batch: 4, p)
    _ = fileVerdicts(fd, .csv, bufferSize: big, batch: 1000, p)
    let kind: JobKind = control & 1 == 0 ? .orders : .events
    objectVerdicts(fd, .csv, kind: kind, bufferSize: bufferSize, batch: 3)
    objectVerdicts(fd, .ndjson, kind: kind, bufferSize: bufferSize, batch: 2)
    objectVerdicts(fd, .json, kind: kind, bufferSize: big, batch: 5)
    return 0
}
