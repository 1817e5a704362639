// Helpers for the sync tests: sources as NDJSON files, runs against the emulator, what the
// emulator holds, the state's raw bytes, and a throwaway PostgreSQL (scripts/pg-temp.sh).
import Glibc
import Testing
@testable import YespoCore

/// A temp directory removed at the end of the test.
final class TempDir {
    let path: String
    init() {
        var template = Array("/tmp/yespo-sync-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { buffer -> String in
            guard let made = mkdtemp(buffer.baseAddress!) else { fatalError("mkdtemp failed") }
            return String(cString: made)
        }
    }
    deinit { _ = system("rm -rf '\(path)'") }
    func file(_ name: String) -> String { path + "/" + name }
}

/// One contact of a source: the email names it, the first name is its content.
struct SourceRow {
    var email: String
    var firstName: String
    var ndjson: String { #"{"firstName":"\#(firstName)","channels":[{"type":"email","value":"\#(email)"}]}"# }
}

func writeSource(_ path: String, _ rows: [SourceRow]) {
    let text = rows.map(\.ndjson).joined(separator: "\n") + "\n"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    close(fd)
}

func sourceRows(_ tag: String, _ range: Range<Int>, name: String = "v1") -> [SourceRow] {
    range.map { SourceRow(email: "\(tag)-\($0)@example.com", firstName: "\(name)-\($0)") }
}

/// One sync run of `path` into `state`.
func runSync(_ client: YespoClient, state: String, source path: String,
             _ change: (inout SyncOptions) -> Void = { _ in }) throws -> SyncReport {
    var options = SyncOptions()
    change(&options)
    let sync = try client.beginSync(state: state, options: options)
    try sync.feedFile(path: path, options: FileOptions())
    return try sync.finish()
}

/// Live contacts in the emulator: email → first name.
func emulatorNames(_ emu: EmulatorProcess) throws -> [String: String] {
    _ = try emu.adminText("POST", "/imports/flush")
    let text = try emu.adminText("GET", "/contacts")
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.isEmpty {
        guard case .success(let doc) = JSONDocument.parse(String(line)) else { continue }
        if doc.root["deleted"]?.bool == true { continue }
        for channel in doc.root["channels"]?.elements ?? [] where channel["type"]?.string == "email" {
            if let value = channel["value"]?.string { out[value] = doc.root["firstName"]?.string ?? "" }
        }
    }
    return out
}

func contactsReceived(_ emu: EmulatorProcess) throws -> Int { try emu.stat("contactsReceived") }

func fileBytes(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buf, buf.count)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}

func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let n = Array(needle.utf8)
    guard !n.isEmpty, haystack.count >= n.count else { return false }
    for i in 0...(haystack.count - n.count) where haystack[i] == n[0] {
        if Array(haystack[i..<(i + n.count)]) == n { return true }
    }
    return false
}

/// A PostgreSQL server for one test, or nil when PostgreSQL is not installed.
final class TempPostgres {
    let url: String
    private let dir: String

    static func start() throws -> TempPostgres? {
        let dir = "/tmp/yespo-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let script = EmulatorProcess.repoRoot() + "/scripts/pg-temp.sh"
        let (pid, fd) = try spawnWithStdoutPipe(["bash", script, "start", dir])
        let line = readLine(fd, containing: "postgres://", timeoutMs: 120_000)
        close(fd)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        if line.hasPrefix("postgres://") { return TempPostgres(url: line, dir: dir) }
        if (status >> 8) & 0xff == 3 { return nil }
        throw TestSetupError("could not start PostgreSQL: \(line)")
    }

    private init(url: String, dir: String) {
        self.url = url
        self.dir = dir
    }

    deinit { stop() }

    func stop() {
        let script = EmulatorProcess.repoRoot() + "/scripts/pg-temp.sh"
        _ = system("bash '\(script)' stop '\(dir)' >/dev/null 2>&1")
    }
}
