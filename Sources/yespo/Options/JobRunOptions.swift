// The flags every bulk run shares (`yespo upsert`, `orders upsert`, `event upsert`): how hard to
// send, what to write afterwards, the journal, and the connection.
import ArgumentParser

struct JobRunOptions: ParsableArguments {
    @Option(name: .long, help: "Bulk requests in flight at once (1-256).")
    var concurrency: Int?

    @Option(name: .long, help: "At most this many requests per second (0 = no limit).")
    var rate: Int?

    @Option(name: .long, help: "Rows per request (contacts 1-3000, orders 1-1000; events go one a request).")
    var chunkSize: Int?

    @Flag(name: .long, help: "Validate and plan only; send nothing (no API key needed).")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Write the summary report as JSON here.", valueName: "file.json"))
    var report: String?

    @Option(name: .long, help: ArgumentHelp(
        "Write every row that was not accepted (row number, reason, the row) as NDJSON here.",
        valueName: "file.ndjson"))
    var rejects: String?

    @Option(name: .long, help: ArgumentHelp(
        "Write every row's outcome as NDJSON here (with contact ids when the contacts were awaited).", valueName: "file.ndjson"))
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

    /// The checks that do not depend on the kind; `maxChunkSize` is the kind's request limit.
    func validate(files: [String], maxChunkSize: Int) throws {
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
        if let c = chunkSize, !(1...maxChunkSize).contains(c) { throw ValidationError("--chunk-size must be 1 to \(maxChunkSize)") }
        if !(progressInterval > 0) { throw ValidationError("--progress-interval must be more than 0") }
    }
}
