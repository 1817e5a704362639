// The journal's on-disk shape: JSON lines, append-only.
//   line 1:  {"yespoJournal":1,"tool":"yespo 0.1.0","inputs":[{path,size,mtimeNs,headHash,tailHash}],
//             "optionsHash":"…","options":"dedupeOn=email;…"}
//   then one line per outcome batch:
//            {"chunk":3,"session":"<asyncSessionId>","accepted":"1-2999","rejected":"3000",
//             "reasons":[[3000,"bad email"]]}
// Row sets are RowRanges text. Nothing secret is ever written: no key, and no contact data beyond
// what a failure's reason quotes (the offending value); only row numbers, session ids and reasons.
import YespoCore

enum JournalFormat {
    static let version = 1
    /// A reason is for a human reading a rejects list; cap it so a journal line stays small.
    static let maxReasonLength = 300

    struct Header: Equatable {
        var inputs: [InputIdentity]
        var optionsHash: String
        var options: String

        var line: String {
            JSON.object([
                ("yespoJournal", .number(Double(JournalFormat.version))),
                ("tool", .string("yespo \(yespoVersionString)")),
                ("inputs", .array(inputs.map(\.json))),
                ("optionsHash", .string(optionsHash)),
                ("options", .string(options)),
            ]).encoded()
        }

        static func parse(_ json: JSON) -> Header? {
            guard json["yespoJournal"]?.int == JournalFormat.version,
                  let inputs = json["inputs"]?.array, let hash = json["optionsHash"]?.string else { return nil }
            var ids: [InputIdentity] = []
            for input in inputs {
                guard let id = InputIdentity(json: input) else { return nil }
                ids.append(id)
            }
            return Header(inputs: ids, optionsHash: hash, options: json["options"]?.string ?? "")
        }
    }

    /// One outcome batch as a journal line. Rows are grouped by kind so each kind is one range set.
    static func entryLine(_ batch: OutcomeBatch) -> String {
        var byKind: [RowOutcomeKind: [Int]] = [:]
        var reasons: [JSON] = []
        for outcome in batch.rows {
            byKind[outcome.kind, default: []].append(outcome.row)
            if outcome.kind != .accepted, let reason = outcome.reason {
                reasons.append(.array([.number(Double(outcome.row)), .string(truncated(reason))]))
            }
        }
        var members: [(String, JSON)] = []
        if let chunk = batch.chunkIndex { members.append(("chunk", .number(Double(chunk)))) }
        if let session = batch.asyncSessionId ?? batch.rows.first(where: { $0.asyncSessionId != nil })?.asyncSessionId {
            members.append(("session", .string(session)))
        }
        for kind in RowOutcomeKind.allCases {
            if let rows = byKind[kind] { members.append((kind.rawValue, .string(RowRanges.encode(rows)))) }
        }
        if !reasons.isEmpty { members.append(("reasons", .array(reasons))) }
        return JSON.object(members).encoded()
    }

    static func truncated(_ reason: String) -> String {
        reason.unicodeScalars.count <= maxReasonLength
            ? reason : String(String.UnicodeScalarView(reason.unicodeScalars.prefix(maxReasonLength))) + "…"
    }
}
