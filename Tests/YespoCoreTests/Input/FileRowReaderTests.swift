// FileRowReader over real files: CSV (RFC 4180, Yespo's columns), NDJSON and JSON arrays, with
// small buffers so that rows straddle reads, and rows longer than the buffer.
import Testing
import Glibc
@testable import YespoCore

func readFile(_ text: String, suffix: String, _ options: FileOptions = FileOptions(), batch: Int = 1000,
              bufferSize: Int = FileRowReader.defaultBufferSize, _ p: ContactPreparer = preparer()) throws -> [RowVerdict] {
    let f = TempFile(text, suffix: suffix)
    defer { f.remove() }
    return try readAll(f.path, options, batch: batch, bufferSize: bufferSize, p)
}

func readError(_ text: String, suffix: String, _ options: FileOptions = FileOptions(),
               bufferSize: Int = FileRowReader.defaultBufferSize) -> YespoError? {
    do {
        _ = try readFile(text, suffix: suffix, options, bufferSize: bufferSize)
        return nil
    } catch let e as YespoError {
        return e
    } catch {
        return YespoError(.internal, "unexpected \(error)")
    }
}

@Suite struct InputCSVFiles {
    @Test func yespoColumnsQuotesAndCRLF() throws {
        let rows = try readFile("\u{FEFF}First name,Last name,Email,Sms,City,12345,Unknown\r\n"
            + "John,\"Smith, Jr.\",JOHN@EXAMPLE.COM,+380 94 258 3691,Kyiv,\"say \"\"hi\"\"\",zzz\r\n"
            + "\r\n"
            + "Ann,,ann@example.com,,,,\n", suffix: ".csv")
        #expect(rows.count == 2)
        #expect(rows[0].output == #"{"firstName":"John","lastName":"Smith, Jr.","channels":[{"type":"email","value":"john@example.com"},{"type":"sms","value":"380942583691"}],"address":{"town":"Kyiv"},"fields":[{"id":12345,"value":"say \"hi\""}]}"#)
        #expect(rows[1].output == #"{"firstName":"Ann","channels":[{"type":"email","value":"ann@example.com"}]}"#)
        #expect(rows.map(\.row) == [1, 2])
    }

    @Test func everyYespoColumnCaseInsensitive() throws {
        let rows = try readFile(" FIRST NAME ,last name,EMAIL,sms,Address,Region,City,Postcode,Language code,TIMEZONE,Contact id,External customer id\n"
            + "A,B,a@b.co,1234567,Street 1,West,London,N1,en,Europe/London,0042,crm-1\n", suffix: ".csv")
        #expect(rows.first?.output == #"{"firstName":"A","lastName":"B","languageCode":"en","timeZone":"Europe/London","id":42,"externalCustomerId":"crm-1","channels":[{"type":"email","value":"a@b.co"},{"type":"sms","value":"1234567"}],"address":{"address":"Street 1","region":"West","town":"London","postcode":"N1"}}"#)
        #expect(rows.first?.prepared?.matchKey == "ext:crm-1")
    }

    @Test func embeddedNewlinesAndDelimitersInQuotes() throws {
        let rows = try readFile("Email,First name,Address\r\n"
            + "a@b.co,\"Multi\r\nLine\",\"1, \"\"Main\"\" St\n2nd floor\"\r\n"
            + "c@d.co,\"\",\n", suffix: ".csv")
        #expect(rows.count == 2)
        #expect(rows[0].output == #"{"firstName":"Multi\r\nLine","channels":[{"type":"email","value":"a@b.co"}],"address":{"address":"1, \"Main\" St\n2nd floor"}}"#)
        #expect(rows[1].output == #"{"channels":[{"type":"email","value":"c@d.co"}]}"#)
    }

