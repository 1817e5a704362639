// The default sync state: one SQLite file (the system libsqlite3), WAL mode so that the run's
// reads and its commits do not block each other. Entries live in a WITHOUT ROWID table keyed by
// the 64-bit key hash (about 35 bytes a contact on disk; 39 with a contact id). A process killed
// mid-commit loses at most that transaction, which only makes the next run send those rows again.
import CSQLite
import Glibc

final class SQLiteState: StateConnection {
    private var db: OpaquePointer?
    private let path: String
    private var lookupStmt: OpaquePointer?
    private var commitStmt: OpaquePointer?
    private var removeStmt: OpaquePointer?
    private var lockFd: Int32 = -1

    var kind: String { "sqlite" }

    init(path: String, create: Bool) throws(YespoError) {
        self.path = path
        if !create && access(path, F_OK) != 0 {
            throw YespoError(.notFound, "no sync state at \(path)")
        }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        db = handle
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            close()
            throw YespoError(.io, "cannot open the sync state \(path): \(message)")
        }
        sqlite3_busy_timeout(handle, 30_000)
        // Someone else's database (a path mixed up) is left untouched: no table is added to it.
        let tables = try scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        let ours = try scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'yespo_sync_meta'")
        if tables > 0 && ours == 0 {
            close()
            throw YespoError(.invalidArgument, "\(path) is an SQLite database but not a yespo sync state; refusing to add tables to it")
        }
        if ours == 0 && !create {
            close()
            throw YespoError(.notFound, "no sync state at \(path)")
        }
        try exec("PRAGMA journal_mode=WAL")
        // WAL + NORMAL: a commit survives a crash of the process; a power cut may lose the last
        // commits, which is safe here (those rows are sent again), never a torn database.
        try exec("PRAGMA synchronous=NORMAL")
        // A bounded page cache of 16 MiB (the default is 2 MiB): a million-contact state is ~35 MB, and
        // lookups in random key order otherwise go to the OS for most leaf pages.
        try exec("PRAGMA cache_size=-16384")
        try exec("""
            CREATE TABLE IF NOT EXISTS yespo_sync_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS yespo_sync_contacts(k INTEGER PRIMARY KEY, h BLOB NOT NULL, id INTEGER) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS yespo_sync_runs(id INTEGER PRIMARY KEY, started INTEGER NOT NULL,
                finished INTEGER, status TEXT NOT NULL, summary TEXT NOT NULL);
            """)
        lookupStmt = try prepare("SELECT h, id FROM yespo_sync_contacts WHERE k = ?1")
        commitStmt = try prepare("""
            INSERT INTO yespo_sync_contacts(k, h, id) VALUES(?1, ?2, ?3)
            ON CONFLICT(k) DO UPDATE SET h = excluded.h, id = coalesce(excluded.id, yespo_sync_contacts.id)
            """)
        removeStmt = try prepare("DELETE FROM yespo_sync_contacts WHERE k = ?1")
    }

    deinit { close() }

    func close() {
        for stmt in [lookupStmt, commitStmt, removeStmt] { sqlite3_finalize(stmt) }
        lookupStmt = nil; commitStmt = nil; removeStmt = nil
        if let db {
            // Fold the WAL back into the file so that the state is one file at rest.
            sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nil, nil, nil)
            sqlite3_close_v2(db)
        }
        db = nil
        // After SQLite closed its descriptors: closing ours earlier could drop its POSIX locks.
        if lockFd >= 0 { Glibc.close(lockFd); lockFd = -1 }
    }

    // MARK: helpers

    private func failure(_ what: String) -> YespoError {
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        return YespoError(.io, "sync state \(path): \(what): \(message)")
    }

    private func exec(_ sql: String) throws(YespoError) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure("cannot run \(sql.prefix(40))") }
    }

    private func prepare(_ sql: String) throws(YespoError) -> OpaquePointer? {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil) == SQLITE_OK else {
            throw failure("cannot prepare a statement")
        }
        return stmt
    }

    private func scalar(_ sql: String) throws(YespoError) -> Int64 {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { throw failure("cannot read \(path)") }
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW else { throw failure("cannot read \(path)") }
        return sqlite3_column_int64(stmt, 0)
    }

    private func transaction(_ body: () throws(YespoError) -> Void) throws(YespoError) {
        try exec("BEGIN IMMEDIATE")
        do {
            try body()
            try exec("COMMIT")
        } catch {
            sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    private func text(_ stmt: OpaquePointer?, _ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        return String(cString: p)
    }

    // MARK: StateConnection

    func readMeta() throws(YespoError) -> [String: String] {
        let stmt = try prepare("SELECT name, value FROM yespo_sync_meta")
        defer { sqlite3_finalize(stmt) }
        var out: [String: String] = [:]
        while sqlite3_step(stmt) == SQLITE_ROW { out[text(stmt, 0)] = text(stmt, 1) }
        return out
    }

    func writeMeta(_ pairs: [(String, String)]) throws(YespoError) {
        let stmt = try prepare("INSERT INTO yespo_sync_meta(name, value) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        defer { sqlite3_finalize(stmt) }
        try transaction { () throws(YespoError) in
            for (name, value) in pairs {
                sqlite3_reset(stmt)
                yespo_sqlite3_bind_text_copy(stmt, 1, name, -1)
                yespo_sqlite3_bind_text_copy(stmt, 2, value, -1)
                guard sqlite3_step(stmt) == SQLITE_DONE else { throw failure("cannot write the state's settings") }
            }
        }
    }

    func lookup(_ keys: [Int64], _ found: (Int, Hash128, Int64?) -> Void) throws(YespoError) {
        let stmt = lookupStmt
        // One read transaction for the batch: outside one, every SELECT takes and drops the
        // file's locks (fcntl syscalls that cost more than the lookup itself).
        try exec("BEGIN")
        defer { sqlite3_exec(db, "COMMIT", nil, nil, nil) }
        // In key order: consecutive lookups then share the B-tree pages they walk through.
        for i in keys.indices.sorted(by: { keys[$0] < keys[$1] }) {
            let key = keys[i]
            sqlite3_reset(stmt)
            sqlite3_bind_int64(stmt, 1, key)
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_ROW {
                let n = Int(sqlite3_column_bytes(stmt, 0))
                guard n == 16, let blob = sqlite3_column_blob(stmt, 0),
                      let hash = Hash128(bytes: UnsafeRawBufferPointer(start: blob, count: 16)) else { continue }
                let id: Int64? = sqlite3_column_type(stmt, 1) == SQLITE_NULL ? nil : sqlite3_column_int64(stmt, 1)
                found(i, hash, id)
            } else if rc != SQLITE_DONE {
                throw failure("cannot read an entry")
            }
        }
        sqlite3_reset(stmt)
    }

    func commit(_ entries: [StateEntry]) throws(YespoError) {
        guard !entries.isEmpty else { return }
        let stmt = commitStmt
        try transaction { () throws(YespoError) in
            // In key order (stable: a key's later entry still wins), for the same page locality.
            for entry in entries.enumerated().sorted(by: { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }).map(\.element) {
                sqlite3_reset(stmt)
                sqlite3_bind_int64(stmt, 1, entry.key)
                let bytes = entry.hash.bytes
                _ = bytes.withUnsafeBytes { yespo_sqlite3_bind_blob_copy(stmt, 2, $0.baseAddress, 16) }
                if let id = entry.contactId { sqlite3_bind_int64(stmt, 3, id) } else { sqlite3_bind_null(stmt, 3) }
                guard sqlite3_step(stmt) == SQLITE_DONE else { throw failure("cannot write an entry") }
            }
        }
    }

    func remove(_ keys: [Int64]) throws(YespoError) {
        guard !keys.isEmpty else { return }
        let stmt = removeStmt
        try transaction { () throws(YespoError) in
            for key in keys {
                sqlite3_reset(stmt)
                sqlite3_bind_int64(stmt, 1, key)
                guard sqlite3_step(stmt) == SQLITE_DONE else { throw failure("cannot remove an entry") }
            }
        }
    }

    func scan(_ body: (Int64, Int64?) -> Void) throws(YespoError) {
        let stmt = try prepare("SELECT k, id FROM yespo_sync_contacts ORDER BY k")
        defer { sqlite3_finalize(stmt) }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw failure("cannot scan the entries") }
            body(sqlite3_column_int64(stmt, 0), sqlite3_column_type(stmt, 1) == SQLITE_NULL ? nil : sqlite3_column_int64(stmt, 1))
        }
    }

    func count() throws(YespoError) -> Int {
        let stmt = try prepare("SELECT count(*) FROM yespo_sync_contacts")
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW else { throw failure("cannot count the entries") }
        return Int(sqlite3_column_int64(stmt, 0))
    }

    func startRun(startedMs: Int64, summary: String) throws(YespoError) -> Int64 {
        let stmt = try prepare("INSERT INTO yespo_sync_runs(started, status, summary) VALUES(?1, 'running', ?2)")
        defer { sqlite3_finalize(stmt) }
        sqlite3_bind_int64(stmt, 1, startedMs)
        yespo_sqlite3_bind_text_copy(stmt, 2, summary, -1)
        guard sqlite3_step(stmt) == SQLITE_DONE else { throw failure("cannot record the run") }
        return sqlite3_last_insert_rowid(db)
    }

    func endRun(id: Int64, finishedMs: Int64, status: String, summary: String) throws(YespoError) {
        let stmt = try prepare("UPDATE yespo_sync_runs SET finished = ?2, status = ?3, summary = ?4 WHERE id = ?1")
        defer { sqlite3_finalize(stmt) }
        sqlite3_bind_int64(stmt, 1, id)
        sqlite3_bind_int64(stmt, 2, finishedMs)
        yespo_sqlite3_bind_text_copy(stmt, 3, status, -1)
        yespo_sqlite3_bind_text_copy(stmt, 4, summary, -1)
        guard sqlite3_step(stmt) == SQLITE_DONE else { throw failure("cannot record the run's end") }
    }

    func runs(limit: Int) throws(YespoError) -> [StateRun] {
        let stmt = try prepare("SELECT id, started, finished, status, summary FROM yespo_sync_runs ORDER BY id DESC LIMIT ?1")
        defer { sqlite3_finalize(stmt) }
        sqlite3_bind_int64(stmt, 1, Int64(limit))
        var out: [StateRun] = []
        while sqlite3_step(stmt) == SQLITE_ROW {
            out.append(StateRun(id: sqlite3_column_int64(stmt, 0), startedMs: sqlite3_column_int64(stmt, 1),
                                finishedMs: sqlite3_column_type(stmt, 2) == SQLITE_NULL ? nil : sqlite3_column_int64(stmt, 2),
                                status: text(stmt, 3), summary: text(stmt, 4)))
        }
        return out
    }

    func lockForRun() throws(YespoError) {
        guard lockFd < 0 else { return }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw YespoError(.io, "cannot open the sync state \(path) to lock it") }
        // flock, not fcntl: independent of SQLite's own POSIX locks, and released by the kernel
        // however this process ends.
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(fd)
            throw YespoError(.state, "the sync state \(path) is in use by another running sync")
        }
        lockFd = fd
    }

    func bytesOnDisk() -> Int? {
        // Pages in use, the WAL's committed ones included: the file's size once checkpointed
        // (which close() does), whatever moment this is asked.
        guard let stmt = try? prepare("SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())")
        else { return nil }
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW else { return nil }
        return Int(sqlite3_column_int64(stmt, 0))
    }
}
