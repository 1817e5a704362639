// The sync state in PostgreSQL, for several machines sharing one sync: the same three tables as
// the SQLite store. Lookups and commits go in batches (one round trip per few thousand keys, keys
// as int8[] arrays, answers in binary), the missing-contact scan through a cursor, and one run at
// a time is enforced with an advisory lock that dies with the connection.
import Glibc

final class PostgresState: StateConnection {
    private let pq: LibPQ
    private var conn: OpaquePointer?
    private let display: String
    private var holdsLock = false
    private static let advisoryLock: Int64 = 0x7965_7370_6f53_796e   // "yespoSyn"

    var kind: String { "postgres" }

    init(conninfo: String, display: String, create: Bool) throws(YespoError) {
        self.display = display
        switch LibPQ.shared {
        case .success(let lib): pq = lib
        case .failure(let error): throw error
        }
        conn = pq.connectdb(conninfo)
        guard let conn, pq.status(conn) == LibPQ.connectionOK else {
            let message = conn.flatMap { pq.errorMessage($0) }.map { String(cString: $0) } ?? "out of memory"
            close()
            throw YespoError(.io, "cannot connect to the sync state \(display): \(Self.trimmed(message))")
        }
        _ = try exec("SET client_min_messages = warning")
        let exists = try exec("SELECT to_regclass('yespo_sync_contacts') IS NOT NULL")
        if !create, exists.first?.first != "t" {
            close()
            throw YespoError(.notFound, "no sync state in \(display)")
        }
        if exists.first?.first != "t" {
            _ = try exec("CREATE TABLE IF NOT EXISTS yespo_sync_meta(name text PRIMARY KEY, value text NOT NULL)")
            _ = try exec("CREATE TABLE IF NOT EXISTS yespo_sync_contacts(k int8 PRIMARY KEY, h bytea NOT NULL, id int8)")
            _ = try exec("""
                CREATE TABLE IF NOT EXISTS yespo_sync_runs(id bigserial PRIMARY KEY, started int8 NOT NULL, finished int8,
                    status text NOT NULL, summary text NOT NULL)
                """)
        }
    }

    deinit { close() }

    func close() {
        // Unlock explicitly: the server drops a closed session's locks only once its backend has
        // exited, which a run started right after this one could otherwise beat.
        if holdsLock { _ = try? exec("SELECT pg_advisory_unlock($1)", [String(Self.advisoryLock)]) }
        holdsLock = false
        if let conn { pq.finish(conn) }
        conn = nil
    }

    private static func trimmed(_ s: String) -> String {
        var t = s
        while let last = t.last, last == "\n" || last == " " { t.removeLast() }
        return t
    }

