import Foundation
import Testing
@testable import EmulatorCore

/// The emulator's own JSON parser, checked against Foundation's on the same inputs.
@Suite struct JSONParserTests {
    @Test(arguments: [
        #"{"a":[1,-2.5e3,true,false,null,"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00"],"b":{}}"#,
        "[]", "0", "-0.0", "1E+2", "\"\"", "[[[[1]]]]", #"{"k":"тест","n":9007199254740993}"#,
    ])
    func agreesWithFoundation(_ text: String) throws {
        let mine = try JSONParser.parse(text)
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
        let back = try JSONSerialization.jsonObject(with: Data(mine.jsonText.utf8), options: .fragmentsAllowed)
        #expect(NSDictionary(dictionary: ["v": theirs]).isEqual(to: ["v": back]))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "tru", "\"\u{01}\"", "\"\\x\"", "[1 2]",
        "{\"a\" 1}", "\"\\ud800\"", "\"abc", "1 2", "{1:2}", "NaN", "[\"\\u12\"]",
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func errorsCarryTheOffset() {
        do {
            _ = try JSONParser.parse(#"{"a":1,"b":x}"#)
            Issue.record("should have failed")
        } catch {
            #expect(error.offset == 11)
            #expect(error.description.contains("byte 11"))
        }
    }

    @Test func validationNormalisesChannels() {
        #expect(ContactValidation.normaliseEmail("  Mail@Example.COM ") == "mail@example.com")
        #expect(ContactValidation.normaliseEmail("a b@c.de") == nil)
        #expect(ContactValidation.normaliseEmail("a@b") == nil)
        #expect(ContactValidation.normaliseEmail("a@@b.co") == nil)
        #expect(ContactValidation.normaliseEmail(String(repeating: "a", count: 250) + "@b.co") == nil)
        #expect(ContactValidation.normalisePhone("+38 (094) 258-36.91") == "380942583691")
        #expect(ContactValidation.normalisePhone("123456") == nil)
        #expect(ContactValidation.normalisePhone("1234567890123456") == nil)
        #expect(ContactValidation.normalisePhone("12+34567") == nil)
        #expect(ContactValidation.normalisePhone("++1234567") == nil)
    }

    /// The ASCII fast path decides exactly as the general path does.
    @Test(arguments: ["a@b.co", " A@B.CO\t", "a@b", "a@.b.co", "a@b..co", "a@b.", "@b.co", "a@@b.co", "a@b@c.co",
                      "a b@c.co", "a@b.c", "x.y+z@sub.example.com", "", "   ", "\u{0C}a@b.co", "a@b.co\u{7F}",
                      String(repeating: "a", count: 250) + "@b.co", "a.@b.co", ".a@b.co", "a@b-.co"])
    func emailFastPathAgreesWithTheGeneralOne(_ raw: String) {
        let fast = ContactValidation.normaliseASCIIEmail(raw).flatMap { $0.isEmpty ? nil : $0 }
        let e = raw.trimmingWhitespace().lowercased()
        var slow: String? = e
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        if e.isEmpty || e.utf8.count > 254 || parts.count != 2 || parts[0].isEmpty { slow = nil } else {
            let d = parts[1]
            if let dot = d.lastIndex(of: "."), dot != d.startIndex, d.index(after: dot) != d.endIndex,
               !d.hasPrefix("."), !d.contains(".."), !e.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            } else { slow = nil }
        }
        #expect(fast == slow, "\(raw.debugDescription)")
    }
}
