// The client's side of the one validation table (tests/validation/cases.json), which the
// emulator's suite reads too: each case's contact gets the verdict the table gives the client.
import Glibc
import Testing
@testable import YespoCore

@Suite struct ValidationTableTests {
    static func cases() throws -> [JSONValue] {
        let path = EmulatorProcess.repoRoot() + "/tests/validation/cases.json"
        guard let file = fopen(path, "r") else { throw TestSetupError("cannot read \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return try JSONValue.parse(bytes: bytes)["cases"]?.array ?? []
    }

    @Test func everyCaseGetsTheTablesVerdict() throws {
        var options = UpsertOptions()
        options.dedupeOn = .emailOrSms
        let preparer = ContactPreparer(options: options)
        let cases = try Self.cases()
        #expect(cases.count >= 15)
        for entry in cases {
            let name = entry["name"]?.string ?? "?"
            let contact = Array((entry["contact"] ?? .null).encoded().utf8)
            let verdict = contact.withUnsafeBytes { preparer.prepare(json: $0, row: 1) }
            switch (entry["client"], verdict) {
            case (.string("valid")?, .ready): break
            case (.object?, .invalid(_, let reason, _)):
                let fragment = entry["client"]?["invalid"]?.string ?? ""
                #expect(reason.contains(fragment), "\(name): reason \"\(reason)\" lacks \"\(fragment)\"")
            default:
                Issue.record("\(name): the table says \(entry["client"]?.encoded() ?? "?"), the client said \(verdict)")
            }
        }
    }
}
