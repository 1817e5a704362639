// The report on its own: counts add up, shapes match include/yespo.h, storage stays compact.
import Testing
@testable import YespoCore

@Suite struct ReportTests {
    @Test func shapesAndCounts() throws {
        var store = OutcomeStore()
        store.record(RowOutcome(row: 1, kind: .accepted, asyncSessionId: "s-1", contactId: 42))
        store.record(RowOutcome(row: 2, kind: .rejected, reason: "bad \"email\""), bytes: Array(#"{"a":1}"#.utf8))
        store.record(RowOutcome(row: 3, kind: .invalid, reason: "row 3: not JSON"), bytes: [0x61, 0xFF, 0x0A])
        store.record(RowOutcome(row: 4, kind: .duplicate, reason: "superseded by row 5"))
        store.record(RowOutcome(row: 5, kind: .accepted, asyncSessionId: "s-1"))
        let recordedTwice = store.record(RowOutcome(row: 5, kind: .notSent))
        #expect(!recordedTwice)   // final exactly once
        let report = UpsertReport(store: store, chunks: [], fatal: nil, cancelled: false, dryRun: false, requests: 1,
                                  retries: 0, throttled: 0, bytesSent: 10, elapsedMs: 3)
        #expect(report.rows == 5 && report.accepted == 2 && report.rejected == 1 && report.invalid == 1 && report.duplicates == 1)
        #expect(report.complete)
        guard case .success(let summary) = JSONDocument.parse(report.summaryJSON()) else { Issue.record("summary not JSON"); return }
        #expect(summary.root["complete"]?.bool == true)
        #expect(summary.root["fatal"]?.kind == .null)
        let lines = String(decoding: report.rowsNDJSON(kinds: Set(RowOutcomeKind.allCases)), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0] == #"{"row":1,"outcome":"accepted","reason":null,"asyncSessionId":"s-1","contactId":42,"acceptedBy":null,"contact":null,"raw":null}"#)
        #expect(lines[1] == #"{"row":2,"outcome":"rejected","reason":"bad \"email\"","asyncSessionId":null,"contactId":null,"acceptedBy":null,"contact":{"a":1},"raw":null}"#)
        #expect(lines[2].contains(#""raw":"a\#u{FFFD}\n""#))
        let failed = report.rowsNDJSON(kinds: [.rejected, .invalid])
        #expect(String(decoding: failed, as: UTF8.self).split(separator: "\n").count == 2)
    }

    @Test func aMillionAcceptedRowsStayCompact() {
        var store = OutcomeStore()
        store.reserveRows(through: 1_000_000)
        for row in 1...1_000_000 {
            store.record(RowOutcome(row: row, kind: .accepted, asyncSessionId: "session-\(row / 3000)"))
        }
        #expect(store.count(.accepted) == 1_000_000)
        #expect(store.sessionIds.count == 334)
        #expect(store.outcome(row: 999_999)?.asyncSessionId == "session-333")
    }
}
