// One `yespo sync` run: open the state, feed the sources, finish, print the summary and choose the
// exit code. The engine (YespoCore's SyncJob) does the comparing, sending, committing and removing.
import ArgumentParser
import YespoCore

struct SyncRun {
    let command: SyncCommand

    func execute() throws {
        let c = command
        let options = try c.syncOptions()
        let fileOptions = try c.bulk.fileOptions()
        for file in c.files where file != "-" {
            guard FileSystem.exists(file) else { throw CLIFailure("cannot read \(file): no such file") }
        }
        guard let state = c.state else { throw CLIFailure("give the state: --state FILE") }

        InterruptWatcher.blockSignals()
        let apiKey = try c.connection.apiKey(required: !c.dryRun) ?? "dry-run-sends-nothing"
        var settings = c.connection.settings(apiKey: apiKey)
        if let v = c.concurrency { settings.concurrency = v }
        if let v = c.rate { settings.requestsPerSecond = v }
        if let v = c.chunkSize { settings.chunkSize = v }
        let client = try ConnectionOptions.client(settings)
        defer { client.close() }

        let watcher = InterruptWatcher(onFirst: {
            Terminal.err("yespo: stopping: finishing requests in flight (Ctrl-C again to quit at once)\n")
        })
        watcher.start()

        let sync: SyncJob
        do { sync = try client.beginSync(state: state, options: options) } catch {
            throw CLIFailure(CLIFailure.describe(error), exitCode: error.code == .invalidArgument || error.code == .state || error.code == .io
                             || error.code == .notFound ? ExitStatus.fatal : CLIFailure.from(error, doing: "").exitCode)
        }
        if let job = sync.upsertJob { watcher.attach(job) }

        var feedFailure: String?
        for file in c.files {
            if watcher.interrupted { sync.cancel(); break }
            do {
                try sync.feedFile(path: file, options: fileOptions)
            } catch {
                if error.code != .cancelled {
                    feedFailure = "cannot read \(file == "-" ? "standard input" : file): \(CLIFailure.describe(error))"
                }
                sync.cancel()
                break
            }
        }
        if watcher.interrupted { sync.cancel() }
        let report: SyncReport
        do { report = try sync.finish() } catch { throw CLIFailure.from(error, doing: "the sync failed") }

        let text = Secrets.redact(report.json())
        var value = (try? JSON.parse(text)) ?? .object([])
        let code = Self.exitCode(report, interrupted: watcher.interrupted, feedFailure: feedFailure)
        if case .object(var members) = value {
            members.append(("inputs", .array(c.files.map { .string($0) })))
            members.append(("exitCode", .number(Double(code))))
            value = .object(members)
        }
        var problems: [String] = []
        if let path = c.report {
            do { try FileSystem.writeAtomically(path, Array((value.encoded() + "\n").utf8)) } catch { problems.append(error.message) }
        }
        if c.json {
            Terminal.out(value.encoded() + "\n")
        } else if !c.quiet {
            Terminal.out(SyncSummary.run(value))
        }
        if let feedFailure { Terminal.error(feedFailure) }
        if let fatal = report.fatal, fatal.code != .cancelled { Terminal.error(Secrets.redact(CLIFailure.describe(fatal))) }
        if let refused = report.missing?.refused { Terminal.error(refused) }
        if let skipped = report.missing?.skipped, report.missing?.action != nil { Terminal.warning(skipped) }
        for problem in problems { Terminal.error(problem) }
        let finalCode = problems.isEmpty ? code : ExitStatus.fatal
        if finalCode != ExitStatus.ok { throw ExitCode(finalCode) }
    }

    static func exitCode(_ r: SyncReport, interrupted: Bool, feedFailure: String?) -> Int32 {
        if feedFailure != nil { return ExitStatus.fatal }
        if let fatal = r.fatal, fatal.code != .cancelled { return ExitStatus.fatal }
        if r.missing?.refused != nil { return ExitStatus.fatal }
        if interrupted || r.cancelled { return ExitStatus.interrupted }
        if !r.clean { return ExitStatus.partial }
        return ExitStatus.ok
    }
}

