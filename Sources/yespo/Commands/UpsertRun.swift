// One `yespo upsert` run: open the journal, start the job, feed the files, show progress, then
// write the report, rejects and summary and choose the exit code. The engine does the sending;
// this file only wires it to files, the terminal and signals.
import YespoCore

struct UpsertRun {
    let files: [String]
    let job: JobRunOptions
    let input: InputReadOptions
    /// The contacts' own flags (bulk options, --wait, --ack-on, import polling); nil for orders and events.
    let contacts: UpsertCommand?
    /// `yespo upsert` (contacts), `yespo orders upsert`, `yespo event upsert`: the same run.
    let kind: JobKind

    func execute() throws {
        let c = job
        var options = try contacts?.bulk.upsertOptions() ?? UpsertOptions()
        options.kind = kind
        if let contacts {
            options.wait = contacts.wait
            guard let ack = WriteAcknowledgement(rawValue: contacts.ackOn) else {
                throw CLIFailure("--ack-on \(contacts.ackOn) is not one of: accepted, finished")
            }
            options.ackOn = ack
        }
        options.dryRun = c.dryRun
        let fileOptions = try contacts?.bulk.fileOptions() ?? input.fileOptions()
        for file in files where file != "-" {
            guard FileSystem.exists(file) else { throw CLIFailure("cannot read \(file): no such file") }
            if let st = try? FileSystem.status(file), !st.isRegular, file.hasPrefix("/dev/") == false {
                throw CLIFailure("cannot read \(file): not a regular file")
            }
        }

        let progressMode: ProgressView.Mode = c.quiet ? .off : (Terminal.isTTY(2) ? .bar : .lines)
        let expected = progressMode == .off ? nil : RowEstimate.rows(files: files, format: input.format)
        let view = ProgressView(mode: progressMode, expectedRows: expected, lineInterval: c.progressInterval)

        // The signal mask is inherited by threads created later: block before the client's engine thread.
        InterruptWatcher.blockSignals()
        let apiKey = try c.connection.apiKey(required: !c.dryRun) ?? "dry-run-sends-nothing"

        var journal: JournalSetup?
        if let path = c.journal {
            let setup = try JournalSetup.open(path: path, files: files, optionsText: contacts?.bulk.canonicalText() ?? "\(input.canonicalText());kind=\(kind.rawValue)",
                                              resume: c.resume)
            for note in setup.notes where !c.quiet { Terminal.warning(note) }
            options.resume = setup.resume
            journal = setup
        }
        defer { journal?.writer.closeFile() }

        var settings = c.connection.settings(apiKey: apiKey)
        if let v = c.concurrency { settings.concurrency = v }
        if let v = c.rate { settings.requestsPerSecond = v }
        if let v = c.chunkSize { settings.chunkSize = v }
        if let v = contacts?.pollInterval { settings.importPollMs = max(10, Int(v * 1000)) }
        if let v = contacts?.importTimeout { settings.importTimeoutMs = Int(v * 1000) }
        if !c.dryRun { try c.sharedBudget.apply(to: &settings) }
        let client = try ConnectionOptions.client(settings)
        defer { client.close() }
        if settings.sharedBudget.isEnabled && !c.quiet {
            // Losing and rejoining Redis are said once each; every other engine line stays quiet.
            client.setLogHandler(maxLevel: .warn) { _, message in
                if message.hasPrefix("shared budget") { view.note("yespo: " + message) }
            }
        }

        let watcher = InterruptWatcher(onFirst: {
            view.note("yespo: stopping: finishing requests in flight (Ctrl-C again to quit at once)")
        })
        watcher.start()

        let job: UpsertJob
        do { job = try client.beginUpsert(options) } catch { throw CLIFailure.from(error, doing: "cannot start the upsert") }
        watcher.attach(job)
        if let writer = journal?.writer {
            job.setOutcomeHandler { batch in
                if !writer.append(batch) { job.cancel() }
            }
        }
        if progressMode != .off {
            job.setProgressHandler(intervalMs: progressMode == .bar ? 100 : 250) { progress in
                view.update(progress)
            }
        }

        var feedFailure: String?
        for file in files {
            do {
                // How the file is read (encoding, delimiter, columns), once, before its rows.
                try job.feedFile(path: file, options: fileOptions) { input in
                    if !c.quiet { view.note("yespo: reading " + Secrets.redact(input.summary)) }
                }
            } catch {
                if error.code != .cancelled {
                    feedFailure = Self.feedFailure(file: file, CLIFailure.describe(error))
                    job.cancel()
                }
                break
            }
        }

        let report: UpsertReport
        do {
            report = try job.finish()
        } catch {
            view.finish(nil)
            throw CLIFailure.from(error, doing: "the upsert failed")
        }
        view.finish(Self.finalSnapshot(report: report, progress: job.progress()))

        try UpsertOutputs(job: c, files: files, waited: contacts?.wait ?? false, report: report, resumedCounts: journal?.resumedCounts ?? [:],
                          interrupted: watcher.interrupted, feedFailure: feedFailure,
                          journalFailure: journal?.writer.error).emit()
    }

    /// "cannot read FILE: why", naming the file once (the engine's reader messages start with it).
    static func feedFailure(file: String, _ message: String) -> String {
        let shown = file == "-" ? "standard input" : file
        var why = message
        for prefix in ["'\(file)': ", "\(shown): "] where why.hasPrefix(prefix) {
            why.removeFirst(prefix.count)
            break
        }
        if why.hasPrefix("cannot read ") || why.hasPrefix("cannot open ") { return why }
        return "cannot read \(shown): \(why)"
    }

    /// The last progress line shows the report's counts: they are final and add up.
    static func finalSnapshot(report: UpsertReport, progress: UpsertProgress) -> ProgressSnapshot {
        var p = ProgressSnapshot(progress)
        p.rowsRead = report.rows
        p.accepted = report.accepted
        p.rejected = report.rejected
        p.invalid = report.invalid
        p.duplicates = report.duplicates
        p.notSent = report.notSent
        p.requests = report.requests
        p.retries = report.retries
        p.throttled = report.throttled
        p.elapsedMs = max(p.elapsedMs, report.elapsedMs)
        p.done = true
        return p
    }
}
