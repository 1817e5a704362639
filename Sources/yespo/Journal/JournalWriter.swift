// Appends outcome batches to the journal as they become final, each one written with a single
// write(2) and made durable with fdatasync before the handler returns: a SIGKILL can lose at most
// the batch being written, and a torn last line is what the reader expects to find.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
import YespoCore

final class JournalWriter: Sendable {
    let path: String
    private let fd: Int32
    private let firstError = Mutex<String?>(nil)
    /// Rows the journal already holds from an earlier run; the engine may report them again.
    private let recorded: ResumeState?

    /// Opens (creating if needed) for appending. `header` is written when the file is new or empty;
    /// `truncateTo` cuts a torn last line left by a killed run before anything is appended.
    init(path: String, header: JournalFormat.Header, truncateTo: Int?, recorded: ResumeState?) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError.errno("open the journal", path) }
        if let keep = truncateTo, ftruncate(fd, off_t(keep)) != 0 {
            close(fd)
            throw FileError.errno("repair the journal", path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw FileError.errno("open the journal", path) }
        if st.st_size == 0 {
            guard FileSystem.writeAll(fd: fd, Array((header.line + "\n").utf8)), fsync(fd) == 0 else {
                close(fd)
                throw FileError.errno("write the journal", path)
            }
        }
        self.path = path
        self.fd = fd
        self.recorded = recorded
    }

    /// Called on the engine thread for every batch. Returns false when the journal cannot be
    /// written, so the caller can stop the job instead of running on without crash safety.
    @discardableResult
    func append(_ batch: OutcomeBatch) -> Bool {
        var fresh = batch
        if let recorded {
            fresh.rows = batch.rows.filter { recorded.rows[$0.row]?.kind != $0.kind }
        }
        if fresh.rows.isEmpty { return true }
        let line = Array((JournalFormat.entryLine(fresh) + "\n").utf8)
        if FileSystem.writeAll(fd: fd, line) && fdatasync(fd) == 0 { return true }
        let reason = String(cString: strerror(errno))
        firstError.withLock { if $0 == nil { $0 = "cannot write the journal \(path): \(reason)" } }
        return false
    }

    var error: String? { firstError.withLock { $0 } }

    func closeFile() { _ = Glibc.close(fd) }
}
