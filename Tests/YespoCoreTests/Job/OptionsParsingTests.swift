// UpsertOptions / FileOptions from JSON: every key, and every kind of bad input named clearly.
import Testing
@testable import YespoCore

@Suite struct OptionsParsingTests {
    @Test func absentOrBlankGivesDefaults() throws {
        #expect(try UpsertOptions.parse(json: nil) == UpsertOptions())
        #expect(try UpsertOptions.parse(json: "") == UpsertOptions())
        #expect(try UpsertOptions.parse(json: " {} ") == UpsertOptions())
        #expect(try FileOptions.parse(json: nil) == FileOptions())
    }

    @Test func everyKeyIsRead() throws {
        let o = try UpsertOptions.parse(json: """
            {"dedupeOn":"fieldId","fieldId":77,"contactFields":["firstName","email"],"customFieldsIDs":[1,2],
             "groupNames":["A"],"groupNamesExclude":["B"],"restoreDeleted":true,"eventKeyForNewContacts":"new1",
             "wait":true,"validate":false,"dryRun":true}
            """)
        #expect(o.dedupeOn == .fieldId)
        #expect(o.fieldId == 77)
        #expect(o.contactFields == ["firstName", "email"])
        #expect(o.customFieldsIDs == [1, 2])
        #expect(o.groupNames == ["A"])
        #expect(o.groupNamesExclude == ["B"])
        #expect(o.restoreDeleted == true)
        #expect(o.eventKeyForNewContacts == "new1")
        #expect(o.wait && !o.validate && o.dryRun)
    }

    @Test(arguments: [
        ("{\"dedupOn\":\"email\"}", "unknown key \"dedupOn\""),
        ("{\"dedupeOn\":\"fax\"}", "\"dedupeOn\" must be one of"),
        ("{\"dedupeOn\":5}", "\"dedupeOn\" must be a string, got an integer"),
        ("{\"wait\":\"yes\"}", "\"wait\" must be true or false, got a string"),
        ("{\"groupNames\":\"A\"}", "\"groupNames\" must be an array of strings"),
        ("{\"groupNames\":[\"A\",3]}", "\"groupNames\"[1] must be a non-empty string"),
        ("{\"customFieldsIDs\":[\"x\"]}", "\"customFieldsIDs\"[0] must be an integer"),
        ("{\"fieldId\":-3,\"dedupeOn\":\"fieldId\"}", "\"fieldId\" must be a positive integer"),
        ("{\"dedupeOn\":\"fieldId\"}", "needs \"fieldId\""),
        ("{\"eventKeyForNewContacts\":\"a;b\"}", "contains \";\""),
        ("{\"eventKeyForNewContacts\":\"a/b\"}", "contains \"/\""),
        ("{\"eventKeyForNewContacts\":\"it\u{2019}s\"}", "contains \"\u{2019}\""),
        ("{\"eventKeyForNewContacts\":\"\"}", "is empty"),
        ("{\"eventKeyForNewContacts\":\"\(String(repeating: "k", count: 101))\"}", "at most 100"),
        ("{\"ackOn\":\"later\"}", "\"ackOn\" must be \"accepted\" or \"finished\""),
        ("{\"dryRun\":true", "malformed JSON at byte"),
        ("[1,2]", "expected a JSON object, got an array"),
        ("{\"a\":1,\"a\":2}", "malformed JSON"),
    ])
    func badUpsertOptionsAreNamed(json: String, fragment: String) {
        do {
            _ = try UpsertOptions.parse(json: json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    /// The API reference's rule, not the guide's stricter "Latin letters and digits".
    @Test(arguments: ["new_contact-2", "has space", "Ünïcode.key", String(repeating: "k", count: 100)])
    func eventKeysTheReferenceAllowsAreAccepted(key: String) throws {
        let o = try UpsertOptions.parse(json: "{\"eventKeyForNewContacts\":\"\(key)\",\"ackOn\":\"finished\"}")
        #expect(o.eventKeyForNewContacts == key)
        #expect(o.ackOn == .finished && o.waitsForImports)
    }

    @Test func nonUTF8OptionsAreAnErrorNotACrash() {
        let bytes: [UInt8] = [0x7B, 0x22, 0x61, 0xFF, 0x22, 0x3A, 0x31, 0x7D]
        let text = String(decoding: bytes, as: UTF8.self)   // U+FFFD replaces the bad byte
        #expect(throws: YespoError.self) { try UpsertOptions.parse(json: text) }
    }

    @Test func fileOptions() throws {
        let o = try FileOptions.parse(json: #"{"format":"csv","columns":{"E-mail":"email","Loyalty":"12345"},"delimiter":";"}"#)
        #expect(o.format == .csv)
        #expect(o.columns == ["E-mail": "email", "Loyalty": "12345"])
        #expect(o.delimiter == UInt8(ascii: ";"))
        for (json, fragment) in [(#"{"format":"xml"}"#, "\"format\" must be"), (#"{"delimiter":";;"}"#, "\"delimiter\""),
                                 (#"{"columns":{"a":1}}"#, "\"columns\".\"a\" must be a string"),
                                 (#"{"colums":{}}"#, "unknown key \"colums\"")] {
            #expect {
                try FileOptions.parse(json: json)
            } throws: { error in
                guard let error = error as? YespoError else { return false }
                return error.code == .invalidArgument && error.message.contains(fragment)
            }
        }
    }
}
