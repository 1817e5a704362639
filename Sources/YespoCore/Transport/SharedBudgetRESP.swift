// The few Redis commands the shared budget needs (AUTH, SELECT, SCRIPT LOAD, EVALSHA, PING), spoken
// as RESP2 over one TCP socket with a deadline on every step — instead of linking hiredis, so the
// shipped libyespo.so needs no extra system library (README, "Beyond one machine").
// One connection belongs to one thread at a time (the budget's lease thread, or its creator).

import Glibc

indirect enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8]?)
    case array([RESPValue]?)
}

/// A failure talking to Redis. The message names the server only by RedisURL.display.
struct RedisFailure: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

final class RESPConnection {
    private var fd: Int32 = -1
    private var inbox: [UInt8] = []
    private var readAt = 0
    private let timeoutMs: Int
    /// Answers larger than this are refused (ours are a few hundred bytes).
    private static let maxReply = 1 << 20

    /// Connects (every resolved address in turn) within `timeoutMs`.
    init(host: String, port: Int, timeoutMs: Int) throws(RedisFailure) {
        self.timeoutMs = timeoutMs
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, String(port), &hints, &found)
        guard rc == 0, let first = found else {
            throw RedisFailure("cannot resolve the host (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(first) }
        var problem = "no address to connect to"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let kind = Int32(bitPattern: UInt32(ai.pointee.ai_socktype) | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue)
            let s = socket(ai.pointee.ai_family, kind, ai.pointee.ai_protocol)
            guard s >= 0 else { problem = Self.errnoText("socket"); continue }
            if let why = Self.connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen, timeoutMs: timeoutMs) {
                problem = why
                Glibc.close(s)
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            fd = s
            return
        }
        throw RedisFailure(problem)
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    var isOpen: Bool { fd >= 0 }

    /// Sends one command and reads its reply. A Redis error reply is returned as `.error`, not thrown;
    /// a broken connection, a timeout or a malformed reply throws and closes the connection.
    func command(_ args: [String]) throws(RedisFailure) -> RESPValue {
        guard fd >= 0 else { throw RedisFailure("the connection is closed") }
        let deadline = monotonicMicros() + Int64(timeoutMs) * 1000
        do {
            try write(Self.encode(args), deadline: deadline)
            return try readValue(deadline: deadline, depth: 0)
        } catch {
            close()
            throw error
        }
    }

    static func encode(_ args: [String]) -> [UInt8] {
        var out: [UInt8] = Array("*\(args.count)\r\n".utf8)
        for a in args {
            let bytes = Array(a.utf8)
            out += Array("$\(bytes.count)\r\n".utf8)
            out += bytes
            out += [13, 10]
        }
        return out
    }

    // MARK: socket steps

    private static func connect(_ s: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t, timeoutMs: Int) -> String? {
        if Glibc.connect(s, addr, len) == 0 { return nil }
        guard errno == EINPROGRESS else { return errnoText("connect") }
        var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&p, 1, Int32(timeoutMs))
        if ready == 0 { return "connect timed out after \(timeoutMs) ms" }
        if ready < 0 { return errnoText("poll") }
        var err: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &size)
        return err == 0 ? nil : "connect: " + String(cString: strerror(err))
    }

    private func write(_ bytes: [UInt8], deadline: Int64) throws(RedisFailure) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(fd, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try wait(for: Int16(POLLOUT), deadline: deadline)
                continue
            }
            throw RedisFailure(Self.errnoText("send"))
        }
    }

    private func fill(deadline: Int64) throws(RedisFailure) {
        if readAt > 0 && readAt == inbox.count { inbox.removeAll(keepingCapacity: true); readAt = 0 }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                inbox += chunk[0..<n]
                guard inbox.count - readAt <= Self.maxReply else { throw RedisFailure("the reply is too large") }
                return
            }
            if n == 0 { throw RedisFailure("the connection was closed by the server") }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                try wait(for: Int16(POLLIN), deadline: deadline)
                continue
            }
            throw RedisFailure(Self.errnoText("recv"))
        }
    }

    private func wait(for events: Int16, deadline: Int64) throws(RedisFailure) {
        let left = deadline - monotonicMicros()
        guard left > 0 else { throw RedisFailure("no answer within \(timeoutMs) ms") }
        var p = pollfd(fd: fd, events: events, revents: 0)
        let rc = poll(&p, 1, Int32((left + 999) / 1000))
        if rc < 0 && errno != EINTR { throw RedisFailure(Self.errnoText("poll")) }
        if rc == 0 { throw RedisFailure("no answer within \(timeoutMs) ms") }
    }

    // MARK: RESP2 replies

    private func readLine(deadline: Int64) throws(RedisFailure) -> [UInt8] {
        while true {
            var i = readAt
            while i + 1 < inbox.count {
                if inbox[i] == 13 && inbox[i + 1] == 10 {
                    let line = Array(inbox[readAt..<i])
                    readAt = i + 2
                    return line
                }
                i += 1
            }
            try fill(deadline: deadline)   // replies are short: rescanning from readAt is cheap
        }
    }

    private func readValue(deadline: Int64, depth: Int) throws(RedisFailure) -> RESPValue {
        guard depth < 8 else { throw RedisFailure("the reply is nested too deeply") }
        let line = try readLine(deadline: deadline)
        guard let kind = line.first else { throw RedisFailure("an empty reply line") }
        let body = String(decoding: line.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .simple(body)
        case UInt8(ascii: "-"): return .error(body)
        case UInt8(ascii: ":"):
            guard let n = Int64(body) else { throw RedisFailure("a malformed integer reply") }
            return .integer(n)
        case UInt8(ascii: "$"):
            guard let n = Int(body), n >= -1, n <= Self.maxReply else { throw RedisFailure("a malformed bulk reply") }
            if n == -1 { return .bulk(nil) }
            while inbox.count - readAt < n + 2 { try fill(deadline: deadline) }
            let value = Array(inbox[readAt..<readAt + n])
            readAt += n + 2
            return .bulk(value)
        case UInt8(ascii: "*"):
            guard let n = Int(body), n >= -1, n <= 100_000 else { throw RedisFailure("a malformed array reply") }
            if n == -1 { return .array(nil) }
            var items: [RESPValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try readValue(deadline: deadline, depth: depth + 1)) }
            return .array(items)
        default:
            throw RedisFailure("not a Redis reply (is this port a Redis server?)")
        }
    }

    private static func errnoText(_ what: String) -> String {
        "\(what): " + String(cString: strerror(errno))
    }
}
