// Streams a contacts file (CSV / NDJSON / JSON array; "-" = stdin) in bounded memory: one fixed
// read buffer (1 MiB), records found by a resumable splitter, each record prepared and emitted
// before the next read. A record longer than the buffer becomes one invalid row and is skipped.
import Glibc

/// Streams a file (CSV / NDJSON / JSON array; "-" = stdin) in bounded memory.
public final class FileRowReader {
    public static let defaultBufferSize = 1 << 20

    private enum Splitter {
        case ndjson(NDJSONSplitter)
        case csv(CSVSplitter)
        case json(JSONArraySplitter)
    }

    private enum Record {
        case bytes(UnsafeRawBufferPointer)
        case oversize(raw: [UInt8])
    }

    public let format: InputFormat
    private let window: ByteWindow
    private let name: String
    // The reader is used by one thread at a time (a feed holds the job's feed lock), so its hot
    // state skips the runtime's exclusivity checks: ~10 a row otherwise, 5% of the CPU cost.
    @exclusivity(unchecked) private var splitter: Splitter
    /// Scan position relative to `window.start` (survives the buffer being compacted).
    @exclusivity(unchecked) private var scanOffset = 0
    /// While skipping a record longer than the buffer: its first bytes, for the rejects file.
    private var oversizeRaw: [UInt8]?
    @exclusivity(unchecked) private var csv: CSVContactBuilder?
    @exclusivity(unchecked) private var cells: [CSVCell] = []
    /// The prepared row and its match key: reused for every row.
    /// (Assigned last in init: a throwing init before that point must not leak them.)
    @exclusivity(unchecked) private var buffers: PrepareBuffers
    private var finished = false
    private var closed = false

    public convenience init(path: String, options: FileOptions) throws(YespoError) {
        try self.init(path: path, options: options, bufferSize: FileRowReader.defaultBufferSize)
    }

    /// What the rows are: a CSV of orders or events is read by `readObjectRows` (CSVObjectRows).
    let kind: JobKind
    /// CSV of orders or events: records → objects; and the line the next record starts on.
    @exclusivity(unchecked) private var objectCSV: CSVObjectRows?
    private var csvLine = 1

