// What an upsert leaves behind once the job is over: the report file, the rejects file, the
// outcomes file, the summary (table or JSON) and the exit code. Written even after a fatal error
// or Ctrl-C, because that is when the user needs to know what happened to each row.
import ArgumentParser
import YespoCore

struct UpsertOutputs {
    let job: JobRunOptions
    let files: [String]
    /// --wait (contacts only).
    let waited: Bool
    let report: UpsertReport
    let resumedCounts: [RowOutcomeKind: Int]
    let interrupted: Bool
    let feedFailure: String?
    let journalFailure: String?

    static let failedKinds: Set<RowOutcomeKind> = [.rejected, .invalid, .duplicate, .notSent]

    func emit() throws {
        let c = job
        let summaryJSON = (try? JSON.parse(Secrets.redact(report.summaryJSON()))) ?? .object([])
        let fatal = fatalMessage() ?? unreachableMessage()
        let code: Int32
        if fatal != nil { code = ExitStatus.fatal }
        else if interrupted || report.cancelled { code = ExitStatus.interrupted }
        else if report.rejected + report.invalid + report.duplicates + report.notSent > 0 { code = ExitStatus.partial }
        else { code = ExitStatus.ok }

        var summary = UpsertSummary()
        summary.rows = report.rows
        summary.accepted = report.accepted
        summary.rejected = report.rejected
        summary.invalid = report.invalid
        summary.duplicates = report.duplicates
        summary.notSent = report.notSent
        summary.resumed = resumedCounts.values.reduce(0, +)
        summary.dryRun = c.dryRun
        summary.cancelled = interrupted || report.cancelled
        summary.waited = waited
        summary.journaled = c.journal != nil
        summary.fatal = fatal
        summary.take(report)

        var problems: [String] = []
        if waited && !c.dryRun { summary.contactIds = report.contactIdCount }
        // Rejects and outcomes stream to their files a megabyte at a time (whole lines, so the
        // redaction sees every value whole): a million rows never sit in memory as one text.
        if let path = c.rejects {
            do {
                try FileSystem.writeAtomically(path) { write in
                    report.writeRowsNDJSON(kinds: Self.failedKinds) { write(Secrets.redact($0)) }
                }
                summary.files.append(("rejects", "\(path) (\(Format.count(summary.failed)) rows)"))
            } catch { problems.append(error.message) }
        }
        if let path = c.outcomes {
            do {
                try FileSystem.writeAtomically(path) { write in
                    report.writeRowsNDJSON(kinds: Set(RowOutcomeKind.allCases)) { write(Secrets.redact($0)) }
                }
                summary.files.append(("outcomes", path))
            } catch { problems.append(error.message) }
        }
        if let path = c.journal { summary.files.append(("journal", path)) }

        var full = summaryJSON
        if case .object(var members) = full {
            members.append(("inputs", .array(files.map { .string($0) })))
            members.append(("resumedRows", .number(Double(summary.resumed))))
            if let ids = summary.contactIds { members.append(("contactIds", .number(Double(ids)))) }
            members.append(("exitCode", .number(Double(code))))
            if let fatal { members.append(("error", .string(fatal))) }
            full = .object(members)
        }
        if let path = c.report {
            do {
                try FileSystem.writeAtomically(path, Array((full.encoded() + "\n").utf8))
                summary.files.append(("report", path))
            } catch { problems.append(error.message) }
        }

        if c.json {
            Terminal.out(full.encoded() + "\n")
        } else if !c.quiet {
            Terminal.out(summary.table())
            if let path = c.rejects, summary.failed > 0 { Terminal.out(rejectsPreview(path: path)) }
        }
        if let fatal { Terminal.error(fatal) }
        for problem in problems { Terminal.error(problem) }
        let finalCode = problems.isEmpty || code == ExitStatus.interrupted ? code : ExitStatus.fatal
        if finalCode != ExitStatus.ok { throw ExitCode(finalCode) }
    }

    private func fatalMessage() -> String? {
        if let journalFailure { return journalFailure }
        if let feedFailure { return feedFailure }
        if let error = report.fatal, error.code != .cancelled { return CLIFailure.describe(error) }
        return nil
    }

    /// Chunks that failed after every retry while none got an answer: the server is unreachable
    /// (or down), which is fatal rather than a matter of a few bad rows.
    private func unreachableMessage() -> String? {
        guard !interrupted, !report.cancelled, !job.dryRun, report.notSent > 0 else { return nil }
        let chunks = report.chunkRecords
        let answered = chunks.contains { $0.status == .accepted || $0.status == .rejected }
        guard !answered, chunks.contains(where: { $0.status == .notSent }) else { return nil }
        let reason = report.outcomes(kinds: [.notSent], limit: 1).first?.reason
        return "no request got through to the server" + (reason.map { ": " + Secrets.redact($0) } ?? "")
    }

    /// The first few rejected rows, so the user sees the reasons without opening the file.
    private func rejectsPreview(path: String) -> String {
        let rows = report.outcomes(kinds: Self.failedKinds, limit: 5)
        guard !rows.isEmpty else { return "" }
        var out = "First rows not accepted (all of them are in \(path)):\n"
        for outcome in rows {
            var reason = outcome.reason ?? ""
            // The engine's reasons start with "row N: "; the preview has its own row column.
            let prefix = "row \(outcome.row): "
            if reason.hasPrefix(prefix) { reason.removeFirst(prefix.count) }
            out += "  row \(Format.leftPad(String(outcome.row), 7))  \(Format.rightPad(outcome.kind.rawValue, 9))  \(Secrets.redact(reason))\n"
        }
        return out
    }
}
