// Test helper: runs the real Yespo emulator (`$YESPO_EMULATOR`, default <repo>/dist/bin/yespo-emulator)
// on 127.0.0.1 with a free port, talks to its admin API over a raw socket, and always stops it.
// Use `try EmulatorProcess.with(["--rate-limit-bulk", "0"]) { emu in ... }` so it is stopped even
// when the test fails; `stop()` is idempotent and `deinit` stops a forgotten one too.

import Glibc

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

final class EmulatorProcess: @unchecked Sendable {
    let pid: pid_t
    let port: Int
    /// `http://127.0.0.1:PORT/api/v1` — the client's baseURL.
    let baseURL: String
    /// `http://127.0.0.1:PORT/_emulator`
    let adminURL: String
    private var stopped = false
    private let stdoutFD: Int32

    /// The repo root: the first directory above this file holding Package.swift and include/yespo.h.
    static func repoRoot(_ file: String = #filePath) -> String {
        var dir = file
        while let slash = dir.lastIndex(of: "/"), slash != dir.startIndex {
            dir = String(dir[..<slash])
            if access(dir + "/Package.swift", F_OK) == 0 && access(dir + "/include/yespo.h", F_OK) == 0 { return dir }
        }
        return "."
    }

    static var binaryPath: String {
        if let env = getenv("YESPO_EMULATOR"), env.pointee != 0 { return String(cString: env) }
        return repoRoot() + "/dist/bin/yespo-emulator"
    }

    static var isAvailable: Bool { access(binaryPath, X_OK) == 0 }

    /// Starts an emulator, runs `body`, stops the emulator whatever happens.
    static func with<T>(_ extraArgs: [String] = [], _ body: (EmulatorProcess) throws -> T) throws -> T {
        let emu = try EmulatorProcess(extraArgs)
        defer { emu.stop() }
        return try body(emu)
    }

    init(_ extraArgs: [String] = []) throws {
        let path = Self.binaryPath
        guard access(path, X_OK) == 0 else {
            throw TestSetupError("no emulator at \(path): build it (make emulator) or set YESPO_EMULATOR")
        }
        let (child, fd) = try spawnWithStdoutPipe([path, "--host", "127.0.0.1", "--port", "0"] + extraArgs,
                                                 quietStderr: getenv("YESPO_EMULATOR_LOG") == nil)
        pid = child
        stdoutFD = fd
        // The first stdout line is "listening http://127.0.0.1:PORT".
        let text = readLine(fd, containing: "listening", timeoutMs: 20_000)
        guard let colon = text.lastIndex(of: ":"), text.hasPrefix("listening http://"),
              let p = Int(text[text.index(after: colon)...].prefix { $0.isNumber }) else {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            close(stdoutFD)
            throw TestSetupError("the emulator did not announce its port (first line: '\(text)')")
        }
        port = p
        baseURL = "http://127.0.0.1:\(p)/api/v1"
        adminURL = "http://127.0.0.1:\(p)/_emulator"
    }

    deinit { stop() }

    /// SIGTERM, wait up to 5 s, then SIGKILL; reaps the process. Idempotent.
    func stop() {
        guard !stopped else { return }
        stopped = true
        terminateAndReap(pid)
        close(stdoutFD)
    }

    /// One admin (or any) request over a fresh socket. `path` is under /_emulator unless it starts with "/_" or "/api".
    func admin(method: String, path: String, body: String? = nil) throws -> (status: Int, body: [UInt8]) {
        let full = path.hasPrefix("/_") || path.hasPrefix("/api") ? path : "/_emulator" + path
        return try RawHTTP.request(port: port, method: method, path: full, body: body.map { Array($0.utf8) })
    }

    /// The admin answer as text; throws unless the status is 2xx.
    func adminText(_ method: String, _ path: String, body: String? = nil) throws -> String {
        let r = try admin(method: method, path: path, body: body)
        guard (200..<300).contains(r.status) else {
            throw TestSetupError("\(method) \(path) → \(r.status): \(String(decoding: r.body, as: UTF8.self))")
        }
        return String(decoding: r.body, as: UTF8.self)
    }

    /// One integer field of GET /_emulator/stats (0 when absent).
    func stat(_ key: String) throws -> Int {
        jsonInt(try adminText("GET", "/stats"), key) ?? 0
    }
}

