import Testing
@testable import YespoCore

@Suite struct InputFileRowReaderTests {
    @Test func csvWithYespoColumns() throws {
        let f = TempFile("\u{FEFF}First name,Last name,Email,Sms,City,12345,Unknown\r\n"
            + "John,\"Smith, Jr.\",JOHN@EXAMPLE.COM,+380 94 258 3691,Kyiv,\"say \"\"hi\"\"\",zzz\r\n"
            + "\r\n"
            + "Ann,,ann@example.com,,,,\n", suffix: ".csv")
        defer { f.remove() }
        let rows = try readAll(f.path)
        #expect(rows.count == 2)
        #expect(rows[0].output == #"{"firstName":"John","lastName":"Smith, Jr.","channels":[{"type":"email","value":"john@example.com"},{"type":"sms","value":"380942583691"}],"address":{"town":"Kyiv"},"fields":[{"id":12345,"value":"say \"hi\""}]}"#)
        #expect(rows[1].output == #"{"firstName":"Ann","channels":[{"type":"email","value":"ann@example.com"}]}"#)
        #expect(rows[1].row == 2)
    }
}
