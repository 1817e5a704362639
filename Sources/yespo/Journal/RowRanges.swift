// Compact row sets for the journal: "1-3000,3002,3005-3010". A chunk's rows are mostly one run,
// so a line per chunk stays a few dozen bytes however large the chunk.

enum RowRanges {
    /// Encodes row numbers (any order, duplicates ignored) as ascending runs.
    static func encode(_ rows: [Int]) -> String {
        let sorted = rows.sorted()
        var out = ""
        var i = 0
        while i < sorted.count {
            let start = sorted[i]
            var end = start
            i += 1
            while i < sorted.count, sorted[i] <= end + 1 {
                end = max(end, sorted[i])
                i += 1
            }
            if !out.isEmpty { out += "," }
            out += start == end ? "\(start)" : "\(start)-\(end)"
        }
        return out
    }

    struct ParseError: Error, CustomStringConvertible {
        var text: String
        var description: String { "bad row range \"\(text)\"" }
    }

    /// Calls `body` for every row of an encoded set, without materialising the whole set.
    static func forEach(_ text: String, _ body: (Int) -> Void) throws(ParseError) {
        if text.isEmpty { return }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  let start = Int(bounds[0]), start >= 1,
                  let end = bounds.count == 2 ? Int(bounds[1]) : start, end >= start else {
                throw ParseError(text: String(part))
            }
            for row in start...end { body(row) }
        }
    }

    static func decode(_ text: String) throws(ParseError) -> [Int] {
        var rows: [Int] = []
        try forEach(text) { rows.append($0) }
        return rows
    }
}
