// How many rows the input holds, roughly, so the bar can show a percentage and an ETA: newlines
// counted at disk speed before the job starts. Quoted CSV fields with embedded newlines make it an
// overestimate, which only means the bar jumps to 100% at the end. Unknown for stdin and JSON arrays.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum RowEstimate {
    static func rows(files: [String], format: String?) -> Int? {
        var total = 0
        for path in files {
            guard path != "-", let st = try? FileSystem.status(path), st.isRegular else { return nil }
            let kind = (format ?? extensionFormat(path) ?? "").lowercased()
            guard kind == "csv" || kind == "ndjson" || kind == "jsonl" else { return nil }
            guard let lines = countLines(path) else { return nil }
            total += kind == "csv" ? max(0, lines - 1) : lines
        }
        return total
    }

    static func extensionFormat(_ path: String) -> String? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return "csv" }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return "ndjson" }
        return nil
    }

    /// Newlines, plus one for a last line without its newline.
    private static func countLines(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        var lines = 0
        var last: UInt8 = 0x0A
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            for i in 0..<n where buf[i] == 0x0A { lines += 1 }
            last = buf[n - 1]
        }
        return last == 0x0A ? lines : lines + 1
    }
}
