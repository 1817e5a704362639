// Every validation rule of contracts §3 and the reason it gives.
import Testing
@testable import YespoCore

@Suite struct InputPreparerBasics {
    @Test func normalisesEmailAndPhoneAndCompacts() {
        let v = verdict(#" { "firstName" : "John", "channels": [ {"type":"email","value":"  John.Smith@Example.COM "}, {"value":"+38 (094) 258-36.91","type":"SMS"} ], "x": [1, 2, {"y" : null}] } "#)
        #expect(v.output == #"{"firstName":"John","channels":[{"type":"email","value":"john.smith@example.com"},{"type":"sms","value":"380942583691"}],"x":[1,2,{"y":null}]}"#)
        #expect(v.prepared?.matchKey == "email:john.smith@example.com")
        #expect(v.prepared?.dedupeValue == "john.smith@example.com")
        #expect(v.row == 1)
    }

    @Test func reasonSaysWhatAndWhere() {
        let v = verdict(#"{"channels":[{"type":"email","value":"a@b.co"},{"type":"email","value":"bob@"}]}"#, row: 17)
        #expect(v.reason == #"row 17: channels[1].value: "bob@" is not a valid email"#)
        #expect(v.row == 17)
        if case .invalid(_, _, let raw) = v { #expect(raw == Array(#"{"channels":[{"type":"email","value":"a@b.co"},{"type":"email","value":"bob@"}]}"#.utf8)) }
    }

    @Test func unknownKeysPassThroughCompacted() {
        let v = verdict(#"{"groups" : [ {"id": 1, "name":"A \"q\" \u00e9"} ], "channels":[{"type":"email","value":"a@b.co"}], "n": -1.5e+3, "t": true, "f": false}"#)
        #expect(v.output == #"{"groups":[{"id":1,"name":"A \"q\" \u00e9"}],"channels":[{"type":"email","value":"a@b.co"}],"n":-1.5e+3,"t":true,"f":false}"#)
    }

    @Test func knownKeysSetToNullAreLeftOut() {
        let v = verdict(#"{"firstName":null,"lastName":null,"address":null,"fields":null,"id":null,"externalCustomerId":null,"languageCode":null,"timeZone":null,"contactKey":null,"channels":[{"type":"email","value":"a@b.co"}]}"#)
        #expect(v.output == #"{"channels":[{"type":"email","value":"a@b.co"}]}"#)
    }

    @Test func emptyObjectHasNoChannels() {
        #expect(verdict("{}").reason == "row 1: no channels: a contact needs at least one (email, sms, mobilepush, webpush, viber)")
        #expect(verdict(#"{"channels":[]}"#).reason == "row 1: no channels: a contact needs at least one (email, sms, mobilepush, webpush, viber)")
    }
}

@Suite struct InputTypeRules {
    let email = #""channels":[{"type":"email","value":"a@b.co"}]"#

    @Test(arguments: [
        (#"{"id":"12"}"#, "row 1: id: expected an integer, got a string"),
        (#"{"id":1.5}"#, "row 1: id: 1.5 is not a non-negative integer (at most 18 digits)"),
        (#"{"id":-3}"#, "row 1: id: -3 is not a non-negative integer (at most 18 digits)"),
        (#"{"id":12345678901234567890}"#, "row 1: id: 12345678901234567890 is not a non-negative integer (at most 18 digits)"),
        (#"{"externalCustomerId":true}"#, "row 1: externalCustomerId: expected a string or an integer, got a boolean"),
        (#"{"externalCustomerId":1e3}"#, "row 1: externalCustomerId: 1e3 is not an integer or a string"),
        (#"{"firstName":5}"#, "row 1: firstName: expected a string, got a number"),
        (#"{"lastName":{}}"#, "row 1: lastName: expected a string, got an object"),
        (#"{"languageCode":[]}"#, "row 1: languageCode: expected a string, got an array"),
        (#"{"timeZone":false}"#, "row 1: timeZone: expected a string, got a boolean"),
        (#"{"contactKey":1}"#, "row 1: contactKey: expected a string, got a number"),
        (#"{"channels":{}}"#, "row 1: channels: expected an array, got an object"),
        (#"{"channels":["a@b.co"]}"#, "row 1: channels[0]: expected an object, got a string"),
        (#"{"address":"Kyiv"}"#, "row 1: address: expected an object, got a string"),
        (#"{"address":{"town":1}}"#, "row 1: address.town: expected a string, got a number"),
        (#"{"fields":{}}"#, "row 1: fields: expected an array, got an object"),
        (#"{"fields":[1]}"#, "row 1: fields[0]: expected an object, got a number"),
        (#"{"fields":[{"value":"x"}]}"#, "row 1: fields[0].id: missing"),
        (#"{"fields":[{"id":"x1","value":"x"}]}"#, #"row 1: fields[0].id: expected a custom field id (an integer or a string of digits), got "x1""#),
        (#"{"fields":[{"id":1.5,"value":"x"}]}"#, "row 1: fields[0].id: expected a custom field id (an integer or a string of digits), got 1.5"),
        (#"{"fields":[{"id":1}]}"#, "row 1: fields[0].value: missing"),
        (#"{"fields":[{"id":1,"value":[1]}]}"#, "row 1: fields[0].value: expected a string, number or boolean, got an array"),
        (#"{"fields":[{"id":1,"id":2,"value":"x"}]}"#, #"row 1: fields[0]: key "id" appears twice"#),
        (#"{"firstName":"a","firstName":"b"}"#, #"row 1: key "firstName" appears twice"#),
        (#"{"channels":[{"value":"a@b.co"}]}"#, "row 1: channels[0].type: missing"),
        (#"{"channels":[{"type":"email"}]}"#, "row 1: channels[0].value: missing"),
        (#"{"channels":[{"type":1,"value":"a@b.co"}]}"#, "row 1: channels[0].type: expected a string"),
        (#"{"channels":[{"type":"fax","value":"1"}]}"#, #"row 1: channels[0].type: "fax" is not a channel type (email, sms, mobilepush, webpush, viber)"#),
        (#"{"channels":[{"type":"email","value":5}]}"#, "row 1: channels[0].value: expected a string"),
        (#"{"channels":[{"type":"viber","value":"  "}]}"#, "row 1: channels[0].value: is empty"),
    ])
    func typeErrors(_ json: String, _ reason: String) {
        #expect(verdict(json).reason == reason)
    }

    @Test func externalCustomerIdIntegerBecomesString() {
        let v = verdict(#"{"externalCustomerId":42,\#(email)}"#)
        #expect(v.output == #"{"externalCustomerId":"42",\#(email)}"#)
        #expect(v.prepared?.matchKey == "ext:42")
        #expect(v.prepared?.dedupeValue == "a@b.co")
    }

    @Test func emptyExternalCustomerIdIsLeftOut() {
        let v = verdict(#"{"externalCustomerId":" ",\#(email)}"#)
        #expect(v.output == #"{\#(email)}"#)
        #expect(v.prepared?.matchKey == "email:a@b.co")
    }

    @Test func fieldsAreNormalised() {
        let v = verdict(#"{\#(email),"fields":[{"id":"007","value":3.50},{"value":true,"id":8},{"id":9,"value":null,"extra":{"k": 1}},{"id":10,"value":"x\ty"}]}"#)
        #expect(v.output == #"{\#(email),"fields":[{"id":7,"value":"3.50"},{"id":8,"value":"true"},{"id":9,"value":"","extra":{"k":1}},{"id":10,"value":"x\ty"}]}"#)
    }

    @Test func addressKeepsStringsDropsNulls() {
        let v = verdict(#"{\#(email),"address":{"town":"Kyiv","region":null,"postcode":"01001","custom":"x"}}"#)
        #expect(v.output == #"{\#(email),"address":{"town":"Kyiv","postcode":"01001","custom":"x"}}"#)
        #expect(verdict(#"{\#(email),"address":{}}"#).output == #"{\#(email),"address":{}}"#)
    }

    @Test func idIsKept() {
        let v = verdict(#"{"id":123,\#(email)}"#, preparer(.id))
        #expect(v.output == #"{"id":123,\#(email)}"#)
        #expect(v.prepared?.matchKey == "id:123")
        #expect(v.prepared?.dedupeValue == "123")
    }
}

@Suite struct InputChannelRules {
    func channel(_ type: String, _ value: String) -> String {
        #"{"channels":[{"type":"\#(type)","value":\#(value)}]}"#
    }

    @Test(arguments: [
        ("a@b.c", "a@b.c"), ("  Mixed.Case+tag@Sub.Example.ORG\t", "mixed.case+tag@sub.example.org"),
        ("ÖLGA@Пример.РФ", "ölga@пример.рф"), ("x_y-z@d-1.io", "x_y-z@d-1.io"),
    ])
    func validEmails(_ input: String, _ normalised: String) {
        var json: [UInt8] = []
        appendJSONString(Array(input.utf8), into: &json)
        let v = verdict(channel("email", String(decoding: json, as: UTF8.self)))
        #expect(v.output == channel("email", "\"\(normalised)\""))
        #expect(v.prepared?.matchKey == "email:\(normalised)")
    }

    @Test(arguments: ["bob@", "@b.co", "a@b", "a@.co", "a@b..co", "a@b.co.", "a b@c.do", "a@b@c.do", "a\"b@c.do",
                      "a(b)@c.do", "", "   ", "a@b.co\u{7F}",
                      String(repeating: "a", count: 65) + "@b.co",
                      "a@" + String(repeating: "b", count: 250) + ".co"])
    func invalidEmails(_ input: String) {
        var json: [UInt8] = []
        appendJSONString(Array(input.utf8), into: &json)
        let v = verdict(channel("email", String(decoding: json, as: UTF8.self)))
        #expect(v.reason?.hasPrefix("row 1: channels[0].value: ") == true)
        #expect(v.reason?.hasSuffix(" is not a valid email") == true)
    }

    @Test func escapedEmailIsDecodedFirst() {
        let v = verdict(channel("email", #""\u0041@b.co""#))
        #expect(v.output == channel("email", #""a@b.co""#))
        #expect(verdict(channel("email", #""a\n@b.co""#)).reason == #"row 1: channels[0].value: "a\n@b.co" is not a valid email"#)
    }

    @Test(arguments: [
        ("\"+380 (94) 258-36.91\"", "380942583691"), ("\"1234567\"", "1234567"), ("\" 123456789012345 \"", "123456789012345"),
        ("380942583691", "380942583691"),
    ])
    func validPhones(_ input: String, _ digits: String) {
        let v = verdict(channel("sms", input), preparer(.sms))
        #expect(v.output == channel("sms", "\"\(digits)\""))
        #expect(v.prepared?.matchKey == "sms:\(digits)")
        #expect(v.prepared?.dedupeValue == digits)
    }

    @Test(arguments: ["\"123456\"", "\"1234567890123456\"", "\"38094x2583691\"", "\"380+942583691\"", "\"++380942583691\"",
                      "\"\"", "1.5e10", "-3809425836"])
    func invalidPhones(_ input: String) {
        let v = verdict(channel("sms", input))
        #expect(v.reason?.contains("channels[0].value: ") == true)
        let ok = v.reason?.hasSuffix("is not a valid phone number (7 to 15 digits after removing spaces, '-', '(', ')', '.' and a leading '+')") == true
            || v.reason == "row 1: channels[0].value: expected a string"
        #expect(ok, "\(v.reason ?? "accepted")")
    }

    @Test func channelTypesAreCaseInsensitiveAndCanonical() {
        let v = verdict(#"{"channels":[{"type":"MobilePush","value":"tok-1"},{"type":"WEBPUSH","value":"{\"endpoint\":\"x\"}"},{"type":"Viber","value":"380942583691"}]}"#, preparer(.webpush))
        #expect(v.output == #"{"channels":[{"type":"mobilepush","value":"tok-1"},{"type":"webpush","value":"{\"endpoint\":\"x\"}"},{"type":"viber","value":"380942583691"}]}"#)
        #expect(v.prepared?.matchKey == #"webpush:{"endpoint":"x"}"#)
        #expect(verdict(#"{"channels":[{"type":"mobilepush","value":"tok-1"}]}"#, preparer(.push)).prepared?.matchKey == "push:tok-1")
    }

    @Test func atMostTwoOfOneType() {
        let two = #"{"type":"email","value":"a@b.co"},{"type":"email","value":"c@d.co"}"#
        #expect(verdict(#"{"channels":[\#(two)]}"#).prepared != nil)
        #expect(verdict(#"{"channels":[\#(two),{"type":"Email","value":"e@f.co"}]}"#).reason == "row 1: channels: more than two channels of type email")
        #expect(verdict(#"{"channels":[\#(two),{"type":"sms","value":"1234567"},{"type":"sms","value":"1234568"}]}"#).prepared != nil)
    }

    @Test func unknownChannelMembersAreKept() {
        let v = verdict(#"{"channels":[{"status": "ACTIVE" ,"value":"A@B.CO","type":"email"}]}"#)
        #expect(v.output == #"{"channels":[{"type":"email","value":"a@b.co","status":"ACTIVE"}]}"#)
    }
}

@Suite struct InputNameRules {
    @Test func fortyScalarsAllowedFortyOneNot() {
        let forty = String(repeating: "Ї", count: 40)
        #expect(verdict(#"{"firstName":"\#(forty)","channels":[{"type":"email","value":"a@b.co"}]}"#).prepared != nil)
        #expect(verdict(#"{"lastName":"\#(forty)x","channels":[{"type":"email","value":"a@b.co"}]}"#).reason
            == "row 1: lastName: is 41 characters long, at most 40 allowed")
        // Escapes count as the characters they stand for; a surrogate pair is one scalar.
        let escaped = String(repeating: #"\ud83d\ude00"#, count: 40)
        #expect(verdict(#"{"firstName":"\#(escaped)","channels":[{"type":"email","value":"a@b.co"}]}"#).prepared != nil)
        #expect(verdict(#"{"firstName":"\#(escaped)\u0041","channels":[{"type":"email","value":"a@b.co"}]}"#).reason
            == "row 1: firstName: is 41 characters long, at most 40 allowed")
    }
}
