// Hostile and unusual JSON: every malformed input becomes an invalid row with a reason that says
// where, never a crash; escapes and Unicode survive; output re-scanned is valid and stable.
import Testing
@testable import YespoCore

@Suite struct InputJSONSyntax {
    let ok = #""channels":[{"type":"email","value":"a@b.co"}]"#

    @Test(arguments: [
        (#"{"channels":[{"type":"email","value":"a@b.co"}]"#, "row 1: invalid JSON: expected ',' or '}' in an object (the text ends at byte 47)"),
        (#"{"channels":[{"type":"email","value":"a@b.co"#, "row 1: invalid JSON at byte 37: unterminated string"),
        (#"{"a":NaN}"#, "row 1: invalid JSON at byte 5: unexpected 'N'"),
        (#"{"a":Infinity}"#, "row 1: invalid JSON at byte 5: unexpected 'I'"),
        (#"{"a":-Infinity}"#, "row 1: invalid JSON at byte 5: invalid number"),
        (#"{"a":01}"#, "row 1: invalid JSON at byte 6: expected ',' or '}' in an object"),
        (#"{"a":1.}"#, "row 1: invalid JSON at byte 5: invalid number (digit expected after '.')"),
        (#"{"a":.5}"#, "row 1: invalid JSON at byte 5: unexpected '.'"),
        (#"{"a":1e}"#, "row 1: invalid JSON at byte 5: invalid number (digit expected in exponent)"),
        (#"{"a":+1}"#, "row 1: invalid JSON at byte 5: unexpected '+'"),
        (#"{"a":tru}"#, "row 1: invalid JSON at byte 5: invalid literal"),
        (#"{"a":nul"#, "row 1: invalid JSON at byte 5: invalid literal"),
        (#"{'a':1}"#, "row 1: invalid JSON at byte 1: expected a string key"),
        (#"{"a" 1}"#, "row 1: invalid JSON at byte 5: expected ':' after an object key"),
        (#"{"a":1,}"#, "row 1: invalid JSON at byte 7: expected a string key"),
        (#"{"a":[1,]}"#, "row 1: invalid JSON at byte 8: unexpected ']'"),
        (#"{"a":1} {"#, "row 1: invalid JSON at byte 8: unexpected data after the object"),
        (#"{"a":"\x"}"#, #"row 1: invalid JSON at byte 6: invalid escape \x"#),
        (#"{"a":"\u12"}"#, #"row 1: invalid JSON at byte 6: invalid \u escape"#),
        (#"{"a":"\ud800"}"#, #"row 1: invalid JSON at byte 6: lone high surrogate \uD800 (needs a \uDC00-\uDFFF pair)"#),
        (#"{"a":"\ud800\u0041"}"#, #"row 1: invalid JSON at byte 6: lone high surrogate \uD800 (needs a \uDC00-\uDFFF pair)"#),
        (#"{"a":"\udc00"}"#, #"row 1: invalid JSON at byte 6: lone low surrogate \uDC00"#),
        ("{\"a\":\"x\ty\"}", "row 1: invalid JSON at byte 7: control character 0x09 inside a string (must be escaped)"),
        ("[]", "row 1: expected a JSON object, got an array"),
        ("\"x\"", "row 1: expected a JSON object, got a string"),
        ("42", "row 1: expected a JSON object, got a number"),
        ("null", "row 1: expected a JSON object, got null"),
        ("", "row 1: empty row: expected a JSON object"),
        ("   ", "row 1: empty row: expected a JSON object"),
        ("{", "row 1: invalid JSON: expected a string key (the text ends at byte 1)"),
    ])
    func malformed(_ json: String, _ reason: String) {
        #expect(verdict(json).reason == reason)
    }

    @Test func invalidUTF8IsAnInvalidRowWithItsPosition() {
        let cases: [[UInt8]] = [
            [0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xC3], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        ]
        for bad in cases {
            for key in ["firstName", "unknown"] {
                let bytes = Array(#"{"\#(key)":"a"#.utf8) + bad + Array(#"b",\#(ok)}"#.utf8)
                let at = key.utf8.count + 6
                #expect(verdict(bytes: bytes).reason == "row 1: invalid UTF-8 at byte \(at)", "\(bad)")
            }
        }
        // Bytes outside strings are never valid JSON.
        #expect(verdict(bytes: [0x7B, 0xC3, 0xA9, 0x7D]).reason == "row 1: invalid JSON at byte 1: expected a string key")
    }

    @Test func validUnicodeAndEscapesSurvive() {
        let json = #"{"firstName":"Ярослава 👩‍💻 \ud83d\ude00 \u00e9\n\"\\\/","x":"\u0000",\#(ok)}"#
        let v = verdict(json)
        #expect(v.output == #"{"firstName":"Ярослава 👩‍💻 \ud83d\ude00 \u00e9\n\"\\\/","x":"\u0000",\#(ok)}"#)
    }

    @Test func utf8BoundariesAreAccepted() {
        for scalar in ["\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}"] {
            #expect(verdict(#"{"x":"\#(scalar)",\#(ok)}"#).prepared != nil, "\(scalar.unicodeScalars.first!.value)")
        }
    }

    @Test func deepNestingIsBoundedNotACrash() {
        let depth = 100_000
        let deep = "{\"x\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + ",\(ok)}"
        #expect(verdict(deep).reason == "row 1: invalid JSON at byte \(5 + maxJSONDepth - 1): nesting deeper than 64 levels")
        let fine = "{\"x\":" + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + ",\(ok)}"
        #expect(verdict(fine).prepared != nil)
        let objects = "{\"x\":" + String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth) + "}"
        #expect(verdict(objects).reason?.hasSuffix("nesting deeper than 64 levels") == true)
    }

    @Test func hugeStringsAreFine() {
        let big = String(repeating: "abcdefghé", count: 200_000)
        let v = verdict(#"{"note":"\#(big)",\#(ok)}"#)
        #expect(v.prepared?.json.count == #"{"note":"\#(big)",\#(ok)}"#.utf8.count)
        let name = verdict(#"{"firstName":"\#(big)",\#(ok)}"#)
        #expect(name.reason == "row 1: firstName: is 1800000 characters long, at most 40 allowed")
        if case .invalid(_, _, let raw) = name { #expect(raw.count == ContactPreparer.maxRawBytes) }
    }

    @Test func outputIsValidAndStableWhenPreparedAgain() {
        let inputs = [
            sampleContactJSON(7),
            #"{ "externalCustomerId" : 9 , "channels" : [ { "type" : "SMS" , "value" : "+1 (234) 567-8901" , "m" : [ 1 , { } ] } ] , "fields" : [ { "id" : "12" , "value" : 1e2 } ] }"#,
            #"{"externalCustomerId":"e\u0031","firstName":"\u0041\u00e9\ud83d\ude00","channels":[{"type":"webpush","value":"{\"a\":\"\\u0001\"}"}],"z":{"y":[true,false,null,-0.0e-0]}}"#,
        ]
        for input in inputs {
            for p in [preparer(.emailOrSms), preparer(.externalCustomerId), preparer(.emailOrSms, validate: false)] {
                let first = verdict(input, p)
                guard let once = first.prepared else { Issue.record("rejected: \(first.reason ?? "")"); continue }
                let twice = verdict(bytes: once.json, p).prepared
                #expect(twice?.json == once.json)
                #expect(twice?.matchKey == once.matchKey)
                #expect(twice?.dedupeValue == once.dedupeValue)
            }
        }
    }
}

@Suite struct InputValidateOff {
    @Test func sendsAsGivenButStillNeedsOneJSONObject() {
        let p = preparer(.email, validate: false)
        let v = verdict(#" { "firstName" : 5, "channels" : [ {"type":"fax","value":"X"} ] } "#, p)
        #expect(v.output == #"{"firstName":5,"channels":[{"type":"fax","value":"X"}]}"#)
        #expect(v.prepared?.matchKey == nil)
        let normalisable = verdict(#"{"channels":[{"type":"email","value":"A@B.CO"}]}"#, p)
        #expect(normalisable.output == #"{"channels":[{"type":"email","value":"A@B.CO"}]}"#)
        #expect(normalisable.prepared?.matchKey == "email:a@b.co")
        #expect(verdict("[1]", p).reason == "row 1: expected a JSON object, got an array")
        #expect(verdict(#"{"a":}"#, p).reason == "row 1: invalid JSON at byte 5: unexpected '}'")
        #expect(verdict(bytes: Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8), p).reason == "row 1: invalid UTF-8 at byte 6")
    }
}