    @Test func rowReasonsNameTheColumn() throws {
        let rows = try readFile("First name,Email,Sms,Contact id\n"
            + "\(String(repeating: "n", count: 41)),a@b.co,,\n"
            + "Bob,bob@,,\n"
            + "Bob,,12,\n"
            + "Bob,b@c.do,,x1\n"
            + "Bob,b@c.do,,1,extra\n"
            + "Bob,\"b@c.do\"x,,\n"
            + "Bob,,,\n"
            + "Bob,\"b@c.do,,\n", suffix: ".csv")
        #expect(rows.map(\.reason) == [
            "row 1: First name (column 1): is 41 characters long, at most 40 allowed",
            #"row 2: Email (column 2): "bob@" is not a valid email"#,
            "row 3: Sms (column 3): \"12\" is not a valid phone number (7 to 15 digits after removing spaces, '-', '(', ')', '.' and a leading '+')",
            #"row 4: Contact id (column 4): "x1" is not a contact id (digits)"#,
            "row 5: 5 cells but the header has 4 columns",
            "row 6: column 2: unexpected 'x' after the closing quote",
            "row 7: no channels: a contact needs at least one (email, sms, mobilepush, webpush, viber)",
            "row 8: column 2: a quoted cell is not closed",
        ])
        if case .invalid(_, _, let raw)? = rows.last { #expect(raw == Array("Bob,\"b@c.do,,\n".utf8)) }
        if case .invalid(_, _, let raw)? = rows.first { #expect(raw == Array("\(String(repeating: "n", count: 41)),a@b.co,,".utf8)) }
    }

    @Test func nonUTF8CellSpoilsOnlyItsRow() throws {
        let bytes = Array("Email,City\na@b.co,K".utf8) + [0xFF, 0xFE] + Array("\nc@d.co,Kyiv\n".utf8)
        let f = TempFile(bytes, suffix: ".csv")
        defer { f.remove() }
        let rows = try readAll(f.path)
        #expect(rows.map(\.reason) == ["row 1: City (column 2): invalid UTF-8", nil])
        // Bad bytes in an ignored column do not matter.
        let g = TempFile(Array("Email,Junk\na@b.co,".utf8) + [0xFF] + [0x0A], suffix: ".csv")
        defer { g.remove() }
        #expect(try readAll(g.path).first?.prepared != nil)
    }

    @Test func columnsOptionMapsExtraHeadersAndProfileKeys() throws {
        var o = FileOptions()
        o.columns = ["Mail": "email", "PROFILE.AGE": "777", "profile.city": "-", "Handy": "SMS", "Kunde": "externalCustomerId"]
        let rows = try readFile("Mail,PROFILE.AGE,PROFILE.CITY,Handy,Kunde,Vorname\nA@B.CO,33,Lviv,1234567,k-1,Hans\n", suffix: ".csv", o)
        #expect(rows.first?.output == #"{"externalCustomerId":"k-1","channels":[{"type":"email","value":"a@b.co"},{"type":"sms","value":"1234567"}],"fields":[{"id":777,"value":"33"}]}"#)
    }

    @Test func semicolonDelimiter() throws {
        var o = FileOptions()
        o.delimiter = UInt8(ascii: ";")
        let rows = try readFile("Email;First name\na@b.co;\"x;y\"\n", suffix: ".txt", o)
        #expect(rows.first?.output == #"{"firstName":"x;y","channels":[{"type":"email","value":"a@b.co"}]}"#)
    }

    @Test func twoEmailColumnsMakeTwoChannels() throws {
        var o = FileOptions()
        o.columns = ["Email 2": "email"]
        let rows = try readFile("Email,Email 2\na@b.co,C@D.co\n", suffix: ".csv", o)
        #expect(rows.first?.output == #"{"channels":[{"type":"email","value":"a@b.co"},{"type":"email","value":"c@d.co"}]}"#)
    }

    @Test func headerProblemsStopTheFileBeforeAnyRow() {
        #expect(readError("Email,PROFILE.AGE\na@b.co,3\n", suffix: ".csv")?.message.contains(#"column "PROFILE.AGE" is a Yespo custom-field key"#) == true)
        #expect(readError("Foo,Bar\n1,2\n", suffix: ".csv")?.message.contains("no column of the header is known") == true)
        #expect(readError("Email,E-mail,email\n", suffix: ".csv")?.message.contains(#"columns 1 ("Email") and 3 ("email") both fill the same field"#) == true)
        #expect(readError("First name,firstname\n", suffix: ".csv")?.message.contains("both fill the same field") == true)
        var o = FileOptions()
        o.columns = ["Nope": "email"]
        #expect(readError("Email\n", suffix: ".csv", o)?.message.contains(#"columns: there is no column "Nope" in the header"#) == true)
        o.columns = ["Email": "shoeSize"]
        #expect(readError("Email\n", suffix: ".csv", o)?.message.contains(#"columns: "shoeSize" (for column "Email") is not a contact field"#) == true)
        #expect(readError("\"Email\n", suffix: ".csv")?.message.contains("the header row is not valid CSV") == true)
        #expect(readError("Email\n", suffix: ".csv")?.code == nil)
    }

    @Test func emptyAndHeaderOnlyFilesHaveNoRows() throws {
        #expect(try readFile("", suffix: ".csv").isEmpty)
        #expect(try readFile("\u{FEFF}", suffix: ".csv").isEmpty)
        #expect(try readFile("Email,First name\r\n", suffix: ".csv").isEmpty)
    }

    @Test func missingCellsAreFine() throws {
        let rows = try readFile("Email,First name,Last name\na@b.co\n", suffix: ".csv")
        #expect(rows.first?.output == #"{"channels":[{"type":"email","value":"a@b.co"}]}"#)
    }

    @Test func recordsStraddleSmallBuffersAndBatches() throws {
        var text = "Email,First name,Address\n"
        for n in 0..<500 { text += "user\(n)@example.com,\"Name \(n)\",\"line1\nline2 \"\"\(n)\"\"\"\n" }
        let rows = try readFile(text, suffix: ".csv", batch: 7, bufferSize: 97)
        #expect(rows.count == 500)
        #expect(rows.map(\.row) == Array(1...500))
        #expect(rows[499].output == #"{"firstName":"Name 499","channels":[{"type":"email","value":"user499@example.com"}],"address":{"address":"line1\nline2 \"499\""}}"#)
    }

    @Test func rowLongerThanTheBufferIsOneInvalidRow() throws {
        let long = String(repeating: "x", count: 5000)
        let rows = try readFile("Email,First name\na@b.co,\"\(long)\nstill\"\nc@d.co,ok\n", suffix: ".csv", bufferSize: 1024)
        #expect(rows.map(\.reason) == ["row 1: longer than 1 KiB, the most a row may have", nil])
        if case .invalid(_, _, let raw) = rows[0] { #expect(raw.count == 1024) }
        #expect(rows[1].output == #"{"firstName":"ok","channels":[{"type":"email","value":"c@d.co"}]}"#)
    }
}

@Suite struct InputNDJSONAndArrayFiles {
    @Test func ndjsonFile() throws {
        let rows = try readFile("\u{FEFF}\(contactA)\r\n\n\(contactB)", suffix: ".jsonl", bufferSize: 40)
        #expect(rows.map(\.reason) == ["row 1: longer than 0 KiB, the most a row may have", "row 2: longer than 0 KiB, the most a row may have"])
        let ok = try readFile("\u{FEFF}\(contactA)\r\n\n{oops}\n\(contactB)", suffix: ".ndjson", bufferSize: 64)
        #expect(ok.map(\.output) == [contactA, nil, contactB])
        #expect(ok[1].reason == "row 2: invalid JSON at byte 1: expected a string key")
    }

    @Test func jsonArrayFileStreamsElementByElement() throws {
        var text = "\u{FEFF} [\n"
        for n in 0..<300 {
            text += #"  {"channels":[{"type":"email","value":"U\#(n)@x.io"}],"note":"] } [ { \" \\ "}"#
            text += n == 299 ? "\n" : ",\n"
        }
        text += "]\n"
        for buffer in [100, 257, 4096, FileRowReader.defaultBufferSize] {
            let rows = try readFile(text, suffix: ".json", batch: 13, bufferSize: buffer)
            #expect(rows.count == 300)
            #expect(rows[0].output == #"{"channels":[{"type":"email","value":"u0@x.io"}],"note":"] } [ { \" \\ "}"#)
            #expect(rows[299].prepared?.matchKey == "email:u299@x.io")
        }
    }

    @Test func jsonArrayElementErrorsAreRowsStructureErrorsStopTheFile() throws {
        let rows = try readFile(#"[{"a" 1}, 7, "s", {"channels":[{"type":"email","value":"a@b.co"}]}, nul]"#, suffix: ".json")
        #expect(rows.map(\.reason) == [
            "row 1: invalid JSON at byte 5: expected ':' after an object key",
            "row 2: expected a JSON object, got a number",
            "row 3: expected a JSON object, got a string",
            nil,
            "row 5: expected a JSON object, got an invalid token",
        ])
        #expect(readError("[{}, {} {}]", suffix: ".json")?.message.contains("expected ',' or ']' after an element, found '{' at byte 8") == true)
        #expect(readError("[{}, ]", suffix: ".json")?.message.contains("expected an element, found ']' at byte 5") == true)
        #expect(readError("[{}", suffix: ".json")?.message.contains("the array is not closed at byte 3") == true)
        #expect(readError(#"[{"a":"#, suffix: ".json")?.message.contains("the input ends inside an element at byte 6") == true)
        #expect(readError("[] x", suffix: ".json")?.message.contains("unexpected 'x' after the end of the array at byte 3") == true)
        #expect(readError("", suffix: ".json", FileOptions.json)?.message.contains("expected '[', found the end of the input at byte 0") == true)
        #expect(try readFile("[ ]", suffix: ".json").isEmpty)
    }

    @Test func formatIsSniffedWithoutAKnownExtension() throws {
        #expect(try readFile("[\(contactA)]", suffix: ".txt").first?.output == contactA)
        #expect(try readFile("\(contactA)\n", suffix: ".txt").first?.output == contactA)
        #expect(try readFile("\(contactA)\n\(contactB)\n", suffix: ".json").count == 2)
        #expect(try readFile("Email\na@b.co\n", suffix: ".dat").first?.output == contactA)
    }

    @Test func missingFileAndClosedReader() throws {
        #expect(throws: YespoError(.io, "cannot open '/nonexistent/x.csv': No such file or directory")) {
            _ = try FileRowReader(path: "/nonexistent/x.csv", options: FileOptions())
        }
        #expect(throws: YespoError.self) { _ = try FileRowReader(path: "", options: FileOptions()) }
        let f = TempFile("\(contactA)\n", suffix: ".ndjson")
        defer { f.remove() }
        let r = try FileRowReader(path: f.path, options: FileOptions())
        r.close()
        r.close()
        #expect(throws: YespoError.self) { _ = try r.read(firstRow: 1, maxRows: 10, preparer: preparer()) { _ in } }
    }

    @Test func readingPastTheEndKeepsReturningZero() throws {
        let f = TempFile("\(contactA)\n", suffix: ".ndjson")
        defer { f.remove() }
        let r = try FileRowReader(path: f.path, options: FileOptions())
        defer { r.close() }
        #expect(try r.read(firstRow: 1, maxRows: 10, preparer: preparer()) { _ in } == 1)
        #expect(try r.read(firstRow: 2, maxRows: 10, preparer: preparer()) { _ in } == 0)
        #expect(try r.read(firstRow: 2, maxRows: 10, preparer: preparer()) { _ in } == 0)
    }
}

extension FileOptions {
    static var json: FileOptions { var o = FileOptions(); o.format = .json; return o }
}

@Suite struct InputStdin {
    /// "-" reads standard input: a pipe is put in place of fd 0 for the duration of the test.
    @Test func dashReadsStandardInput() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = Array("Email,First name\r\na@b.co,Ann\r\n".utf8)
        #expect(text.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == text.count)
        close(fds[1])
        let saved = dup(0)
        dup2(fds[0], 0)
        close(fds[0])
        defer { dup2(saved, 0); close(saved) }
        let rows = try readAll("-")
        #expect(rows.first?.output == #"{"firstName":"Ann","channels":[{"type":"email","value":"a@b.co"}]}"#)
        #expect(rows.count == 1)
    }
}
