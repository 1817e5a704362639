// Files as spreadsheets and CRMs really export them: ';' or tab separated (sniffed), headers
// spelled any way ("E-mail address", "Mobile", "Surname"), UTF-16 from Excel's "Unicode text",
// legacy code pages (windows-1251, latin-1) converted while streaming, and the messages a user
// gets when a file cannot be read (the file named once, the fix spelled out).
import Testing
import Glibc
@testable import YespoCore

func readBytes(_ bytes: [UInt8], suffix: String = ".csv", _ options: FileOptions = FileOptions(),
               bufferSize: Int = FileRowReader.defaultBufferSize) throws -> (rows: [RowVerdict], input: InputDescription) {
    let f = TempFile(bytes, suffix: suffix)
    defer { f.remove() }
    let reader = try FileRowReader(path: f.path, options: options, bufferSize: bufferSize)
    defer { reader.close() }
    var all: [RowVerdict] = []
    while try reader.read(firstRow: all.count + 1, maxRows: 7, preparer: preparer(), { all.append($0) }) > 0 {}
    return (all, reader.description)
}

func bytesError(_ bytes: [UInt8], suffix: String = ".csv", _ options: FileOptions = FileOptions()) -> YespoError? {
    do { _ = try readBytes(bytes, suffix: suffix, options); return nil } catch let e as YespoError { return e } catch { return nil }
}

func utf16(_ text: String, bigEndian: Bool = false, bom: Bool = true) -> [UInt8] {
    var out: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
    for unit in text.utf16 {
        let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        out += bigEndian ? pair.reversed() : pair
    }
    return out
}

