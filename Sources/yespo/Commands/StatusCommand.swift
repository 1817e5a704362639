// `yespo status SESSION_ID [--wait]`: the state of one bulk import (an asyncSessionId).
import ArgumentParser
import YespoCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the import status of a bulk upsert session (its asyncSessionId).")

    @Argument(help: ArgumentHelp("The asyncSessionId a bulk upsert returned.", valueName: "session-id"))
    var sessionId: String

    @Flag(name: .long, help: "Poll until the import is FINISHED or ERROR.")
    var wait = false

    @Option(name: .long, help: ArgumentHelp("Give up waiting after this long (default: the client's).",
                                            valueName: "seconds"))
    var waitTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("How often to poll with --wait.", valueName: "seconds"))
    var pollInterval: Double?

    @Flag(name: .long, help: "Print the answer as JSON.")
    var json = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    func run() throws {
        guard let key = try connection.apiKey() else { throw CLIFailure("no API key") }
        var settings = connection.settings(apiKey: key)
        if let p = pollInterval { settings.importPollMs = max(10, Int(p * 1000)) }
        let client = try ConnectionOptions.client(settings)
        defer { client.close() }
        let answer = try SingleCall.run("cannot get the status of \(sessionId)") { () throws(YespoError) -> String in
            if wait { return try client.waitForImport(sessionId, timeoutMs: Int((waitTimeout ?? 0) * 1000)) }
            return try client.importStatus(sessionId)
        }
        let parsed = try? JSON.parse(answer)
        if json {
            SingleCall.printJSON(answer, compact: true)
        } else {
            let status = parsed?["status"]?.string ?? "?"
            var out = "session  \(sessionId)\nstatus   \(status)\n"
            if let description = parsed?["description"]?.string, !description.isEmpty {
                out += "reason   \(Secrets.redact(description))\n"
            }
            let mapping = parsed?["mapping"]?.array ?? []
            if !mapping.isEmpty {
                out += "mapped   \(Format.count(mapping.count)) contacts\n"
                for entry in mapping.prefix(20) {
                    let value = entry["dedupeValue"]?.string ?? "?"
                    let id = entry["contactId"]?.int.map(String.init) ?? "?"
                    out += "  \(Format.leftPad(id, 10))  \(value)\n"
                }
                if mapping.count > 20 { out += "  … \(Format.count(mapping.count - 20)) more (use --json)\n" }
            }
            Terminal.out(out)
        }
        if parsed?["status"]?.string == "ERROR" { throw ExitCode(ExitStatus.partial) }
    }
}
