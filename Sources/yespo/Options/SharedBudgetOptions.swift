// `yespo upsert`'s shared request budget (docs/beyond-one-machine.md): with --shared-budget, every
// process on the same budget (any door: CLI, Python, Go, C) together starts at most --rate bulk
// requests per second, counted in Redis. The URL may carry a password: prefer YESPO_SHARED_BUDGET
// to the flag, which `ps` shows.
import ArgumentParser
import YespoCore

struct SharedBudgetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Share the --rate budget with every process on this Redis: redis://[:password@]host:port/db "
        + "(default: $YESPO_SHARED_BUDGET).", valueName: "url"))
    var sharedBudget: String?

    @Option(name: .long, help: ArgumentHelp(
        "The shared budget's name; processes with the same name share one budget "
        + "(default: $YESPO_BUDGET_NAME, else derived from a hash of the API key).", valueName: "name"))
    var budgetName: String?

    @Option(name: .long, help: ArgumentHelp(
        "Redis unreachable at start: error (exit 2) or local (start on --rate / --shared-budget-processes "
        + "and join when Redis answers).", valueName: "error|local"))
    var sharedBudgetFallback: String = "error"

    @Option(name: .long, help: ArgumentHelp(
        "Processes expected on the budget: while Redis is lost this one sends at --rate / N (default 4).",
        valueName: "n"))
    var sharedBudgetProcesses: Int?

    func apply(to settings: inout ClientSettings) throws(CLIFailure) {
        guard let url = sharedBudget ?? FileSystem.environment("YESPO_SHARED_BUDGET"), !url.isEmpty else { return }
        settings.sharedBudget.url = url
        if let name = budgetName ?? FileSystem.environment("YESPO_BUDGET_NAME"), !name.isEmpty {
            settings.sharedBudget.name = name
        }
        guard let fallback = SharedBudgetStartFallback(name: sharedBudgetFallback) else {
            throw CLIFailure("--shared-budget-fallback \(sharedBudgetFallback) is not one of: error, local")
        }
        settings.sharedBudget.startFallback = fallback
        if let n = sharedBudgetProcesses { settings.sharedBudget.expectedProcesses = n }
    }

    /// The report's "sharedBudget", as one line of the summary table (nil without one).
    static func summaryNote(_ json: JSON?) -> (String, String)? {
        guard let b = json, let name = b["name"]?.string else { return nil }
        var note = "\(b["redis"]?.string ?? ""), \(b.count("rate"))/s for every process"
        let losses = b.count("fallbacks")
        if losses > 0 {
            note += "; Redis lost \(losses == 1 ? "once" : "\(losses) times") from \(b["fallbackSince"]?.string ?? "?")"
            note += " (local \(b.count("localRate"))/s for \(Double(b.count("fallbackMs")) / 1000) s)"
            note += b["mode"]?.string == "shared" ? ", rejoined \(b["rejoined"]?.string ?? "")" : ", not back at the end"
        }
        return (name, note)
    }
}

extension SharedBudgetStartFallback {
    init?(name: String) {
        switch name.lowercased() {
        case "error": self = .error
        case "local": self = .local
        default: return nil
        }
    }
}
