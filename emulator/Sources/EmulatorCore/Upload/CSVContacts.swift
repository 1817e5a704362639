// The import file of POST /contacts/upload: CSV, comma-separated, UTF-8, a header row naming
// the columns (First name, Last name, Address, Region, City, Postcode, Email, Sms,
// Language code, Timezone, Contact id = Yespo's numeric id, External customer id) and custom fields as `KEY_PROFILE.<field id>` or a bare
// field id. Each row becomes a contact object and goes through the same validation as the bulk
// method.
enum CSVContacts {
    struct Parsed {
        var rows: [ContactInput] = []
        var invalid = 0
    }

    static func parse(_ bytes: [UInt8], options: ImportOptions) -> Result<Parsed, ValidationFailure> {
        if bytes.isEmpty { return .failure(.init("the file is empty")) }
        var data = bytes[...]
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        guard let text = String(validating: data, as: UTF8.self) else { return .failure(.init("the file is not valid UTF-8")) }
        let records = records(text)
        guard let header = records.first, !header.allSatisfy({ $0.isEmpty }) else {
            return .failure(.init("the file has no header row"))
        }
        let columns = header.map(column)
        guard columns.contains(where: { $0 != .ignored }) else {
            return .failure(.init("the header row names no known column"))
        }
        var out = Parsed()
        for record in records.dropFirst() where !(record.count == 1 && record[0].isEmpty) {
            var members: [(String, JSONValue)] = []
            var channels: [JSONValue] = []
            var address: [(String, JSONValue)] = []
            var fields: [JSONValue] = []
            for (i, value) in record.enumerated() where i < columns.count && !value.isEmpty {
                switch columns[i] {
                case .member(let key): members.append((key, .string(value)))
                case .numericId:
                    // not a number: the row cannot name a Yespo contact, so it is invalid
                    members.append(("id", Int64(value).map { .int($0) } ?? .string(value)))
                case .address(let key): address.append((key, .string(value)))
                case .channel(let type): channels.append(.object([("type", .string(type)), ("value", .string(value))]))
                case .field(let id): fields.append(.object([("id", .int(id)), ("value", .string(value))]))
                case .ignored: break
                }
            }
            members.append(("channels", .array(channels)))
            if !address.isEmpty { members.append(("address", .object(address))) }
            if !fields.isEmpty { members.append(("fields", .array(fields))) }
            guard case .success(let c) = ContactValidation.parse(.object(members)), options.missingKeyReason(c) == nil else {
                out.invalid += 1
                continue
            }
            out.rows.append(c)
        }
        return .success(out)
    }

    enum Column: Equatable {
        case member(String), numericId, address(String), channel(String), field(Int64), ignored
    }

    static func column(_ name: String) -> Column {
        let n = name.trimmingWhitespace().lowercased()
        switch n {
        case "first name", "firstname": return .member("firstName")
        case "last name", "lastname": return .member("lastName")
        case "language code", "languagecode": return .member("languageCode")
        case "timezone", "time zone": return .member("timeZone")
        // "Contact id" is Yespo's own numeric id ("contact id in our system", as the seed guide
        // and the client's CSV reader say); the CRM's id has its own column.
        case "contact id", "id": return .numericId
        case "external customer id", "externalcustomerid": return .member("externalCustomerId")
        case "address": return .address("address")
        case "region": return .address("region")
        case "city", "town": return .address("town")
        case "postcode": return .address("postcode")
        case "email": return .channel("email")
        case "sms", "phone": return .channel("sms")
        default:
            let last = n.split(separator: ".").last.map(String.init) ?? n
            if let id = Int64(last), id > 0 { return .field(id) }
            return .ignored
        }
    }

    /// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks.
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        let bytes = Array(text.utf8)
        var i = 0
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 1 } else { inQuotes = false }
                } else {
                    field.append(c)
                }
            } else {
                switch c {
                case UInt8(ascii: "\""): inQuotes = true
                case UInt8(ascii: ","): endField()
                case 13: break
                case 10:
                    endField()
                    records.append(record)
                    record = []
                default: field.append(c)
                }
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        return records
    }
}
