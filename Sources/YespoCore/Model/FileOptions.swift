// How a file is read: a type every door shares (the C ABI's file options JSON, the CLI's flags,
// the input stage's readers), so it lives with the other shared types rather than in one stage.

public enum InputFormat: String, Sendable {
    case ndjson
    case json
    case csv
}

/// How a file is read (`yespo_job_feed_file`, CLI `upsert FILE`).
public struct FileOptions: Sendable, Equatable {
    /// nil: from the extension (.csv, .ndjson/.jsonl, .json), else sniffed from the first byte.
    public var format: InputFormat? = nil
    /// Extra CSV column mapping: header text → field name (firstName, lastName, email, sms, address,
    /// region, town, postcode, languageCode, timeZone, externalCustomerId, id, contactKey) or a custom
    /// field id given as digits ("12345").
    public var columns: [String: String] = [:]
    /// CSV delimiter byte; nil: sniffed from the header line (',', ';', tab or '|').
    public var delimiter: UInt8? = nil
    /// The file's text encoding; nil: UTF-8. A byte order mark (UTF-8 or UTF-16) always wins.
    /// Anything else is converted to UTF-8 while streaming.
    public var encoding: TextEncoding? = nil
    public init() {}
}
