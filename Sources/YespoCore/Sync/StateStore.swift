// Where a sync remembers what it sent: per contact, a 64-bit salted hash of its match key, the
// 128-bit hash of the normalised contact last accepted, and its Yespo contact id when an import's
// mapping told it. No key in clear, no contact data, never the API key. Two stores speak this
// protocol: SQLite (a file, the default) and PostgreSQL (several machines sharing one sync).
// A connection is used by one thread at a time; a run opens one to read and one to write.

struct StateEntry: Sendable {
    var key: Int64
    var hash: Hash128
    var contactId: Int64?
}

struct StateRun: Sendable {
    var id: Int64
    var startedMs: Int64
    var finishedMs: Int64?
    var status: String
    var summary: String
}

protocol StateConnection: AnyObject {
    /// "sqlite" or "postgres".
    var kind: String { get }
    func readMeta() throws(YespoError) -> [String: String]
    func writeMeta(_ pairs: [(String, String)]) throws(YespoError)
    /// Calls `found(index, hash, contactId)` for each of `keys` the state holds.
    func lookup(_ keys: [Int64], _ found: (Int, Hash128, Int64?) -> Void) throws(YespoError)
    /// Inserts or replaces; an entry without a contact id keeps the id already stored.
    func commit(_ entries: [StateEntry]) throws(YespoError)
    func remove(_ keys: [Int64]) throws(YespoError)
    /// Every entry's key and contact id, in ascending (signed) key order, in bounded memory.
    func scan(_ body: (Int64, Int64?) -> Void) throws(YespoError)
    func count() throws(YespoError) -> Int
    func startRun(startedMs: Int64, summary: String) throws(YespoError) -> Int64
    func endRun(id: Int64, finishedMs: Int64, status: String, summary: String) throws(YespoError)
    func runs(limit: Int) throws(YespoError) -> [StateRun]
    /// One sync at a time per state: held until the connection closes (or the process dies).
    func lockForRun() throws(YespoError)
    /// Bytes the entries take (the file, or the table and its index), when known.
    func bytesOnDisk() -> Int?
    func close()
}

/// A state location as the user gives it: a file path, or a postgres:// URL.
public enum StateLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(conninfo: String)

    public init(_ text: String) throws(YespoError) {
        guard !text.isEmpty else { throw YespoError(.invalidArgument, "the sync state location is empty") }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(conninfo: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// For messages: the path, or the URL without its password.
    public var display: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let conninfo): return Self.withoutPassword(conninfo)
        }
    }

    static func withoutPassword(_ url: String) -> String {
        let chars = Array(url)
        guard let schemeEnd = (0..<max(0, chars.count - 2)).first(where: { chars[$0] == ":" && chars[$0 + 1] == "/" && chars[$0 + 2] == "/" })
        else { return url }
        let start = schemeEnd + 3
        guard let at = chars[start...].firstIndex(of: "@"), let colon = chars[start..<at].firstIndex(of: ":") else { return url }
        return String(chars[..<(colon + 1)]) + "***" + String(chars[at...])
    }

    /// Opens a connection. `create`: make the store if there is none (else .notFound).
    func open(create: Bool) throws(YespoError) -> StateConnection {
        switch self {
        case .sqlite(let path): return try SQLiteState(path: path, create: create)
        case .postgres(let conninfo): return try PostgresState(conninfo: conninfo, display: display, create: create)
        }
    }
}

/// A state that does not exist yet, for a dry run (which must not create one).
final class EmptyState: StateConnection {
    var kind: String { "none" }
    func readMeta() throws(YespoError) -> [String: String] { [:] }
    func writeMeta(_ pairs: [(String, String)]) throws(YespoError) {}
    func lookup(_ keys: [Int64], _ found: (Int, Hash128, Int64?) -> Void) throws(YespoError) {}
    func commit(_ entries: [StateEntry]) throws(YespoError) {}
    func remove(_ keys: [Int64]) throws(YespoError) {}
    func scan(_ body: (Int64, Int64?) -> Void) throws(YespoError) {}
    func count() throws(YespoError) -> Int { 0 }
    func startRun(startedMs: Int64, summary: String) throws(YespoError) -> Int64 { 0 }
    func endRun(id: Int64, finishedMs: Int64, status: String, summary: String) throws(YespoError) {}
    func runs(limit: Int) throws(YespoError) -> [StateRun] { [] }
    func lockForRun() throws(YespoError) {}
    func bytesOnDisk() -> Int? { nil }
    func close() {}
}