@Suite struct RealExportTests {
    @Test func europeanExcelExportIsReadWithoutOptions() throws {
        // ';', a UTF-8 BOM, CRLF and Excel's headers.
        let text = "\u{FEFF}First name;Last name;Email;Phone\r\nAnna;Müller;anna@example.de;+49 30 1234567\r\n"
            + "\"Jean; Luc\";Picard;jl@example.fr;\r\n"
        let (rows, input) = try readBytes(Array(text.utf8))
        #expect(rows.map(\.output) == [
            #"{"firstName":"Anna","lastName":"Müller","channels":[{"type":"email","value":"anna@example.de"},{"type":"sms","value":"49301234567"}]}"#,
            #"{"firstName":"Jean; Luc","lastName":"Picard","channels":[{"type":"email","value":"jl@example.fr"}]}"#,
        ])
        #expect(input.delimiter == UInt8(ascii: ";") && input.delimiterSniffed)
        #expect(input.encoding == "utf-8 (BOM)")
        #expect(input.columns.map(\.field) == ["firstName", "lastName", "email", "sms"])
        #expect(input.summary.contains("delimiter ';' (sniffed)"))
        #expect(input.summary.contains("Phone → sms"))
    }

    @Test func delimiterIsSniffedFromTheHeaderLine() throws {
        for (sep, name) in [(",", "','"), (";", "';'"), ("\t", "tab"), ("|", "'|'")] {
            let (rows, input) = try readBytes(Array("Email\(sep)First name\na@b.co\(sep)Ann\n".utf8))
            #expect(rows.first?.output == #"{"firstName":"Ann","channels":[{"type":"email","value":"a@b.co"}]}"#)
            #expect(input.delimiterName == name)
        }
        // Quoted delimiters do not count; a tie or a single column means ','.
        #expect(try readBytes(Array("\"a;b;c\",Email\nx,a@b.co\n".utf8)).input.delimiter == UInt8(ascii: ","))
        #expect(try readBytes(Array("Email\na@b.co\n".utf8)).input.delimiter == UInt8(ascii: ","))
        // A delimiter given wins over sniffing.
        var o = FileOptions()
        o.delimiter = UInt8(ascii: "|")
        let given = try readBytes(Array("Email|Notes;x;y\na@b.co|n\n".utf8), o)
        #expect(given.input.delimiterSniffed == false && given.rows.count == 1)
    }

    @Test func headersMatchIgnoringCaseAndPunctuationWithAliases() throws {
        let header = "E-mail address,MOBILE,given_name,Surname,ZIP,postal-town,State,Country,Notes,Customer ID"
        let (rows, input) = try readBytes(Array("\(header)\nA@B.co,+380 (44) 123-45-67,Ann,Lee,02000,,Kyiv oblast,UA,vip,c-9\n".utf8))
        #expect(rows.first?.output == #"{"firstName":"Ann","lastName":"Lee","externalCustomerId":"c-9","channels":[{"type":"email","value":"a@b.co"},{"type":"sms","value":"380441234567"}],"address":{"postcode":"02000","region":"Kyiv oblast"}}"#)
        #expect(input.columns.map(\.field) == ["email", "sms", "firstName", "lastName", "postcode", nil, "region", nil, nil,
                                               "externalCustomerId"])
        #expect(input.columns[7].note?.contains("no country field") == true)
        for name in ["Email", "e-mail", "E_MAIL", " Email Address ", "Phone number", "Mobile phone", "First Name",
                     "first_name", "Given name", "Last Name", "Postal code", "Zip Code", "Телефон", "Прізвище"] {
            #expect(CSVTarget.named(name) != nil, "\(name)")
        }
        #expect(CSVTarget.named("Name") == nil)
        #expect(CSVTarget.named("\u{0}\u{0}Timezone") == nil)   // punctuation is forgiven, control characters are not
        #expect(displayHeader("a\u{0}b") == "a\u{FFFD}b")
        #expect(CSVTarget.named("12-345") == nil)
        #expect(CSVTarget.named("12345") == .customField(12345))
    }

    @Test func mappingValuesAndKeysMatchTheSameWay() throws {
        var o = FileOptions()
        o.columns = ["loyalty tier": "777", "Nick": "given name"]
        let (rows, input) = try readBytes(Array("Email,Loyalty_Tier,NICK\na@b.co,gold,Al\n".utf8), o)
        #expect(rows.first?.output == #"{"firstName":"Al","channels":[{"type":"email","value":"a@b.co"}],"fields":[{"id":777,"value":"gold"}]}"#)
        #expect(input.columns.map(\.note) == [nil, "mapped", "mapped"])
    }

    @Test func utf16WithByteOrderMarkIsConvertedWhileStreaming() throws {
        let text = "First name\tLast name\tEmail\r\nОлена\tКоваль\tolena@example.com\r\n😀 Joy\tΣ\tjoy@example.com\r\n"
        for bigEndian in [false, true] {
            // A buffer of 97 bytes: rows, code units and surrogate pairs straddle reads.
            let (rows, input) = try readBytes(utf16(text, bigEndian: bigEndian), bufferSize: 97)
            #expect(rows.map(\.reason) == [nil, nil])
            #expect(rows.map(\.output) == [
                #"{"firstName":"Олена","lastName":"Коваль","channels":[{"type":"email","value":"olena@example.com"}]}"#,
                #"{"firstName":"😀 Joy","lastName":"Σ","channels":[{"type":"email","value":"joy@example.com"}]}"#,
            ])
            #expect(input.encoding == (bigEndian ? "utf-16be (BOM)" : "utf-16le (BOM)"))
            #expect(input.delimiterName == "tab")
        }
        // Many rows through a small buffer: every one arrives intact.
        var many = "Email,First name\n"
        for n in 0..<300 { many += "u\(n)@example.com,Ім'я \(n)\n" }
        let (rows, _) = try readBytes(utf16(many), bufferSize: 128)
        #expect(rows.count == 300)
        #expect(rows.last?.output == #"{"firstName":"Ім'я 299","channels":[{"type":"email","value":"u299@example.com"}]}"#)
    }

    @Test func utf16WithoutByteOrderMarkIsRefusedWithTheConversionCommand() {
        let e = bytesError(utf16("Email,First name\na@b.co,Ann\n", bom: false))
        #expect(e?.code == .invalidInput)
        #expect(e?.message.contains("looks like UTF-16 text without a byte order mark") == true)
        #expect(e?.message.contains("iconv -f UTF-16LE -t UTF-8 /tmp/yespo-input-") == true)
        #expect(e?.message.contains(".utf8.csv") == true)
        // ... and read when its encoding is given.
        var o = FileOptions()
        o.encoding = .utf16LE
        #expect((try? readBytes(utf16("Email,First name\na@b.co,Ann\n", bom: false), o))?.rows.first?.prepared != nil)
    }

    @Test func legacyCodePagesAreConvertedWhileStreaming() throws {
        // "Ім'я;Прізвище;Email" / "Олена;Коваль;..." in windows-1251.
        let cp1251: [UInt8] = [0xB2, 0xEC, 0x27, 0xFF, 0x3B, 0xCF, 0xF0, 0xB3, 0xE7, 0xE2, 0xE8, 0xF9, 0xE5, 0x3B]
            + Array("Email\r\n".utf8) + [0xCE, 0xEB, 0xE5, 0xED, 0xE0, 0x3B, 0xCA, 0xEE, 0xE2, 0xE0, 0xEB, 0xFC, 0x3B]
            + Array("olena@example.com\r\n".utf8)
        var o = FileOptions()
        o.encoding = .windows1251
        let (rows, input) = try readBytes(cp1251, o, bufferSize: 67)
        #expect(rows.first?.output == #"{"firstName":"Олена","lastName":"Коваль","channels":[{"type":"email","value":"olena@example.com"}]}"#)
        #expect(input.encoding == "windows-1251")
        // latin-1 and windows-1252 (where 0x80 is the euro sign).
        var latin: [UInt8] = Array("First name,Email\n".utf8) + [0x4A, 0xFC, 0x72, 0x67, 0x65, 0x6E] + Array(",j@b.de\n".utf8)
        o.encoding = .latin1
        #expect(try readBytes(latin, o).rows.first?.output == #"{"firstName":"Jürgen","channels":[{"type":"email","value":"j@b.de"}]}"#)
        latin = Array("First name,Email\n".utf8) + [0x4A, 0xFC, 0x72, 0x67, 0x65, 0x6E, 0x80] + Array(",j@b.de\n".utf8)
        o.encoding = .windows1252
        #expect(try readBytes(latin, o).rows.first?.output == #"{"firstName":"Jürgen€","channels":[{"type":"email","value":"j@b.de"}]}"#)
        #expect(TextEncoding.named("CP1251") == .windows1251 && TextEncoding.named("Latin-1") == .latin1
                && TextEncoding.named("utf16") == .utf16LE && TextEncoding.named("koi8-r") == nil)
    }

    @Test func aHeaderThatIsNotUTF8SaysWhichEncodingToGive() {
        let e = bytesError([0xC8, 0xEC, 0xFF] + Array(",Email\nx,a@b.co\n".utf8))
        #expect(e?.message.contains("the header row is not valid UTF-8") == true)
        #expect(e?.message.contains("windows-1251") == true && e?.message.contains("iconv -f WINDOWS-1252 -t UTF-8") == true)
    }

    @Test func noKnownColumnSaysWhatWasFoundAndHintsTheDelimiter() {
        var o = FileOptions()
        o.delimiter = UInt8(ascii: ",")
        let e = bytesError(Array("First name;Last name;Email;Phone\nA;B;a@b.co;\n".utf8), o)
        let message = e?.message ?? ""
        #expect(message.contains(#"found one column: "First name;Last name;Email;Phone""#))
        #expect(message.contains("the header contains ';'") && message.contains("--delimiter ';'"))
        // The file is named once, at the start.
        #expect(message.hasPrefix("'/tmp/yespo-input-") && message.ranges(of: "yespo-input-").count == 1)
        let plain = bytesError(Array("Foo,Bar\n1,2\n".utf8))?.message ?? ""
        #expect(plain.contains(#"found 2 columns: "Foo", "Bar""#) && !plain.contains("--delimiter"))
    }

    @Test func theReportListsHowEachFileWasRead() throws {
        var out = JSONOutput(capacity: 256)
        try readBytes(Array("Email;Notes\na@b.co;x\n".utf8)).input.write(&out)
        let json = out.text
        #expect(json.contains(#""format":"csv","encoding":"utf-8","delimiter":";","delimiterSniffed":true"#))
        #expect(json.contains(#"{"column":1,"header":"Email","field":"email"}"#))
        #expect(json.contains(#"{"column":2,"header":"Notes","field":null,"note":"not a contact field"}"#))
    }

    @Test func encodingIsAFileOption() throws {
        #expect(try FileOptions.parse(json: #"{"encoding":"windows-1251"}"#).encoding == .windows1251)
        #expect(try FileOptions.parse(json: #"{"encoding":"latin1"}"#).encoding == .latin1)
        #expect(throws: YespoError.self) { try FileOptions.parse(json: #"{"encoding":"ebcdic"}"#) }
        #expect(FileOptions().delimiter == nil && FileOptions().encoding == nil)
    }
}
