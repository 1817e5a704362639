// Helpers shared by the input-stage tests: run the preparer over Swift strings and look at verdicts.
@testable import YespoCore

func preparer(_ dedupeOn: DedupeKey = .email, fieldId: Int? = nil, validate: Bool = true) -> ContactPreparer {
    var o = UpsertOptions()
    o.dedupeOn = dedupeOn
    o.fieldId = fieldId
    o.validate = validate
    return ContactPreparer(options: o)
}

func verdict(_ json: String, row: Int = 1, _ p: ContactPreparer = preparer()) -> RowVerdict {
    verdict(bytes: Array(json.utf8), row: row, p)
}

func verdict(bytes: [UInt8], row: Int = 1, _ p: ContactPreparer = preparer()) -> RowVerdict {
    bytes.withUnsafeBytes { p.prepare(json: $0, row: row) }
}

extension RowVerdict {
    var output: String? {
        if case .ready(let r) = self { return String(decoding: r.json, as: UTF8.self) }
        return nil
    }
    var prepared: PreparedRow? {
        if case .ready(let r) = self { return r }
        return nil
    }
    var reason: String? {
        if case .invalid(_, let reason, _) = self { return reason }
        return nil
    }
}

import Glibc

/// A temporary file holding `bytes`, removed by `remove()`.
struct TempFile {
    let path: String

    init(_ bytes: [UInt8], suffix: String) {
        var template = Array("/tmp/yespo-input-XXXXXX\(suffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        path = String(cString: template)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            off += n
        }
        close(fd)
    }

    init(_ text: String, suffix: String) { self.init(Array(text.utf8), suffix: suffix) }

    func remove() { unlink(path) }
}

/// Every verdict of a file, read in batches of `batch` rows.
func readAll(_ path: String, _ options: FileOptions = FileOptions(), batch: Int = 1000,
             bufferSize: Int = FileRowReader.defaultBufferSize, _ p: ContactPreparer = preparer()) throws -> [RowVerdict] {
    let reader = try FileRowReader(path: path, options: options, bufferSize: bufferSize)
    defer { reader.close() }
    var all: [RowVerdict] = []
    while try reader.read(firstRow: all.count + 1, maxRows: batch, preparer: p, { all.append($0) }) > 0 {}
    return all
}
