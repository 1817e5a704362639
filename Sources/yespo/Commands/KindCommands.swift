// `yespo orders upsert FILE...` and `yespo event upsert FILE...` (subcommands of OrdersCommand and
// EventCommand, beside `orders delete` and `event send`): the upsert command's flags and
// run (journal, --resume, --dry-run, --rejects, --outcomes, progress, exit codes: JobRunOptions) and
// how files are read (InputReadOptions), with the job's kind set. The contacts' own flags
// (--dedupe-on, --group, --wait, --map, ...) are not theirs: the parser refuses them.
import ArgumentParser
import YespoCore

struct OrdersUpsertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert",
        abstract: "Add or update orders in bulk from CSV, NDJSON or JSON-array files (- = stdin); at most 1000 a request.",
        discussion: """
            CSV: one line per order item, the order's columns repeated (externalOrderId, \
            externalCustomerId, status, date, currency, totalCost, email, phone, firstName, \
            lastName, shipping, taxes, discount, deliveryAddress, ...) and item columns prefixed \
            "item." (item.externalItemId, item.name, item.quantity, item.cost, ...). Consecutive \
            lines with one externalOrderId are one order (one row of the report); the same id \
            again later is a new write of that order, and the later one wins. See docs/orders.md.
            Exit codes as for `yespo upsert`.
            """)

    @Argument(help: ArgumentHelp("Input files: .csv, .ndjson/.jsonl, .json (array); - reads standard input.",
                                 valueName: "file"))
    var files: [String]

    @OptionGroup(title: "Input") var input: InputReadOptions
    @OptionGroup var job: JobRunOptions

    func validate() throws { try job.validate(files: files, maxChunkSize: JobKind.orders.maxRowsPerRequest) }

    func run() throws { try UpsertRun(files: files, job: job, input: input, contacts: nil, kind: .orders).execute() }
}

struct EventUpsertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert",
        abstract: "Generate events from CSV, NDJSON or JSON-array files (- = stdin), one request each, in parallel.",
        discussion: """
            CSV: column eventTypeKey, optional keyValue; every other column becomes a parameter \
            {name: the header, value: the cell}. An event needs a key: keyValue, or a parameter \
            named contactId, externalCustomerId, email, phone or pushToken. Exit codes as for \
            `yespo upsert`.
            """)

    @Argument(help: ArgumentHelp("Input files: .csv, .ndjson/.jsonl, .json (array); - reads standard input.",
                                 valueName: "file"))
    var files: [String]

    @OptionGroup(title: "Input") var input: InputReadOptions
    @OptionGroup var job: JobRunOptions

    func validate() throws { try job.validate(files: files, maxChunkSize: JobKind.events.maxRowsPerRequest) }

    func run() throws { try UpsertRun(files: files, job: job, input: input, contacts: nil, kind: .events).execute() }
}
