// The option tables against the header and the settings: the header's yespo_option enum has the
// table's names and numbers (and states its defaults), ClientSettings' defaults are the table's,
// every bulk option the table lists is parsed and documented in the header, and nothing else is.
import Glibc
import Testing
@testable import YespoCore

@Suite struct OptionTableTests {
    static func header() throws -> String {
        let path = EmulatorProcess.repoRoot() + "/include/yespo.h"
        guard let file = fopen(path, "r") else { throw TestSetupError("cannot read \(path)") }
        defer { fclose(file) }
        var text = ""
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            text += String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return text
    }

    /// "YESPO_OPT_X = N, /* ... default D */" lines of the header.
    static func headerOptions() throws -> [(name: String, id: Int32, comment: String)] {
        try header().split(separator: "\n").compactMap { raw in
            let line = raw.drop { $0 == " " }
            guard line.hasPrefix("YESPO_OPT_"), let eq = line.firstIndex(of: "=") else { return nil }
            let name = line[..<eq].trimmingCharacters(in: " ")
            let rest = line[line.index(after: eq)...]
            let digits = rest.drop { $0 == " " }.prefix { $0.isNumber }
            guard let id = Int32(digits) else { return nil }
            let comment = rest.split(separator: "/*", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            return (String(name), id, comment)
        }
    }

    @Test func theHeaderEnumIsTheTable() throws {
        let header = try Self.headerOptions()
        #expect(header.map(\.name) == ClientOptionTable.all.map(\.cName))
        #expect(header.map(\.id) == ClientOptionTable.all.map(\.id))
        for (entry, option) in zip(header, ClientOptionTable.all) {
            if option.kind != .string, let d = Int(option.defaultText) {
                // the header states the default (8 MiB is written as such)
                let stated = entry.comment.contains("default \(d)") || (d == 8 << 20 && entry.comment.contains("default 8 MiB"))
                #expect(stated, "\(option.cName): the header's comment \"\(entry.comment)\" does not say default \(d)")
            }
            if let range = option.range, option.kind == .integer, range.upperBound <= 3000 {
                #expect(entry.comment.contains("\(range.lowerBound)..\(range.upperBound)"), "\(option.cName): range not in the header")
            }
        }
    }

    @Test func settingsDefaultsAreTheTables() {
        let settings = ClientSettings(apiKey: "k-1234")
        for option in ClientOptionTable.all where option.kind != .string {
            guard let value = option.get(settings) else { continue }   // maxQueuedChunks: derived
            #expect(String(value) == option.defaultText || (option.kind == .boolean && String(value) == option.defaultText),
                    "\(option.key): settings default \(value), table says \(option.defaultText)")
            #expect(option.range?.contains(value) == true)
        }
    }

    @Test func rangesAreEnforcedFromTheTableOnTheSwiftPathToo() {
        for option in ClientOptionTable.all where option.kind == .integer {
            guard let range = option.range, range.upperBound < Int64.max else { continue }
            var s = ClientSettings(apiKey: "k-1234")
            option.set(&s, .integer(range.upperBound + 1))
            #expect(throws: YespoError.self) { try s.validated() }
            option.set(&s, .integer(range.lowerBound))
            #expect(throws: Never.self) { try s.validated() }
        }
    }

    @Test func everyBulkOptionIsParsedAndInTheHeader() throws {
        let header = try Self.header()
        for option in UpsertOptionTable.all {
            #expect(header.contains("\"\(option.key)\""), "\(option.key) is not documented in yespo_upsert_begin")
        }
        #expect(throws: YespoError.self) { try UpsertOptions.parse(json: #"{"notAnOption":1}"#) }
        let parsed = try UpsertOptions.parse(json: #"{"dedupeOn":"fieldId","fieldId":7,"ackOn":"finished","wait":true,"validate":false,"dryRun":true,"contactFields":["firstName"],"customFieldsIDs":[1],"groupNames":["A"],"groupNamesExclude":["B"],"restoreDeleted":true,"eventKeyForNewContacts":"new_contact-2"}"#)
        #expect(parsed.fieldId == 7 && parsed.ackOn == .finished && parsed.dryRun && !parsed.validate)
    }

    @Test func theOptionsJSONIsValidAndComplete() throws {
        guard case .success(let doc) = JSONDocument.parse(OptionTables.json()) else { Issue.record("not JSON"); return }
        #expect(doc.root["client"]?.elements.count == ClientOptionTable.all.count)
        #expect(doc.root["upsert"]?.elements.count == UpsertOptionTable.all.count)
        #expect(try OptionTables.bounds(id: 9) == 1...3000)
        #expect(throws: YespoError.self) { try OptionTables.bounds(id: 100) }
    }
}
