// The CSV hot path writes the normalised contact straight from the cells and collects the match
// key facts on the way, instead of building JSON text and parsing it again. These tests hold it
// to the old path: every ready row's bytes, parsed again by ContactWriter, must come back the same,
// with the same match key, dedupe value and order keys; and the fast email check must refuse
// exactly what isValidEmail refuses.
import Testing
@testable import YespoCore

@Suite struct CSVDirectPath {
    /// Cells that exercise every rule: quotes, escapes, non-ASCII, blanks, bad emails and phones.
    static let names = ["Ann", "", "  Bo  ", "Zoë", "O\"Brien", "tab\there", "back\\slash", "new\nline",
                        String(repeating: "x", count: 40), String(repeating: "y", count: 41), "Łukasz"]
    static let emails = ["a@b.co", "A.B@EXAMPLE.COM", " x@y.z ", "", "Ünï@exämple.com", "no-at", "a@@b.c", "a@b", "a@.b.c", "a@b..c",
                         "@b.c", "a@b.c.", "a b@c.d", "a(b)@c.d", "q\"@x.io",
                         String(repeating: "l", count: 65) + "@x.io", "x@" + String(repeating: "d", count: 250) + ".io"]
    static let phones = ["", "+380 (94) 258-3691", "1234567", "+1.234.567.8901", "12345", "12ab345", "0000000000000000"]
    static let ids = ["", "42", "0042", "x1", "1234567890123456789"]
    /// How many leading values of each list are valid: picked four times in five.
    static let valid = (names: 10, emails: 5, phones: 4, ids: 3, exts: 6)
    static let exts = ["", "crm-1", "  ", "a\"q", "tab\tid", "Ключ"]

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingQuotes() + "\"" : s
    }

    static func file(rows: Int) -> String {
        var text = "First name,Last name,Email,Sms,Contact id,External customer id,City,12345,Email\n"
        var rng = SplitMix64(seed: 14)
        func pick(_ a: [String], _ valid: Int) -> String {
            let from = rng.next() % 5 == 0 ? a.count : valid
            return a[Int(rng.next() % UInt64(from))]
        }
        let v = valid
        for _ in 0..<rows {
            let cells = [pick(names, v.names), pick(names, v.names), pick(emails, v.emails), pick(phones, v.phones),
                         pick(ids, v.ids), pick(exts, v.exts), pick(names, v.names), pick(names, v.names), pick(emails, v.emails)]
            text += cells.map(csvField).joined(separator: ",") + "\n"
        }
        return text
    }

    @Test(arguments: [DedupeKey.email, .sms, .emailOrSms, .id, .externalCustomerId, .fieldId])
    func readyRowsAreWhatContactWriterWouldWrite(dedupeOn: DedupeKey) throws {
        let p = preparer(dedupeOn, fieldId: dedupeOn == .fieldId ? 12345 : nil)
        let verdicts = try readFile(Self.file(rows: 3000), suffix: ".csv", FileOptions(), p)
        #expect(verdicts.count == 3000)
        var ready = 0
        for v in verdicts {
            guard let r = v.prepared else { continue }
            ready += 1
            let again = verdict(bytes: r.json, row: r.row, p)
            guard let twin = again.prepared else {
                Issue.record("row \(r.row): the CSV path sent \(String(decoding: r.json, as: UTF8.self)) but ContactWriter refuses it: \(again.reason ?? "")")
                continue
            }
            #expect(twin.json == r.json)
            #expect(twin.matchKey == r.matchKey)
            #expect(twin.dedupeValue == r.dedupeValue)
            #expect(twin.orderKeys == r.orderKeys)
        }
        #expect(ready > 600)
    }

    @Test func validateFalseKeepsRowsWithoutChannels() throws {
        let rows = try readFile("First name,Email\nAnn,\nBo,bo@x.io\n", suffix: ".csv", FileOptions(), preparer(validate: false))
        #expect(rows.map(\.output) == [#"{"firstName":"Ann"}"#, #"{"firstName":"Bo","channels":[{"type":"email","value":"bo@x.io"}]}"#])
        #expect(rows[0].prepared?.matchKey == nil)
        #expect(rows[1].prepared?.matchKey == "email:bo@x.io")
    }

    @Test func fastEmailAgreesWithTheRuleOnRandomText() {
        let alphabet = Array("aZ09.@-_+ (]\"\\\u{7F}\tXy.@.".utf8)
        var rng = SplitMix64(seed: 99)
        var accepted = 0
        let ordinary = Array("abcXYZ0189-_+".utf8)
        func pick(_ a: [UInt8]) -> UInt8 { a[Int(rng.next() % UInt64(a.count))] }
        for _ in 0..<50_000 {
            // Mostly well-formed (local@label.label, parts of any length across word boundaries),
            // then a few bytes replaced by anything of interest.
            var text: [UInt8] = []
            text += (0..<(1 + Int(rng.next() % 70))).map { _ in pick(ordinary) }
            text.append(0x40)
            for label in 0..<(1 + Int(rng.next() % 3)) {
                if label > 0 { text.append(0x2E) }
                text += (0..<Int(rng.next() % 12)).map { _ in pick(ordinary) }
            }
            for _ in 0..<Int(rng.next() % 3) where !text.isEmpty {
                text[Int(rng.next() % UInt64(text.count))] = pick(alphabet)
            }
            // The rule: trimmed, lower-cased, then isValidEmail.
            let trimmed = text.withUnsafeBytes { Array(trimASCIIWhitespace($0)) }
            let lowered = trimmed.map { asciiLower($0) }
            let valid = lowered.withUnsafeBytes { ChannelRules.isValidEmail($0) }
            var out = ByteWriter(capacity: 8)
            defer { out.free() }
            let got: Bool
            do throws(RowProblem) {
                try withBytes(text) { (b) throws(RowProblem) in try ChannelRules.appendEmail(b, path: { "e" }, into: &out) }
                got = true
            } catch { got = false }
            #expect(got == valid, "\(String(decoding: text, as: UTF8.self))")
            if got {
                accepted += 1
                #expect(Array(out.all) == [0x22] + lowered + [0x22])
            }
        }
        #expect(accepted > 5_000)
    }

    @Test func fastEmailTableMatchesTheRule() {
        let classes = ChannelRules.emailByteClasses
        #expect(classes.utf8CodeUnitCount == 128)
        for b in 0..<128 {
            let byte = UInt8(b)
            let cls = classes.utf8Start[b]
            // A byte is refused when an email made valid by it in the local part fails.
            let probe: [UInt8] = [0x61, byte, 0x61, 0x40, 0x62, 0x2E, 0x63]
            let ok = probe.withUnsafeBytes { ChannelRules.isValidEmail($0) }
            switch byte {
            case 0x40: #expect(cls == 0x31)
            case 0x2E: #expect(cls == 0x32 && ok)
            default: #expect((cls == 0x33) == !ok && (cls == 0x33 || cls == 0x30), "byte 0x\(String(byte, radix: 16))")
            }
        }
    }
}

private extension String {
    func replacingQuotes() -> String {
        var out = ""
        for ch in self { out += ch == "\"" ? "\"\"" : String(ch) }
        return out
    }
}