/// The sync's human summaries, read from its JSON report (the same for a run and for --status).
enum SyncSummary {
    static func run(_ r: JSON) -> String {
        func n(_ key: String) -> String { Format.count(r.count(key)) }
        var out = (r["dryRun"]?.bool == true ? "Dry run: nothing sent, nothing stored.\n" : "")
        out += "Sync state: \(r["state"]?.string ?? "?") (\(r["store"]?.string ?? "?"))\n"
        var lines: [(String, String)] = [
            ("rows read", n("rows")),
            ("new", n("new")), ("changed", n("changed")), ("unchanged", n("unchanged")),
        ]
        if r.count("repeated") > 0 { lines.append(("repeated key", n("repeated"))) }
        if r.count("noContactId") > 0 { lines.append(("no contact id yet", n("noContactId"))) }
        if r.count("invalid") > 0 { lines.append(("invalid", n("invalid"))) }
        if r.count("forced") > 0 { lines.append(("resent (--full)", n("forced"))) }
        let sent = r["dryRun"]?.bool == true ? "would send" : "sent"
        lines.append((sent, n("sent")))
        if r["dryRun"]?.bool != true {
            lines.append(("accepted", n("accepted")))
            if r.count("rejected") > 0 { lines.append(("rejected", n("rejected"))) }
            if r.count("notSent") > 0 { lines.append(("not sent", n("notSent"))) }
            if r.count("unconfirmed") > 0 { lines.append(("import unconfirmed", n("unconfirmed"))) }
            lines.append(("stored in state", n("committed")))
        }
        if let m = r["missing"], m != .null {
            var text = Format.count(m.count("count"))
            if let action = m["action"]?.string {
                text += " (\(action): \(Format.count(m.count("acted"))) done"
                if m.count("failed") > 0 { text += ", \(Format.count(m.count("failed"))) failed" }
                if m.count("withoutContactId") > 0 { text += ", \(Format.count(m.count("withoutContactId"))) without a contact id" }
                text += ", cap \(Format.count(m.count("limit"))))"
            }
            lines.append(("missing", text))
        } else {
            lines.append(("missing", "not looked for (no --missing)"))
        }
        if let entries = r["stateEntries"]?.int {
            var text = Format.count(entries) + " contacts"
            if let bytes = r["stateBytes"]?.int, entries > 0 {
                text += ", " + Format.bytes(bytes) + " (" + Format.fixed(Double(bytes) / Double(entries), 1) + " bytes each)"
            }
            lines.append(("state", text))
        }
        lines.append(("time", Format.duration(seconds: Double(r.count("elapsedMs")) / 1000)))
        let width = lines.map(\.0.count).max() ?? 0
        for (label, value) in lines { out += "  " + Format.rightPad(label, width) + "  " + value + "\n" }
        if let failures = r["failures"]?.array, !failures.isEmpty {
            out += "First rows not taken (they are sent again next run):\n"
            for f in failures.prefix(5) {
                out += "  row \(Format.leftPad(String(f.count("row")), 7))  \(Format.rightPad(f["outcome"]?.string ?? "", 9))  \(f["reason"]?.string ?? "")\n"
            }
        }
        return out
    }

    static func status(_ s: JSON) -> String {
        var out = "Sync state: \(s["state"]?.string ?? "?") (\(s["store"]?.string ?? "?"))\n"
        out += "  matches by      \(s["keyScheme"]?.string ?? "?")\n"
        var entries = "  contacts        \(Format.count(s.count("entries")))"
        if let bytes = s["bytes"]?.int { entries += ", \(Format.bytes(bytes))" }
        if let per = s["bytesPerContact"]?.double { entries += " (\(Format.fixed(per, 1)) bytes each)" }
        out += entries + "\n"
        let runs = s["runs"]?.array ?? []
        guard let last = runs.first else { return out + "  no run yet\n" }
        out += "  last run        #\(last.count("id")): \(last["status"]?.string ?? "?")\n"
        if let summary = last["summary"], summary != .null {
            out += run(summary).split(separator: "\n").dropFirst().map { "  " + $0 + "\n" }.joined()
        }
        return out
    }
}
