// The emulator's side of the one validation table (../tests/validation/cases.json), which the
// client's suite reads too: each case's contact, sent alone in a bulk request, is accepted or
// comes back in failedContacts with the table's reason. Where client and emulator differ on
// purpose the table says why ("differs").
import Foundation
import Testing
@testable import EmulatorCore

@Suite struct ValidationTableTests {
    static func cases() throws -> [JSONValue] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../tests/validation/cases.json").standardizedFileURL.path
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        return try JSONParser.parse(bytes)["cases"]?.arrayValue ?? []
    }

    @Test func everyCaseGetsTheTablesVerdict() async throws {
        let cases = try Self.cases()
        #expect(cases.count >= 15)
        try await withServer { s in
            for entry in cases {
                let name = entry["name"]?.stringValue ?? "?"
                let contact = String(decoding: JSONWriter.encode(entry["contact"] ?? .null), as: UTF8.self)
                let answer = await s.bulk(#"{"contacts":[\#(contact)],"dedupeOn":"email_or_sms"}"#)
                let failed = answer["failedContacts"]?.arrayValue ?? (answer["failedContacts"].map { [$0] } ?? [])
                let error = failed.first.flatMap { $0["error"]?.stringValue } ?? ""
                switch entry["emulator"] {
                case .string("accepted")?:
                    #expect(failed.isEmpty, "\(name): the table says accepted, the emulator said \(error)")
                case .object?:
                    let fragment = entry["emulator"]?["rejected"]?.stringValue ?? ""
                    #expect(!failed.isEmpty && error.contains(fragment), "\(name): reason \"\(error)\" lacks \"\(fragment)\"")
                default:
                    Issue.record("\(name): no emulator verdict in the table")
                }
            }
        }
    }
}