/// Starts `args[0]` with stdout into a pipe (returned) and stderr to /dev/null when `quietStderr`.
func spawnWithStdoutPipe(_ args: [String], quietStderr: Bool = true) throws -> (pid: pid_t, stdout: Int32) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw TestSetupError("pipe failed: errno \(errno)") }
    // Not inherited by other children spawned meanwhile (the dup2 below clears it for ours).
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    if quietStderr { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
    var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var child: pid_t = 0
    let rc = posix_spawnp(&child, args[0], &actions, nil, &cargs, environ)
    close(fds[1])
    guard rc == 0 else {
        close(fds[0])
        throw TestSetupError("could not start \(args[0]): error \(rc)")
    }
    return (child, fds[0])
}

/// `signal` (SIGTERM), up to 5 s for the process to end, then SIGKILL; always reaps it.
func terminateAndReap(_ pid: pid_t, signal: Int32 = SIGTERM) {
    kill(pid, signal)
    var status: Int32 = 0
    for _ in 0..<500 {
        if waitpid(pid, &status, WNOHANG) == pid { return }
        usleep(10_000)
    }
    kill(pid, SIGKILL)
    waitpid(pid, &status, 0)
}

/// Reads `fd` until a line containing `needle` arrives (returned without its newline), the
/// stream ends, or the time is up ("" then, or the last partial text).
func readLine(_ fd: Int32, containing needle: String, timeoutMs: Int) -> String {
    var pending = [UInt8]()
    var left = timeoutMs / 50
    while left > 0 {
        while let nl = pending.firstIndex(of: 10) {
            let line = String(decoding: pending[..<nl], as: UTF8.self)
            pending.removeFirst(nl + 1)
            if line.contains(needle) { return line }
        }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, 50) > 0 {
            var buf = [UInt8](repeating: 0, count: 512)
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            pending += buf[0..<n]
        } else {
            left -= 1
        }
    }
    return String(decoding: pending, as: UTF8.self)
}

/// The integer after the first `"key":` in a JSON text (enough for flat stats objects).
func jsonInt(_ json: String, _ key: String) -> Int? {
    let needle = Array("\"\(key)\":".utf8)
    let bytes = Array(json.utf8)
    guard bytes.count >= needle.count else { return nil }
    for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
        var j = i + needle.count
        while j < bytes.count, bytes[j] == 32 { j += 1 }
        let digits = bytes[j...].prefix { ($0 >= 48 && $0 <= 57) || $0 == 45 }
        return Int(String(decoding: digits, as: UTF8.self))
    }
    return nil
}

/// A minimal HTTP/1.1 client over a blocking socket (Connection: close), independent of the
/// transport under test.
enum RawHTTP {
    static func request(port: Int, method: String, path: String, body: [UInt8]?, timeoutSeconds: Int = 30) throws -> (status: Int, body: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw TestSetupError("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let b = body { head += "Content-Type: application/json\r\nContent-Length: \(b.count)\r\n" } else if method != "GET" { head += "Content-Length: 0\r\n" }
        let out = Array((head + "\r\n").utf8) + (body ?? [])
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestSetupError("send failed: errno \(errno)") }
            sent += n
        }
        var all = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n < 0 { throw TestSetupError("recv failed: errno \(errno)") }
            if n == 0 { break }
            all += buf[0..<n]
        }
        return try parse(all)
    }

    static func parse(_ all: [UInt8]) throws -> (status: Int, body: [UInt8]) {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, all.count - 3)).first(where: { all[$0..<($0 + 4)].elementsEqual(sep) }) else {
            throw TestSetupError("no HTTP header in answer")
        }
        let head = String(decoding: all[0..<end], as: UTF8.self).lowercased()
        let statusText = head.split(separator: " ").dropFirst().first ?? ""
        guard let status = Int(statusText) else { throw TestSetupError("bad status line") }
        var body = Array(all[(end + 4)...])
        if head.contains("transfer-encoding: chunked") { body = dechunk(body) }
        return (status, body)
    }

    static func dechunk(_ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](), i = 0
        while i < b.count {
            guard let lineEnd = b[i...].firstIndex(of: 10) else { break }
            let sizeText = String(decoding: b[i..<lineEnd], as: UTF8.self).split(separator: ";").first?.trimmingCharacters(in: " \r") ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 1
            guard start + size <= b.count else { out += b[start...]; break }
            out += b[start..<(start + size)]
            i = start + size + 2
        }
        return out
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
