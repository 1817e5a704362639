// `yespo upsert FILE...`: the contacts' flags, and the flags every bulk run shares (JobRunOptions).
// The run itself is UpsertRun.
import ArgumentParser
import YespoCore

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

    @OptionGroup var job: JobRunOptions

    func validate() throws {
        try job.validate(files: files, maxChunkSize: JobKind.contacts.maxRowsPerRequest)
        if let p = pollInterval, !(p > 0) { throw ValidationError("--poll-interval must be more than 0") }
        if let t = importTimeout, !(t > 0) { throw ValidationError("--import-timeout must be more than 0") }
    }

    func run() throws {
        try UpsertRun(files: files, job: job, input: bulk.input, contacts: self, kind: .contacts).execute()
    }
}
