// `yespo import URL [--wait]`: Yespo fetches a CSV file from a link and imports it
// (POST /contacts/upload), optionally waiting for the import session to end.
import ArgumentParser
import YespoCore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a CSV file that Yespo fetches from a link (POST /contacts/upload).",
        discussion: """
            The file must be reachable by Yespo (https://user:pass@host/file.csv works), CSV with commas, \
            UTF-8, at most 100 MB, with Yespo's import column names. Prints the asyncSessionId; with \
            --wait, polls the import until it is FINISHED (exit 0) or ERROR (exit 1).
            """)

    @Argument(help: ArgumentHelp("The CSV file's URL.", valueName: "url")) var url: String
    @Option(name: .long, help: ArgumentHelp(
        "How Yespo matches existing contacts: email, sms, email_or_sms, id, fieldId, externalCustomerId, push, webpush.",
        valueName: "key"))
    var dedupeOn: String = "email"
    @Option(name: .long, help: ArgumentHelp("Add every contact to this segment (repeatable).", valueName: "name"))
    var group: [String] = []
    @Option(name: .long, help: ArgumentHelp("Remove every contact from this segment (repeatable).", valueName: "name"))
    var excludeGroup: [String] = []
    @Flag(name: .long, inversion: .prefixedNo, help: "Restore (or leave alone) contacts that were deleted.")
    var restoreDeleted: Bool?
    @Option(name: .long, help: ArgumentHelp("Generate this event for every new contact.", valueName: "key"))
    var eventKey: String?
    @Flag(name: .long, help: "Wait until the import is FINISHED or ERROR.") var wait = false
    @Option(name: .long, help: ArgumentHelp("Give up waiting after this long (default: 20 minutes).", valueName: "seconds"))
    var waitTimeout: Double?
    @Option(name: .long, help: ArgumentHelp("How often to poll with --wait.", valueName: "seconds"))
    var pollInterval: Double?
    @Flag(name: .long, help: "Print JSON.") var json = false
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    func validate() throws {
        if url.isEmpty { throw ValidationError("the URL is empty") }
        if BulkOptions.dedupeKey(dedupeOn) == nil {
            throw ValidationError("--dedupe-on \(dedupeOn) is not one of: "
                + DedupeKey.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let eventKey, let problem = EventKeyRule.problem(eventKey) { throw ValidationError("--event-key \(problem)") }
        if let t = waitTimeout, !(t > 0) { throw ValidationError("--wait-timeout must be more than 0") }
        if let p = pollInterval, !(p > 0) { throw ValidationError("--poll-interval must be more than 0") }
    }

    func run() throws {
        let request = SingleCall.object([
            ("link", .string(url)),
            ("dedupeOn", .string(BulkOptions.dedupeKey(dedupeOn)?.rawValue ?? dedupeOn)),
            ("groupNames", group.isEmpty ? nil : .array(group.map { .string($0) })),
            ("groupNamesExclude", excludeGroup.isEmpty ? nil : .array(excludeGroup.map { .string($0) })),
            ("restoreDeleted", restoreDeleted.map { .bool($0) }),
            ("eventKeyForNewContacts", eventKey.map { .string($0) }),
        ])
        guard let key = try connection.apiKey() else { throw CLIFailure("no API key") }
        var settings = connection.settings(apiKey: key)
        if let p = pollInterval { settings.importPollMs = max(10, Int(p * 1000)) }
        let client = try ConnectionOptions.client(settings)
        defer { client.close() }
        let answer = try SingleCall.run("cannot start the import") { () throws(YespoError) -> String in
            try client.uploadContacts(request)
        }
        let session = (try? JSON.parse(answer))?["asyncSessionId"]?.string
        guard wait else {
            if json { SingleCall.printJSON(answer, compact: true) } else { Terminal.out("import started: session \(session ?? "?")\n") }
            return
        }
        guard let session, !session.isEmpty else {
            throw CLIFailure("the import started but the answer names no asyncSessionId to wait for: \(Secrets.redact(answer))")
        }
        if !json { Terminal.err("import started: session \(session); waiting…\n") }
        let status = try SingleCall.run("cannot wait for import \(session)") { () throws(YespoError) -> String in
            try client.waitForImport(session, timeoutMs: Int((waitTimeout ?? 0) * 1000))
        }
        let parsed = try? JSON.parse(status)
        let state = parsed?["status"]?.string ?? "?"
        if json {
            let merged = SingleCall.merging(parsed ?? .object([]), [("asyncSessionId", .string(session))])
            Terminal.out(Secrets.redact(merged.encoded()) + "\n")
        } else {
            var out = "session  \(session)\nstatus   \(state)\n"
            if let description = parsed?["description"]?.string, !description.isEmpty { out += "reason   \(Secrets.redact(description))\n" }
            let mapped = parsed?["mapping"]?.array?.count ?? 0
            if mapped > 0 { out += "mapped   \(Format.count(mapped)) contacts\n" }
            Terminal.out(out)
        }
        if state.uppercased() != "FINISHED" { throw ExitCode(ExitStatus.partial) }
    }
}
