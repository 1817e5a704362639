// How input files are read (format, delimiter, encoding), as flags: the same for contacts,
// orders and events. Contacts add column mapping (BulkOptions.map).
import ArgumentParser
import YespoCore

struct InputReadOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Input format: csv, ndjson or json (default: from the extension).",
                                            valueName: "format"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("CSV delimiter: one character, or \"tab\" (default: sniffed from the header line: , ; tab |).",
                                            valueName: "char"))
    var delimiter: String?

    @Option(name: .long, help: ArgumentHelp(
        "The file's text encoding when it is not UTF-8: windows-1251, windows-1252, latin-1, utf-16 "
        + "(converted while reading; a byte order mark is always honoured).", valueName: "name"))
    var encoding: String?

    func fileOptions() throws(CLIFailure) -> FileOptions {
        var f = FileOptions()
        if let format {
            guard let parsed = InputFormat(rawValue: format.lowercased() == "jsonl" ? "ndjson" : format.lowercased()) else {
                throw CLIFailure("--format \(format) is not one of: csv, ndjson, json")
            }
            f.format = parsed
        }
        if let delimiter {
            let d = delimiter == "tab" || delimiter == "\\t" ? "\t" : delimiter
            guard d.utf8.count == 1, let byte = d.utf8.first else {
                throw CLIFailure("--delimiter must be a single ASCII character or \"tab\"")
            }
            f.delimiter = byte
        }
        if let encoding {
            guard let parsed = TextEncoding.named(encoding) else {
                throw CLIFailure("--encoding \(encoding) is not one of: \(TextEncoding.acceptedNames)")
            }
            f.encoding = parsed
        }
        return f
    }

    /// The journal's text for the encoding: only when given, so that journals written before
    /// --encoding existed still resume.
    var canonicalEncoding: String? {
        encoding.map { "encoding=\(TextEncoding.named($0)?.rawValue ?? $0)" }
    }

    /// Everything of these that changes a row's outcome, for journals of orders and events.
    func canonicalText() -> String {
        (["format=\(format ?? "")", "delimiter=\(delimiter ?? "")"] + (canonicalEncoding.map { [$0] } ?? []))
            .joined(separator: ";")
    }
}