    /// Runs one statement with text parameters; returns the rows as text (binary: raw bytes per cell).
    @discardableResult
    private func run(_ sql: String, _ params: [String?], binary: Bool) throws(YespoError) -> [[[UInt8]?]] {
        guard let conn else { throw YespoError(.state, "the sync state \(display) is closed") }
        let cParams: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
        defer { for p in cParams { free(p) } }
        let result: OpaquePointer? = cParams.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
            pq.execParams(conn, sql, Int32(params.count), nil, values.baseAddress, nil, nil, binary ? 1 : 0)
        }
        defer { pq.clear(result) }
        let status = pq.resultStatus(result)
        guard result != nil, status == LibPQ.commandOK || status == LibPQ.tuplesOK else {
            let message = result.flatMap { pq.resultErrorMessage($0) }.map { String(cString: $0) }
                ?? pq.errorMessage(conn).map { String(cString: $0) } ?? "no answer"
            throw YespoError(.io, "sync state \(display): \(Self.trimmed(message)) (in: \(sql.prefix(60)))")
        }
        var rows: [[[UInt8]?]] = []
        let n = pq.ntuples(result)
        guard n > 0 else { return rows }
        rows.reserveCapacity(Int(n))
        let columns = pq.nfields(result)
        for r in 0..<n {
            var cells: [[UInt8]?] = []
            for c in 0..<columns {
                if pq.getisnull(result, r, c) != 0 { cells.append(nil); continue }
                let len = Int(pq.getlength(result, r, c))
                guard let p = pq.getvalue(result, r, c) else { cells.append(nil); continue }
                cells.append(Array(UnsafeRawBufferPointer(start: p, count: len)))
            }
            rows.append(cells)
        }
        return rows
    }

    private func exec(_ sql: String, _ params: [String?] = []) throws(YespoError) -> [[String?]] {
        try run(sql, params, binary: false).map { row in row.map { $0.map { String(decoding: $0, as: UTF8.self) } } }
    }

    private static func int8(_ bytes: [UInt8]?) -> Int64? {
        guard let bytes, bytes.count == 8 else { return nil }
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        return Int64(bitPattern: v)
    }

    private static func array(_ keys: some Sequence<Int64>) -> String {
        "{" + keys.map(String.init).joined(separator: ",") + "}"
    }

    // MARK: StateConnection

    func readMeta() throws(YespoError) -> [String: String] {
        var out: [String: String] = [:]
        for row in try exec("SELECT name, value FROM yespo_sync_meta") {
            if row.count == 2, let name = row[0], let value = row[1] { out[name] = value }
        }
        return out
    }

    func writeMeta(_ pairs: [(String, String)]) throws(YespoError) {
        for (name, value) in pairs {
            _ = try exec("INSERT INTO yespo_sync_meta(name, value) VALUES($1, $2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                         [name, value])
        }
    }

    func lookup(_ keys: [Int64], _ found: (Int, Hash128, Int64?) -> Void) throws(YespoError) {
        guard !keys.isEmpty else { return }
        let rows = try run("SELECT k, h, id FROM yespo_sync_contacts WHERE k = ANY($1::int8[])", [Self.array(keys)], binary: true)
        var answers: [Int64: (Hash128, Int64?)] = [:]
        answers.reserveCapacity(rows.count)
        for row in rows where row.count == 3 {
            guard let k = Self.int8(row[0]), let h = row[1], h.count == 16,
                  let hash = h.withUnsafeBytes({ Hash128(bytes: $0) }) else { continue }
            answers[k] = (hash, Self.int8(row[2]))
        }
        guard !answers.isEmpty else { return }
        for (i, key) in keys.enumerated() {
            if let (hash, id) = answers[key] { found(i, hash, id) }
        }
    }

    func commit(_ entries: [StateEntry]) throws(YespoError) {
        guard !entries.isEmpty else { return }
        // One command may not update a row twice: the last entry of a key wins.
        var last: [Int64: Int] = [:]
        for (i, e) in entries.enumerated() { last[e.key] = i }
        var keys: [String] = [], hashes: [String] = [], ids: [String] = []
        for (i, e) in entries.enumerated() where last[e.key] == i {
            keys.append(String(e.key))
            hashes.append("\"\\\\x" + e.hash.hex + "\"")
            ids.append(e.contactId.map(String.init) ?? "NULL")
        }
        try run("""
            INSERT INTO yespo_sync_contacts(k, h, id) SELECT * FROM unnest($1::int8[], $2::bytea[], $3::int8[])
            ON CONFLICT(k) DO UPDATE SET h = excluded.h, id = coalesce(excluded.id, yespo_sync_contacts.id)
            """, ["{" + keys.joined(separator: ",") + "}", "{" + hashes.joined(separator: ",") + "}",
                  "{" + ids.joined(separator: ",") + "}"], binary: false)
    }

    func remove(_ keys: [Int64]) throws(YespoError) {
        guard !keys.isEmpty else { return }
        try run("DELETE FROM yespo_sync_contacts WHERE k = ANY($1::int8[])", [Self.array(keys)], binary: false)
    }

    func scan(_ body: (Int64, Int64?) -> Void) throws(YespoError) {
        _ = try exec("BEGIN")
        do {
            _ = try exec("DECLARE yespo_scan NO SCROLL CURSOR FOR SELECT k, id FROM yespo_sync_contacts ORDER BY k")
            while true {
                let rows = try run("FETCH 20000 FROM yespo_scan", [], binary: true)
                if rows.isEmpty { break }
                for row in rows where row.count >= 1 {
                    if let k = Self.int8(row[0]) { body(k, row.count > 1 ? Self.int8(row[1]) : nil) }
                }
            }
            _ = try exec("COMMIT")
        } catch {
            _ = try? exec("ROLLBACK")
            throw error
        }
    }

    func count() throws(YespoError) -> Int {
        Int(try exec("SELECT count(*) FROM yespo_sync_contacts").first?.first??.description ?? "0") ?? 0
    }

    func startRun(startedMs: Int64, summary: String) throws(YespoError) -> Int64 {
        let rows = try exec("INSERT INTO yespo_sync_runs(started, status, summary) VALUES($1, 'running', $2) RETURNING id",
                            [String(startedMs), summary])
        return Int64(rows.first?.first??.description ?? "0") ?? 0
    }

    func endRun(id: Int64, finishedMs: Int64, status: String, summary: String) throws(YespoError) {
        _ = try exec("UPDATE yespo_sync_runs SET finished = $2, status = $3, summary = $4 WHERE id = $1",
                     [String(id), String(finishedMs), status, summary])
    }

    func runs(limit: Int) throws(YespoError) -> [StateRun] {
        try exec("SELECT id, started, finished, status, summary FROM yespo_sync_runs ORDER BY id DESC LIMIT $1",
                 [String(limit)]).compactMap { row in
            guard row.count == 5, let id = row[0].flatMap({ Int64($0) }) else { return nil }
            return StateRun(id: id, startedMs: row[1].flatMap { Int64($0) } ?? 0, finishedMs: row[2].flatMap { Int64($0) },
                            status: row[3] ?? "", summary: row[4] ?? "")
        }
    }

    func lockForRun() throws(YespoError) {
        guard !holdsLock else { return }
        // A session that just ended may hold the lock for a moment longer: try for about a second.
        for attempt in 0..<10 {
            let rows = try exec("SELECT pg_try_advisory_lock($1)", [String(Self.advisoryLock)])
            if rows.first?.first == "t" {
                holdsLock = true
                return
            }
            if attempt < 9 { usleep(100_000) }
        }
        throw YespoError(.state, "the sync state \(display) is in use by another running sync")
    }

    func bytesOnDisk() -> Int? {
        (try? exec("SELECT pg_total_relation_size('yespo_sync_contacts')"))?.first?.first.flatMap { $0 }.flatMap { Int($0) }
    }
}
