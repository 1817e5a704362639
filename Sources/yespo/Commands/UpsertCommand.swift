// `yespo upsert FILE...`: the flags. The run itself is UpsertRun.
import ArgumentParser

struct UpsertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert",
        abstract: "Add or update contacts in bulk from CSV, NDJSON or JSON-array files (- = stdin).",
        discussion: """
            CSV columns use Yespo's import names: First name, Last name, Email, Sms, Address, Region, \
            City, Postcode, Language code, Timezone, Contact id, External customer id, and custom \
            fields by id; --map maps any other column.
            With --journal FILE every finished chunk is recorded (fsync'd) as it happens; after a \
            crash or Ctrl-C, run the same command with --resume to send only what is missing.
            Exit codes: 0 all rows accepted, 1 some rows rejected or invalid (see --rejects), \
            2 fatal (auth, unreachable, bad arguments), 130 interrupted after a clean stop.
            """)

    @Argument(help: ArgumentHelp("Input files: .csv, .ndjson/.jsonl, .json (array); - reads standard input.",
                                 valueName: "file"))
    var files: [String]

    @OptionGroup(title: "Bulk options")
    var bulk: BulkOptions

    @Option(name: .long, help: "Bulk requests in flight at once (1-256).")
    var concurrency: Int?

    @Option(name: .long, help: "At most this many requests per second (0 = no limit).")
    var rate: Int?

    @Option(name: .long, help: "Contacts per bulk request (1-3000).")
    var chunkSize: Int?

    @Flag(name: .long, help: "Validate and plan only; send nothing (no API key needed).")
    var dryRun = false

    @Flag(name: .long, help: "Wait until Yespo has imported every chunk, and collect contact ids.")
    var wait = false

    @Option(name: .long, help: ArgumentHelp(
        "When an earlier write of a contact counts as done, so that a later row of the same contact may be sent: "
        + "accepted (its request got HTTP 200; enough when Yespo applies imports in arrival order) or finished "
        + "(its import FINISHED; safe in any order, implies waiting for imports).", valueName: "accepted|finished"))
    var ackOn: String = "accepted"

    @Option(name: .long, help: ArgumentHelp("How often to poll an import with --wait.", valueName: "seconds"))
    var pollInterval: Double?

    @Option(name: .long, help: ArgumentHelp("Give up waiting for an import after this long.", valueName: "seconds"))
    var importTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("Write the summary report as JSON here.", valueName: "file.json"))
    var report: String?

    @Option(name: .long, help: ArgumentHelp(
        "Write every row that was not accepted (row number, reason, the row) as NDJSON here.",
        valueName: "file.ndjson"))
    var rejects: String?

    @Option(name: .long, help: ArgumentHelp(
        "Write every row's outcome (with contact ids after --wait) as NDJSON here.", valueName: "file.ndjson"))
    var outcomes: String?

    @Option(name: .long, help: ArgumentHelp("Record each chunk's outcome here as it happens (crash-safe).",
                                            valueName: "file"))
    var journal: String?

    @Flag(name: .long, help: "Continue the run recorded in --journal: skip rows already done.")
    var resume = false

    @Flag(name: [.short, .long], help: "No progress and no summary; errors only.")
    var quiet = false

    @Flag(name: .long, help: "Print the summary as JSON on stdout.")
    var json = false

    @Option(name: .long, help: .hidden)
    var progressInterval: Double = 2

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    @OptionGroup(title: "Shared budget (docs/beyond-one-machine.md)")
    var sharedBudget: SharedBudgetOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one input file, or - for standard input") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if resume && journal == nil { throw ValidationError("--resume needs --journal FILE (the journal to continue)") }
        if journal != nil && files.contains("-") {
            throw ValidationError("--journal needs files: standard input cannot be read again to resume")
        }
        if dryRun && (journal != nil || resume) { throw ValidationError("--dry-run sends nothing, so it keeps no journal") }
        if let c = concurrency, !(1...256).contains(c) { throw ValidationError("--concurrency must be 1 to 256") }
        if let r = rate, r < 0 { throw ValidationError("--rate must be 0 (no limit) or more") }
        if let n = sharedBudget.sharedBudgetProcesses, !(1...100_000).contains(n) {
            throw ValidationError("--shared-budget-processes must be 1 to 100000")
        }
        if let c = chunkSize, !(1...3000).contains(c) { throw ValidationError("--chunk-size must be 1 to 3000") }
        if let p = pollInterval, !(p > 0) { throw ValidationError("--poll-interval must be more than 0") }
        if let t = importTimeout, !(t > 0) { throw ValidationError("--import-timeout must be more than 0") }
        if !(progressInterval > 0) { throw ValidationError("--progress-interval must be more than 0") }
    }

    func run() throws {
        try UpsertRun(command: self).execute()
    }
}
