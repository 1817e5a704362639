// forEachNDJSONRow and forEachJSONArrayRow over in-memory buffers.
import Testing
@testable import YespoCore

func ndjsonVerdicts(_ text: String, firstRow: Int = 1, _ p: ContactPreparer = preparer()) -> [RowVerdict] {
    var all: [RowVerdict] = []
    let n = Array(text.utf8).withUnsafeBytes { forEachNDJSONRow($0, firstRow: firstRow, preparer: p) { all.append($0) } }
    #expect(n == all.count)
    return all
}

func arrayVerdicts(_ text: String, firstRow: Int = 1, _ p: ContactPreparer = preparer()) throws -> [RowVerdict] {
    var all: [RowVerdict] = []
    let n = try Array(text.utf8).withUnsafeBytes { try forEachJSONArrayRow($0, firstRow: firstRow, preparer: p) { all.append($0) } }
    #expect(n == all.count)
    return all
}

let contactA = #"{"channels":[{"type":"email","value":"a@b.co"}]}"#
let contactB = #"{"channels":[{"type":"email","value":"c@d.co"}]}"#

@Suite struct InputNDJSONRows {
    @Test func linesBlankLinesCRLFAndNoFinalNewline() {
        let rows = ndjsonVerdicts("\u{FEFF}\(contactA)\r\n\n  \t\r\n{bad}\n\(contactB)", firstRow: 41)
        #expect(rows.map(\.row) == [41, 42, 43])
        #expect(rows[0].output == contactA)
        #expect(rows[1].reason == "row 42: invalid JSON at byte 1: expected a string key")
        #expect(rows[2].output == contactB)
    }

    @Test func emptyAndBlankBuffersHaveNoRows() {
        #expect(ndjsonVerdicts("").isEmpty)
        #expect(ndjsonVerdicts("\n\r\n   \n").isEmpty)
    }

    @Test func emitErrorsStopTheLoop() {
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try Array("\(contactA)\n\(contactB)\n".utf8).withUnsafeBytes {
                try forEachNDJSONRow($0, firstRow: 1, preparer: preparer()) { _ in seen += 1; throw Stop() }
            }
        }
        #expect(seen == 1)
    }

    @Test func invalidUTF8SpoilsOnlyItsLine() {
        let bytes = Array("\(contactA)\n".utf8) + [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D, 0x0A] + Array(contactB.utf8)
        var rows: [RowVerdict] = []
        _ = bytes.withUnsafeBytes { forEachNDJSONRow($0, firstRow: 1, preparer: preparer()) { rows.append($0) } }
        #expect(rows.count == 3)
        #expect(rows[1].reason == "row 2: invalid UTF-8 at byte 2")
        #expect(rows[2].prepared != nil)
    }
}

@Suite struct InputJSONArrayRows {
    @Test func elementsBecomeRows() throws {
        let rows = try arrayVerdicts("\u{FEFF}[ \(contactA) ,\n\(contactB), 5, \"x\", {\"a\":\"\\u00e9\"} ] ", firstRow: 3)
        #expect(rows.map(\.row) == [3, 4, 5, 6, 7])
        #expect(rows[0].output == contactA && rows[1].output == contactB)
        #expect(rows[2].reason == "row 5: expected a JSON object, got a number")
        #expect(rows[3].reason == "row 6: expected a JSON object, got a string")
        #expect(rows[4].reason?.hasPrefix("row 7: no channels") == true)
    }

    @Test func emptyArrayHasNoRows() throws {
        #expect(try arrayVerdicts("[]").isEmpty)
        #expect(try arrayVerdicts("\u{FEFF} [ ] ").isEmpty)
    }

    @Test func badUTF8InsideAStringSpoilsOneRow() throws {
        let bytes = Array("[\(contactA),{\"x\":\"".utf8) + [0xC3, 0x28] + Array("\"}]".utf8)
        var rows: [RowVerdict] = []
        _ = try bytes.withUnsafeBytes { try forEachJSONArrayRow($0, firstRow: 1, preparer: preparer()) { rows.append($0) } }
        #expect(rows.count == 2)
        #expect(rows[1].reason == "row 2: invalid UTF-8 at byte 6")
    }

    @Test(arguments: [
        ("", "not a JSON array of contacts: the input is empty"),
        ("   ", "not a JSON array of contacts: invalid JSON: expected '[' (a JSON array), got nothing (the text ends at byte 3)"),
        (#"{"a":1}"#, "not a JSON array of contacts: invalid JSON at byte 0: expected '[' (a JSON array), got an object"),
        ("[1,]", "not a JSON array of contacts: invalid JSON at byte 3: unexpected ']'"),
        ("[1 2]", "not a JSON array of contacts: invalid JSON at byte 3: expected ',' or ']' after an array element"),
        ("[{}", "not a JSON array of contacts: invalid JSON: expected ',' or ']' after an array element (the text ends at byte 3)"),
        ("[{}] x", "not a JSON array of contacts: invalid JSON at byte 5: unexpected data after the array"),
        (#"[{"a" 1}]"#, "not a JSON array of contacts: invalid JSON at byte 6: expected ':' after an object key"),
        (#"[{"a":"x}]"#, "not a JSON array of contacts: invalid JSON at byte 6: unterminated string"),
        ("[NaN]", "not a JSON array of contacts: invalid JSON at byte 1: unexpected 'N'"),
        ("[{]", "not a JSON array of contacts: invalid JSON at byte 2: expected a string key"),
    ])
    func brokenStructureFailsWithOffsetAndNoRows(_ text: String, _ message: String) {
        var emitted = 0
        do {
            _ = try Array(text.utf8).withUnsafeBytes { try forEachJSONArrayRow($0, firstRow: 1, preparer: preparer()) { _ in emitted += 1 } }
            Issue.record("accepted \(text)")
        } catch let e as YespoError {
            #expect(e.code == .invalidInput)
            #expect(e.message == message)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(emitted == 0)
    }

    @Test func deepNestingIsAStructureErrorNotACrash() {
        let deep = "[" + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "]"
        #expect(throws: YespoError.self) {
            _ = try Array(deep.utf8).withUnsafeBytes { try forEachJSONArrayRow($0, firstRow: 1, preparer: preparer()) { _ in } }
        }
    }
}
