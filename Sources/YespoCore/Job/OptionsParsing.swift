// UpsertOptions and FileOptions from the JSON text the C ABI and the bindings pass in.
// Strict on purpose: an unknown key or a wrong type is an error naming the key, because a typo
// like "dedupOn" silently ignored would upsert against the wrong match key.

extension UpsertOptions {
    public static func parse(json: String?) throws(YespoError) -> UpsertOptions {
        var options = UpsertOptions()
        guard let object = try optionsObject(json, what: "upsert options") else { return options }
        let reader = OptionReader(what: "upsert options")
        for (key, value) in object.members {
            guard let option = UpsertOptionTable.byKey[key] else {
                throw YespoError(.invalidArgument, "upsert options: unknown key \"\(key)\"")
            }
            try option.read(&options, value, reader)
        }
        // Given at all (even at its default), a contact-only option with another kind is a mistake.
        if options.kind != .contacts,
           let key = object.members.first(where: { UpsertOptionTable.contactsOnly.contains($0.key) })?.key {
            throw UpsertOptions.kindRefuses(key, options.kind)
        }
        return try options.validated()
    }
}

extension FileOptions {
    public static func parse(json: String?) throws(YespoError) -> FileOptions {
        var options = FileOptions()
        guard let object = try optionsObject(json, what: "file options") else { return options }
        let reader = OptionReader(what: "file options")
        for (key, value) in object.members {
            switch key {
            case "format":
                let text = try reader.string(key, value)
                guard let format = InputFormat(rawValue: text) else {
                    throw YespoError(.invalidArgument, "file options: \"format\" must be \"csv\", \"ndjson\" or \"json\", got \"\(text)\"")
                }
                options.format = format
            case "columns":
                guard value.kind == .object else {
                    throw YespoError(.invalidArgument, "file options: \"columns\" must be an object of strings, got \(value.kindName)")
                }
                var columns: [String: String] = [:]
                for (header, field) in value.members {
                    guard let name = field.string else {
                        throw YespoError(.invalidArgument, "file options: \"columns\".\"\(header)\" must be a string, got \(field.kindName)")
                    }
                    columns[header] = name
                }
                options.columns = columns
            case "delimiter":
                let text = try reader.string(key, value)
                guard text.utf8.count == 1, let byte = text.utf8.first, byte != 0x22, byte != 0x0A, byte != 0x0D else {
                    throw YespoError(.invalidArgument, "file options: \"delimiter\" must be one ASCII character other than a quote or newline")
                }
                options.delimiter = byte
            case "encoding":
                let text = try reader.string(key, value)
                guard let encoding = TextEncoding.named(text) else {
                    throw YespoError(.invalidArgument, "file options: \"encoding\" must be one of \(TextEncoding.acceptedNames), got \"\(text)\"")
                }
                options.encoding = encoding
            default:
                throw YespoError(.invalidArgument, "file options: unknown key \"\(key)\"")
            }
        }
        return options
    }
}

/// nil for absent/blank text; the parsed object otherwise. The document is kept alive by the
/// returned holder so node views stay valid.
private func optionsObject(_ json: String?, what: String) throws(YespoError) -> OptionsObject? {
    guard let json, json.utf8.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
        return nil
    }
    let document: JSONDocument
    switch JSONDocument.parse(json) {
    case .success(let parsed): document = parsed
    case .failure(let failure):
        throw YespoError(.invalidArgument, "\(what): malformed JSON at byte \(failure.position): \(failure.message)")
    }
    guard document.root.kind == .object else {
        throw YespoError(.invalidArgument, "\(what): expected a JSON object, got \(document.root.kindName)")
    }
    return OptionsObject(document: document)
}

private struct OptionsObject {
    let document: JSONDocument
    var members: [(key: String, value: JSONNode)] { document.root.members }
}

/// Typed reads that name the key on failure.
struct OptionReader {
    let what: String

    func fail(_ key: String, _ expected: String, _ value: JSONNode) -> YespoError {
        YespoError(.invalidArgument, "\(what): \"\(key)\" must be \(expected), got \(value.kindName)")
    }

    func string(_ key: String, _ value: JSONNode) throws(YespoError) -> String {
        guard let s = value.string else { throw fail(key, "a string", value) }
        return s
    }

    func bool(_ key: String, _ value: JSONNode) throws(YespoError) -> Bool {
        guard let b = value.bool else { throw fail(key, "true or false", value) }
        return b
    }

    func int(_ key: String, _ value: JSONNode) throws(YespoError) -> Int64 {
        guard value.kind == .integer || value.kind == .real, let i = value.int64 else {
            throw fail(key, "an integer", value)
        }
        return i
    }

    func strings(_ key: String, _ value: JSONNode) throws(YespoError) -> [String] {
        guard value.kind == .array else { throw fail(key, "an array of strings", value) }
        var out: [String] = []
        for (i, element) in value.elements.enumerated() {
            guard let s = element.string, !s.isEmpty else {
                throw YespoError(.invalidArgument, "\(what): \"\(key)\"[\(i)] must be a non-empty string, got \(element.kindName)")
            }
            out.append(s)
        }
        return out
    }

    func ints(_ key: String, _ value: JSONNode) throws(YespoError) -> [Int] {
        guard value.kind == .array else { throw fail(key, "an array of integers", value) }
        var out: [Int] = []
        for (i, element) in value.elements.enumerated() {
            guard element.kind == .integer, let n = element.int64 else {
                throw YespoError(.invalidArgument, "\(what): \"\(key)\"[\(i)] must be an integer, got \(element.kindName)")
            }
            out.append(Int(n))
        }
        return out
    }
}
