// Reads a journal back into the engine's ResumeState for --resume. A run killed with SIGKILL may
// leave a torn last line (no newline, or half a JSON object): it is ignored and cut off before the
// resumed run appends. A damaged line anywhere else means the file is not a journal we wrote, and
// resuming from it could lose rows, so that is refused.
import YespoCore

struct JournalContents {
    var header: JournalFormat.Header
    var state: ResumeState
    /// Bytes of whole, valid lines; anything after it is a torn tail to cut off.
    var validLength: Int
    var tornTail: Bool
    var counts: [RowOutcomeKind: Int]
}

enum JournalReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// nil when the file holds nothing yet (not even a whole header line).
    static func read(path: String) throws(Failure) -> JournalContents? {
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(path, limit: 1 << 30) } catch { throw Failure(description: error.message) }
        var lines: [(start: Int, end: Int)] = []   // end excludes the newline
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            lines.append((start, i))
            start = i + 1
        }
        let tornBytes = start < bytes.count   // a last line without its newline
        guard let first = lines.first else { return nil }

        guard let headerJSON = try? JSON.parse(bytes: Array(bytes[first.start..<first.end])),
              let header = JournalFormat.Header.parse(headerJSON) else {
            throw Failure(description: "\(path) is not a yespo journal (its first line is not a journal header)")
        }

        var rows: [Int: ResumeState.Recorded] = [:]
        var validLength = first.end + 1
        var tornTail = tornBytes
        for (n, line) in lines.dropFirst().enumerated() {
            let isLast = n == lines.count - 2
            let parsed = try? JSON.parse(bytes: Array(bytes[line.start..<line.end]))
            guard let entry = parsed, case .object = entry else {
                if isLast && !tornBytes { tornTail = true; break }
                throw Failure(description: "\(path) line \(n + 2) is damaged; refusing to resume from it")
            }
            do {
                try apply(entry, to: &rows)
            } catch {
                throw Failure(description: "\(path) line \(n + 2): \(error)")
            }
            validLength = line.end + 1
        }

        var counts: [RowOutcomeKind: Int] = [:]
        for recorded in rows.values { counts[recorded.kind, default: 0] += 1 }
        return JournalContents(header: header, state: ResumeState(rows: rows), validLength: validLength,
                               tornTail: tornTail, counts: counts)
    }

    /// A final outcome wins over "notSent" (a row cancelled in one run and sent in the next);
    /// "notSent" rows are never recorded, so the resumed run sends them.
    private static func apply(_ entry: JSON, to rows: inout [Int: ResumeState.Recorded]) throws(RowRanges.ParseError) {
        // One String per line, shared by all its rows: a million rows cost a few hundred strings.
        let session = entry["session"]?.string
        var reasons: [Int: String] = [:]
        for pair in entry["reasons"]?.array ?? [] {
            if let items = pair.array, items.count == 2, let row = items[0].int, let reason = items[1].string {
                reasons[row] = reason
            }
        }
        for kind in RowOutcomeKind.allCases where kind != .notSent {
            guard let ranges = entry[kind.rawValue]?.string else { continue }
            let shared = ResumeState.Recorded(kind: kind, asyncSessionId: session)
            try RowRanges.forEach(ranges) { row in
                if let reason = reasons[row] {
                    rows[row] = ResumeState.Recorded(kind: kind, asyncSessionId: session, reason: reason)
                } else {
                    rows[row] = shared
                }
            }
        }
    }
}
