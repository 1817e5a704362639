// The table printed when an upsert ends: what happened to every row, what it cost, and where the
// details went. Counts come from the report, so they always add up to the rows read.

import YespoCore

struct UpsertSummary {
    var rows = 0, accepted = 0, rejected = 0, invalid = 0, duplicates = 0, notSent = 0
    var resumed = 0
    var requests = 0, retries = 0, throttled = 0, bytesSent = 0, elapsedMs = 0
    var dryRun = false, cancelled = false, waited = false, journaled = false
    var contactIds: Int?
    var heldForOrder = 0, acceptedByDuplicate = 0, unmappedFailures = 0
    var fatal: String?
    var sharedBudget: (name: String, note: String)?
    var files: [(label: String, value: String)] = []

    var failed: Int { rejected + invalid + duplicates + notSent }

    /// The report's counters beyond the row counts, read as values.
    mutating func take(_ report: UpsertReport) {
        requests = report.requests
        retries = report.retries
        throttled = report.throttled
        bytesSent = report.bytesSent
        elapsedMs = report.elapsedMs
        dryRun = report.dryRun || dryRun
        heldForOrder = report.heldForOrder
        acceptedByDuplicate = report.acceptedByDuplicatedRequest
        unmappedFailures = report.unmappedFailureCount
        sharedBudget = report.sharedBudget.flatMap { try? JSON.parse($0.json()) }
            .flatMap(SharedBudgetOptions.summaryNote).map { (name: $0.0, note: $0.1) }
    }

    func table() -> String {
        var lines: [(String, String, String)] = []
        func percent(_ n: Int) -> String {
            rows > 0 && n > 0 ? "(" + Format.fixed(Double(n) * 100 / Double(rows), n == rows ? 0 : 2) + "%)" : ""
        }
        lines.append(("rows", Format.count(rows), resumed > 0 ? "\(Format.count(resumed)) from the journal" : ""))
        lines.append((dryRun ? "valid (planned)" : "accepted", Format.count(accepted), percent(accepted)))
        lines.append(("rejected", Format.count(rejected), percent(rejected)))
        lines.append(("invalid", Format.count(invalid), percent(invalid)))
        lines.append(("duplicates", Format.count(duplicates), percent(duplicates)))
        lines.append(("not sent", Format.count(notSent), percent(notSent)))
        if !dryRun {
            lines.append(("requests", Format.count(requests),
                          "retries \(Format.count(retries)), 429s \(Format.count(throttled)), sent \(Format.bytes(bytesSent))"))
        }
        let seconds = Double(elapsedMs) / 1000
        let rate = seconds > 0 ? Format.rate(Double(rows - resumed) / seconds) + " rows/s" : ""
        lines.append(("elapsed", Format.duration(seconds: seconds), rate))
        if let ids = contactIds { lines.append(("contact ids", Format.count(ids), "rows mapped to a contact id")) }
        if heldForOrder > 0 {
            lines.append(("held for order", Format.count(heldForOrder), "rows sent after an earlier row of the same contact"))
        }
        if acceptedByDuplicate > 0 {
            lines.append(("duplicated request", Format.count(acceptedByDuplicate),
                          "accepted rows whose retry met \"Duplicated request\" (an earlier attempt was applied)"))
        }
        if unmappedFailures > 0 {
            lines.append(("unmapped failures", Format.count(unmappedFailures),
                          "failedContacts entries that name no single row; see the report's unmappedFailures"))
        }

        let labelWidth = (lines.map(\.0.count) + files.map(\.label.count) + [sharedBudget == nil ? 0 : 13]).max() ?? 0
        let valueWidth = lines.map(\.1.count).max() ?? 0
        var out = headline() + "\n"
        for (label, value, note) in lines {
            var line = "  " + Format.rightPad(label, labelWidth) + "  " + Format.leftPad(value, valueWidth)
            if !note.isEmpty { line += "  " + note }
            out += line + "\n"
        }
        // File names are not numbers: left-aligned, so they do not push the counts around.
        for file in files { out += "  " + Format.rightPad(file.label, labelWidth) + "  " + file.value + "\n" }
        if let b = sharedBudget { out += "  " + Format.rightPad("shared budget", labelWidth) + "  " + b.name + "  " + b.note + "\n" }
        return out
    }

    func headline() -> String {
        if let fatal { return "Stopped: \(fatal)" }
        if cancelled {
            return "Interrupted: rows not sent are counted as not sent; "
                + (journaled ? "run the same command with --resume to finish"
                             : "next time add --journal FILE so that a rerun with --resume skips what was done")
        }
        if dryRun { return failed == 0 ? "Dry run: every row is valid; nothing was sent" : "Dry run: some rows are invalid; nothing was sent" }
        if failed == 0 { return "Done: all \(Format.count(rows)) rows accepted" + (waited ? " and imported" : "") }
        return "Done with failures: \(Format.count(failed)) of \(Format.count(rows)) rows not accepted"
    }
}
