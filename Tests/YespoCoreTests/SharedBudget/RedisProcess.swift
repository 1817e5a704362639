// Test helper: a real redis-server (`$YESPO_REDIS_SERVER`, default redis-server on PATH) on
// 127.0.0.1 and a free port, without persistence, always stopped. `kill()` and `start()` take it
// away and bring it back on the same port, for the tests of a lost and returning Redis.

import Glibc
@testable import YespoCore

final class RedisProcess: @unchecked Sendable {
    let port: Int
    private var pid: pid_t = 0

    static var binaryPath: String {
        if let env = getenv("YESPO_REDIS_SERVER"), env.pointee != 0 { return String(cString: env) }
        return "redis-server"
    }

    static func with<T>(_ body: (RedisProcess) throws -> T) throws -> T {
        let redis = try RedisProcess()
        defer { redis.kill() }
        return try body(redis)
    }

    init() throws {
        port = try freePort()
        try start()
    }

    deinit { kill() }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    func start() throws {
        guard pid == 0 else { return }
        let args = [Self.binaryPath, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "/dev/null"]
        let (child, fd) = try spawnWithStdoutPipe(args)
        close(fd)
        pid = child
        for _ in 0..<200 {   // up to 10 s for it to answer PING
            if (try? command(["PING"])) == .simple("PONG") { return }
            usleep(50_000)
        }
        kill()
        throw TestSetupError("redis-server did not answer on port \(port) (is it installed? make deps)")
    }

    /// SIGKILL, like a crash; reaps it. Idempotent.
    func kill() {
        guard pid != 0 else { return }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// One command on a fresh connection.
    func command(_ args: [String]) throws -> RESPValue {
        let c = try RESPConnection(host: "127.0.0.1", port: port, timeoutMs: 2000)
        defer { c.close() }
        return try c.command(args)
    }

    func keys(_ pattern: String) throws -> [String] {
        guard case .array(let items?) = try command(["KEYS", pattern]) else { return [] }
        return items.compactMap { if case .bulk(let b?) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
    }
}

/// A TCP port nobody listens on right now (bound to port 0 and released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard ok else { throw TestSetupError("could not find a free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
