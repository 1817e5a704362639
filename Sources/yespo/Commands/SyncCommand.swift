// `yespo sync SOURCE... --state STATE`: make Yespo match a CRM export, sending only the rows whose
// contact is new or changed since the last successful run (docs/sync.md), and optionally acting
// on contacts gone from the source. `yespo sync --status STATE` shows the state and its last runs.
import ArgumentParser
import YespoCore

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send only the contacts that are new or changed since the last sync (and optionally remove the missing).",
        discussion: """
            Every run reads the whole source; rows whose normalised contact matches what the last \
            successful run sent are skipped. The state (--state) is a SQLite file, or a postgres:// \
            URL for several machines sharing one sync; it holds salted hashes of the match keys, a \
            hash of each contact and Yespo's contact id — no email, no API key. A row's hash is \
            stored only once Yespo accepted it, so an interrupted run (even kill -9) is simply run again.
            Contacts gone from the source are left alone unless --delete-missing or --missing is given; \
            then at most --max-deletes of them are acted on, else nothing is (exit 2).
            Exit codes: 0 in sync, 1 some rows rejected, invalid or not sent (they go again next run), \
            2 fatal or the delete cap refused, 130 interrupted.
            """)

    @Argument(help: ArgumentHelp("Source files: .csv, .ndjson/.jsonl, .json (array); - reads standard input.",
                                 valueName: "source"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp("The sync state: a file (SQLite), or postgres://user@host/db.",
                                            valueName: "state"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Show the state and its last runs, and exit.", valueName: "state"))
    var status: String?

    @OptionGroup(title: "Bulk options")
    var bulk: BulkOptions

    @Flag(name: .long, help: "Count what would be sent and removed (new, changed, unchanged, missing); send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Send every row and rewrite the state, whatever it says.")
    var full = false

    @Flag(name: .long, help: "Delete contacts whose keys vanished from the source (same as --missing delete).")
    var deleteMissing = false

    @Option(name: .long, help: ArgumentHelp(
        "What to do with contacts gone from the source: delete, detach:SEGMENT or unsubscribe.", valueName: "action"))
    var missing: String?

    @Option(name: .long, help: ArgumentHelp(
        "Refuse (exit 2, nothing removed) when more contacts than this are missing: a count or a percentage of the state (default 5%).",
        valueName: "N|P%"))
    var maxDeletes: String?

    @Flag(name: .long, help: "Act on missing contacts even when some source rows are invalid.")
    var allowInvalid = false

    @Flag(name: .long, help: "Store a row's hash only once its import FINISHED (and collect contact ids).")
    var wait = false

    @Option(name: .long, help: ArgumentHelp("When an earlier write of a contact counts as done (see upsert).",
                                            valueName: "accepted|finished"))
    var ackOn: String = "accepted"

    @Option(name: .long, help: "Bulk requests in flight at once (1-256).")
    var concurrency: Int?

    @Option(name: .long, help: "At most this many requests per second (0 = no limit).")
    var rate: Int?

    @Option(name: .long, help: "Contacts per bulk request (1-3000).")
    var chunkSize: Int?

    @Option(name: .long, help: ArgumentHelp("Write the sync report as JSON here.", valueName: "file.json"))
    var report: String?

    @Flag(name: [.short, .long], help: "No summary; errors only.")
    var quiet = false

    @Flag(name: .long, help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    func validate() throws {
        if status != nil {
            if !files.isEmpty || state != nil { throw ValidationError("--status takes only the state: yespo sync --status STATE") }
            return
        }
        guard state != nil else { throw ValidationError("give the state: --state FILE or --state postgres://...") }
        if files.isEmpty { throw ValidationError("give at least one source file, or - for standard input") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if deleteMissing && missing != nil { throw ValidationError("--delete-missing is --missing delete: give one of them") }
        if let c = concurrency, !(1...256).contains(c) { throw ValidationError("--concurrency must be 1 to 256") }
        if let r = rate, r < 0 { throw ValidationError("--rate must be 0 (no limit) or more") }
        if let c = chunkSize, !(1...3000).contains(c) { throw ValidationError("--chunk-size must be 1 to 3000") }
    }

    func run() throws {
        if let status {
            let text: String
            do { text = try SyncStatus.json(state: status) } catch { throw CLIFailure.from(error, doing: "cannot read the sync state") }
            let value = (try? JSON.parse(text)) ?? .null
            Terminal.out(json ? value.encoded() + "\n" : SyncSummary.status(value))
            return
        }
        try SyncRun(command: self).execute()
    }

    func syncOptions() throws(CLIFailure) -> SyncOptions {
        var o = SyncOptions()
        o.upsert = try bulk.upsertOptions()
        o.upsert.wait = wait
        guard let ack = WriteAcknowledgement(rawValue: ackOn) else {
            throw CLIFailure("--ack-on \(ackOn) is not one of: accepted, finished")
        }
        o.upsert.ackOn = ack
        o.upsert.dryRun = dryRun
        o.full = full
        if deleteMissing { o.missing = .delete }
        if let missing {
            guard let action = MissingAction(text: missing) else {
                throw CLIFailure("--missing \(missing) is not one of: delete, detach:SEGMENT, unsubscribe")
            }
            o.missing = action
        }
        if let maxDeletes {
            guard let cap = DeleteCap(text: maxDeletes) else {
                throw CLIFailure("--max-deletes \(maxDeletes): give a count (100) or a percentage (5%)")
            }
            o.maxDeletes = cap
        }
        o.allowInvalid = allowInvalid
        return o
    }
}