    /// `bufferSize` is also the longest row accepted (tests use small ones).
    init(path: String, options: FileOptions, bufferSize: Int, kind: JobKind = .contacts) throws(YespoError) {
        self.kind = kind
        let isStdin = path == "-"
        name = isStdin ? "standard input" : "'\(path)'"
        let fd: Int32
        if isStdin {
            fd = 0
        } else {
            guard !path.isEmpty else { throw YespoError(.invalidArgument, "the file path is empty") }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw YespoError(.io, "cannot open \(name): \(String(cString: strerror(errno)))")
            }
        }
        window = ByteWindow(fd: fd, ownsFD: !isStdin, capacity: bufferSize, name: name)
        // Enough bytes to see a BOM and sniff the format (a short read may return fewer).
        while window.end - window.start < 64, try window.refill() {}
        let (encoding, bomlessUTF16) = try FileRowReader.chooseEncoding(window, options.encoding)
        encodingName = encoding
        format = options.format ?? FileRowReader.guessFormat(path: isStdin ? "" : path, window)
        givenPath = isStdin ? "-" : path
        if let guess = bomlessUTF16, format == .csv {
            // Its byte order is a guess: refuse, with the command that converts it.
            let input = isStdin ? "in.csv" : shellQuoted(path)
            let output = isStdin ? "out.csv" : shellQuoted(utf8Name(path))
            throw YespoError(.invalidInput, "\(name): looks like UTF-16 text without a byte order mark; give its encoding "
                + "(\"encoding\": \"\(guess.rawValue)\"; CLI: --encoding \(guess.rawValue)) or convert it to UTF-8: "
                + "iconv -f \(guess.iconvName) -t UTF-8 \(input) > \(output)")
        }
        switch format {
        case .ndjson: splitter = .ndjson(NDJSONSplitter())
        case .json: splitter = .json(JSONArraySplitter(name: name))
        case .csv: splitter = .csv(CSVSplitter())
        }
        buffers = PrepareBuffers()
        if format == .csv {
            guard options.delimiter != JSONByte.quote && options.delimiter != 0x0A && options.delimiter != 0x0D else {
                throw YespoError(.invalidArgument, "the CSV delimiter cannot be a quote or a line break")
            }
            try readCSVHeader(options)
        }
        description = InputDescription(file: givenPath, format: format, encoding: encodingName,
                                       delimiter: format == .csv ? csvDelimiter : nil,
                                       delimiterSniffed: format == .csv && options.delimiter == nil,
                                       columns: csv?.map.resolved ?? objectCSV?.columnReports ?? [])
    }

    /// Reads a byte order mark and installs the conversion to UTF-8 the file needs. Returns the
    /// encoding's name, and the UTF-16 byte order the head suggests when it has no mark.
    private static func chooseEncoding(_ window: ByteWindow, _ given: TextEncoding?) throws(YespoError) -> (String, TextEncoding?) {
        let head = UnsafeRawBufferPointer(start: window.base + window.start, count: window.end - window.start)
        if let (marked, length) = byteOrderMark(head) {
            if marked == .utf8 {
                window.start += length
            } else {
                window.install(TextTranscoder(marked), skipping: length)
                while window.end - window.start < 64, try window.refill() {}
            }
            return ("\(marked.rawValue) (BOM)", nil)
        }
        let encoding = given ?? .utf8
        if encoding == .utf8 { return (encoding.rawValue, looksLikeBOMlessUTF16(head)) }
        window.install(TextTranscoder(encoding), skipping: 0)
        while window.end - window.start < 64, try window.refill() {}
        return (encoding.rawValue, nil)
    }

    /// How the file is read; complete (with the CSV columns) once the initializer returned.
    public private(set) var description: InputDescription!
    private let givenPath: String
    private let encodingName: String

    deinit {
        window.close()
        buffers.free()
        csv?.free()
    }

    private static func guessFormat(path: String, _ window: ByteWindow) -> InputFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .ndjson }
        var k = window.start
        while k < window.end && JSONByte.isWhitespace(window.base[k]) { k += 1 }
        let first: UInt8 = k < window.end ? window.base[k] : 0
        if first == JSONByte.openBracket { return .json }
        if first == JSONByte.openBrace || lower.hasSuffix(".json") { return .ndjson }
        return .csv
    }

    private func readCSVHeader(_ options: FileOptions) throws(YespoError) {
        var header: [String] = []
        while true {
            guard let next = try nextRecord() else {
                // An empty file has no rows: the first read reports the end.
                finished = true
                return
            }
            guard case .bytes(let record) = next else {
                throw YespoError(.invalidInput, "\(name): the header row is longer than \(window.capacity / 1024) KiB")
            }
            let line = trimmedLine(record)
            csvLine += 1 + newlines(in: record)
            if isBlankLine(line) { continue }
            csvDelimiter = options.delimiter ?? sniffDelimiter(line)
            if let problem = parseCSVRecord(line, delimiter: csvDelimiter, into: &cells) {
                throw YespoError(.invalidInput, "\(name): the header row is not valid CSV: \(problem)")
            }
            for cell in cells {
                var bytes: [UInt8] = []
                appendCSVCellValue(line, cell, into: &bytes)
                guard bytes.withUnsafeBytes({ isValidUTF8($0) }) else {
                    throw YespoError(.invalidInput, "\(name): the header row is not valid UTF-8. If the file comes from a "
                        + "spreadsheet on Windows, give its encoding (\"encoding\": \"windows-1252\" for Western European, "
                        + "\"windows-1251\" for Cyrillic; CLI: --encoding windows-1252) or convert it to UTF-8: "
                        + "iconv -f WINDOWS-1252 -t UTF-8 \(givenPath == "-" ? "in.csv" : shellQuoted(givenPath)) > "
                        + "\(givenPath == "-" ? "out.csv" : shellQuoted(utf8Name(givenPath)))")
                }
                header.append(String(decoding: bytes, as: UTF8.self))
            }
            break
        }
        if kind != .contacts {
            objectCSV = CSVObjectRows(kind: kind, header: header, renames: options.columns)
            return
        }
        csv = CSVContactBuilder(map: try CSVColumnMap(header: header, options: options, fileName: name, delimiter: csvDelimiter))
    }

    private var csvDelimiter: UInt8 = UInt8(ascii: ",")

    /// Reads up to maxRows rows, emitting one verdict each; returns how many (0 = end of file).
    public func read(firstRow: Int, maxRows: Int, preparer: ContactPreparer,
                     _ emit: (RowVerdict) throws -> Void) throws -> Int {
        try withoutActuallyEscaping(emit) { emit in
            var sink = VerdictSink(emit: emit)
            return try readRows(firstRow: firstRow, maxRows: maxRows, preparer: preparer, into: &sink)
        }
    }

    /// The same, handing rows to `sink` in place (the job's hot path: no copy, no allocation per row).
    func readRows<S: RowSink>(firstRow: Int, maxRows: Int, preparer: ContactPreparer, into sink: inout S) throws -> Int {
        guard !closed else { throw YespoError(.state, "\(name): the reader is closed") }
        var rows = 0
        let limit = max(1, maxRows)
        while rows < limit, !finished {
            guard let record = try nextRecord() else { finished = true; break }
            let row = firstRow + rows
            switch record {
            case .oversize(let raw):
                rows += 1
                try sink.invalid(row: row, reason: "row \(row): longer than \(window.capacity / 1024) KiB, the most a row may have",
                                 raw: raw)
            case .bytes(let bytes):
                switch format {
                case .json:
                    rows += 1
                    try preparer.prepareInPlace(json: bytes, row: row, buffers: &buffers, into: &sink)
                case .ndjson:
                    let line = trimmedLine(bytes)
                    if isBlankLine(line) { continue }
                    rows += 1
                    try preparer.prepareInPlace(json: line, row: row, buffers: &buffers, into: &sink)
                case .csv:
                    let line = trimmedLine(bytes)
                    if isBlankLine(line) { continue }
                    rows += 1
                    try csvRow(line, row: row, preparer: preparer, into: &sink)
                }
            }
        }
        return rows
    }

    /// One CSV record: its cells written straight into the normalised contact (no JSON text built
    /// and parsed again), then the rules on the whole contact.
    private func csvRow<S: RowSink>(_ line: UnsafeRawBufferPointer, row: Int, preparer: ContactPreparer,
                                    into sink: inout S) throws {
        guard csv != nil else {
            return try sink.invalid(row: row, reason: "row \(row): the file has no header row", raw: ContactPreparer.truncatedRaw(line))
        }
        var facts = ContactFacts()
        do throws(RowProblem) {
            if let problem = parseCSVRecord(line, delimiter: csvDelimiter, into: &cells) { throw RowProblem(problem) }
            // Built in place (it may move its scratch buffer): a local copy of the builder
            // retained and released each of its arrays, every row (~10% of the CLI's CPU).
            try csv?.build(line, cells, into: &buffers.contact, facts: &facts,
                              dedupeFieldId: preparer.options.fieldId.map { Int64($0) })
            if preparer.options.validate { try preparer.check(facts) }
        } catch {
            return try sink.invalid(row: row, reason: "row \(row): \(error.message)", raw: ContactPreparer.truncatedRaw(line))
        }
        try sink.ready(preparer.ready(facts, row: row, buffers: &buffers))
    }

    /// Orders and events (kinds other than contacts): up to maxRows objects, each through the
    /// kind's preparer; a CSV file's records first become objects (CSVObjectRows), so an order
    /// spread over several item lines is one row. Returns how many rows (0 = end of the input).
    func readObjectRows<P: RowPreparer, S: RowSink>(firstRow: Int, maxRows: Int, preparer: P, into sink: inout S) throws -> Int {
        guard !closed else { throw YespoError(.state, "\(name): the reader is closed") }
        var rows = 0
        let limit = max(1, maxRows)
        var lineSink = CSVLineSink(inner: sink)
        defer { sink = lineSink.inner }
        func emit(_ output: CSVObjectRows.Output?) throws {
            guard let output else { return }
            let row = firstRow + rows
            rows += 1
            switch output {
            case .object(let json, let lines):
                lineSink.lines = lines
                try json.withUnsafeBytes { bytes in
                    try preparer.prepareInPlace(json: bytes, row: row, buffers: &buffers, into: &lineSink)
                }
            case .invalid(let reason, let raw, let lines):
                try lineSink.inner.invalid(row: row, reason: "row \(row) (\(CSVLineSink<S>.describe(lines))): \(reason)", raw: raw)
            }
        }
        while rows < limit, !finished {
            guard let record = try nextRecord() else {
                finished = true
                try emit(objectCSV?.flush())
                break
            }
            switch record {
            case .oversize(let raw):
                try emit(objectCSV?.flush())
                let row = firstRow + rows
                rows += 1
                try lineSink.inner.invalid(row: row, reason: "row \(row): longer than \(window.capacity / 1024) KiB, the most a row may have", raw: raw)
            case .bytes(let bytes):
                let line = trimmedLine(bytes)
                let startLine = csvLine
                if format == .csv { csvLine += 1 + newlines(in: bytes) }
                if format != .json && isBlankLine(line) { continue }
                if format != .csv {
                    let row = firstRow + rows
                    rows += 1
                    try preparer.prepareInPlace(json: format == .json ? bytes : line, row: row, buffers: &buffers, into: &lineSink.inner)
                    continue
                }
                if let problem = parseCSVRecord(line, delimiter: csvDelimiter, into: &cells) {
                    try emit(objectCSV?.flush())
                    let row = firstRow + rows
                    rows += 1
                    try lineSink.inner.invalid(row: row, reason: "row \(row) (CSV line \(startLine)): \(problem)", raw: ContactPreparer.truncatedRaw(line))
                    continue
                }
                var values: [String] = []
                values.reserveCapacity(cells.count)
                var cellBytes: [UInt8] = []
                var badCell: Int? = nil
                for (k, cell) in cells.enumerated() {
                    cellBytes.removeAll(keepingCapacity: true)
                    appendCSVCellValue(line, cell, into: &cellBytes)
                    // Never replaced silently: the row is refused, naming the column.
                    if badCell == nil && !validUTF8(cellBytes) { badCell = k }
                    values.append(trimmedCellText(cellBytes))
                }
                try emit(objectCSV?.add(values, line: startLine, lines: csvLine - startLine, raw: line,
                                        invalidUTF8Column: badCell))
            }
        }
        return rows
    }

    /// The next record's bytes (valid until the next call), or nil at the end of the input.
    private func nextRecord() throws(YespoError) -> Record? {
        while true {
            var input = SplitInput(p: window.base, start: window.start, scan: window.start + scanOffset,
                                   end: window.end, eof: window.eof)
            let step: SplitStep
            switch splitter {
            case .ndjson(var s): step = s.step(&input); splitter = .ndjson(s)
            case .csv(var s): step = s.step(&input); splitter = .csv(s)
            case .json(var s):
                step = try s.step(&input, fileOffset: window.fileOffsetOfBuffer)
                splitter = .json(s)
            }
            window.start = input.start
            switch step {
            case .record(let end, let next):
                let record = UnsafeRawBufferPointer(start: window.base + window.start, count: end - window.start)
                window.start = next
                scanOffset = 0
                if let raw = oversizeRaw {
                    oversizeRaw = nil
                    return .oversize(raw: raw)
                }
                return .bytes(record)
            case .endOfInput:
                if let raw = oversizeRaw {
                    oversizeRaw = nil
                    return .oversize(raw: raw)
                }
                return nil
            case .needMore:
                if oversizeRaw == nil && window.isFull {
                    oversizeRaw = ContactPreparer.truncatedRaw(UnsafeRawBufferPointer(start: window.base, count: window.end))
                }
                if oversizeRaw != nil {
                    window.discardAll()
                    scanOffset = 0
                } else {
                    scanOffset = input.scan - window.start
                }
                _ = try window.refill()
            }
        }
    }

    public func close() {
        closed = true
        window.close()
    }
}

/// Line breaks inside a record (a quoted cell may hold some): CSV line numbers count them.
private func newlines(in bytes: UnsafeRawBufferPointer) -> Int {
    var n = 0
    for b in bytes where b == 0x0A { n += 1 }
    return n
}

/// A path as one shell word.
func shellQuoted(_ path: String) -> String {
    let safe = path.utf8.allSatisfy { b in
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x2F || b == 0x2D || b == 0x5F
    }
    if safe && !path.isEmpty { return path }
    var out = "'"
    for ch in path { out += ch == "'" ? "'\\''" : String(ch) }
    return out + "'"
}

/// Where the converted copy of `path` could go: "in.csv" → "in.utf8.csv".
func utf8Name(_ path: String) -> String {
    let slash = path.lastIndex(of: "/")
    if let dot = path.lastIndex(of: "."), slash.map({ dot > $0 }) ?? true, dot != path.startIndex {
        return String(path[..<dot]) + ".utf8" + String(path[dot...])
    }
    return path + ".utf8"
}
