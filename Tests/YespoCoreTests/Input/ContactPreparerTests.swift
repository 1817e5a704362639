import Testing
@testable import YespoCore

@Suite struct InputPreparerBasics {
    @Test func normalisesEmailAndPhoneAndCompacts() {
        let v = verdict(#" { "firstName" : "John", "channels": [ {"type":"email","value":"  John.Smith@Example.COM "}, {"value":"+38 (094) 258-36.91","type":"SMS"} ], "x": [1, 2, {"y" : null}] } "#)
        #expect(v.output == #"{"firstName":"John","channels":[{"type":"email","value":"john.smith@example.com"},{"type":"sms","value":"380942583691"}],"x":[1,2,{"y":null}]}"#)
        #expect(v.prepared?.matchKey == "email:john.smith@example.com")
        #expect(v.prepared?.dedupeValue == "john.smith@example.com")
    }

    @Test func reasonSaysWhatAndWhere() {
        let v = verdict(#"{"channels":[{"type":"email","value":"a@b.co"},{"type":"email","value":"bob@"}]}"#, row: 17)
        #expect(v.reason == #"row 17: channels[1].value: "bob@" is not a valid email"#)
    }
}
