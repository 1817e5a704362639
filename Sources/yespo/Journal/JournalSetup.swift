// Opening the journal for a run: a new run starts a new journal; --resume checks that the journal
// was written for this same input and these same options, loads what it recorded, and repairs a
// torn last line before appending.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import YespoCore

struct JournalSetup {
    var writer: JournalWriter
    var resume: ResumeState?
    var resumedCounts: [RowOutcomeKind: Int] = [:]
    var notes: [String] = []

    static func open(path: String, files: [String], optionsText: String, resume: Bool) throws(CLIFailure) -> JournalSetup {
        var inputs: [InputIdentity] = []
        for file in files {
            do { inputs.append(try InputIdentity.of(path: file)) } catch { throw CLIFailure(error.message) }
        }
        let header = JournalFormat.Header(inputs: inputs, optionsHash: FNV1a64.hex(optionsText), options: optionsText)
        try lockForThisProcess(path)

        var contents: JournalContents?
        if FileSystem.exists(path) {
            do { contents = try JournalReader.read(path: path) } catch { throw CLIFailure(error.description) }
        }
        var notes: [String] = []
        if let existing = contents, !resume {
            throw CLIFailure("the journal \(path) already records a run (\(Format.count(existing.state.rows.count)) rows); "
                             + "add --resume to continue it, or remove the file to start over")
        }
        if let existing = contents {
            try check(existing.header, against: header, journal: path)
            if existing.tornTail { notes.append("the journal's last line was cut off by the interruption; it is ignored") }
        } else if resume {
            notes.append("the journal \(path) records nothing yet; starting from the first row")
        }

        let writer: JournalWriter
        do {
            writer = try JournalWriter(path: path, header: header, truncateTo: contents?.validLength ?? 0,
                                       recorded: contents?.state)
        } catch {
            throw CLIFailure(error.message)
        }
        return JournalSetup(writer: writer, resume: contents?.state, resumedCounts: contents?.counts ?? [:], notes: notes)
    }

    /// Two runs appending to one journal would corrupt it. The lock is taken before the journal is
    /// read and held (its descriptor never closed) until this process ends, however it ends.
    private static func lockForThisProcess(_ path: String) throws(CLIFailure) {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIFailure(FileError.errno("open the journal", path).message) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(fd)
            throw CLIFailure("the journal \(path) is in use by another running yespo")
        }
    }

    private static func check(_ recorded: JournalFormat.Header, against current: JournalFormat.Header,
                              journal: String) throws(CLIFailure) {
        let refuse = "refusing to --resume from \(journal): "
        guard recorded.inputs.count == current.inputs.count else {
            throw CLIFailure(refuse + "it was written for \(recorded.inputs.count) input file(s), not \(current.inputs.count)")
        }
        for (old, new) in zip(recorded.inputs, current.inputs) {
            if let why = old.mismatch(with: new) {
                throw CLIFailure(refuse + "the input is not the one it was written for (\(new.path): \(why); "
                                 + "the journal was written for \(old.path))")
            }
        }
        guard recorded.optionsHash == current.optionsHash else {
            throw CLIFailure(refuse + "the options differ from the run it records (was: \(recorded.options); now: \(current.options))")
        }
    }
}
