// A deliberately misbehaving HTTP/1.1 server on 127.0.0.1 for transport tests (and issue 9's
// hostile-server checks): it can answer normally, drop, stall, send garbage, stream without end,
// drip one byte at a time, or redirect — whatever the test's handler decides per request. It records
// every request it got (with headers, to prove where credentials went) and the most connections at once.

import Glibc
import Synchronization

final class HostileServer: @unchecked Sendable {
    enum Action: Sendable {
        case respond(status: Int, headers: [String] = [], body: [UInt8] = [])
        /// Close the connection without a byte of answer.
        case drop
        /// Say nothing for `ms`, then close.
        case stall(ms: Int)
        /// Write these bytes as the whole answer, then close.
        case raw([UInt8])
        /// 200 and zeros until the client goes away: chunked, or with Content-Length 1 GB.
        case endless(chunked: Bool)
        /// 200 with Content-Length 1000, one byte every `intervalMs` (slowloris).
        case drip(intervalMs: Int)
        /// Hold the answer for `ms`, then respond.
        case delayed(ms: Int, status: Int, body: [UInt8])
    }

    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
    }

    typealias Handler = @Sendable (Request, Int) -> Action

    let port: Int
    private let listenFD: Int32
    private let handler: Handler
    private struct State {
        var requests: [Request] = []
        var connections: Set<Int32> = []
        var maxConnections = 0
        var threads = 0
        var stopping = false
    }
    private let state = Mutex(State())

    var requests: [Request] { state.withLock { $0.requests } }
    var maxConcurrentConnections: Int { state.withLock { $0.maxConnections } }
    var url: String { "http://127.0.0.1:\(port)" }

    init(_ handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && listen(fd, 128) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard ok else { close(fd); throw TestSetupError("bind/listen failed: errno \(errno)") }
        listenFD = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        spawn { $0.acceptLoop() }
    }

    /// Closes the listener and every connection, and waits for the server's threads to end.
    func stop() {
        let fds = state.withLock { s -> Set<Int32> in
            s.stopping = true
            return s.connections
        }
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        for _ in 0..<500 where state.withLock({ $0.threads }) > 0 { usleep(10_000) }
        close(listenFD)
    }

    deinit { if !state.withLock({ $0.stopping }) { stop() } }

    // MARK: threads

    private final class Job {
        let server: HostileServer
        let work: (HostileServer) -> Void
        init(_ s: HostileServer, _ w: @escaping (HostileServer) -> Void) { server = s; work = w }
    }

    private func spawn(_ work: @escaping (HostileServer) -> Void) {
        state.withLock { $0.threads += 1 }
        let job = Unmanaged.passRetained(Job(self, work)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            guard let arg else { return nil }
            let job = Unmanaged<Job>.fromOpaque(arg).takeRetainedValue()
            job.work(job.server)
            job.server.state.withLock { $0.threads -= 1 }
            return nil
        }, job)
        if rc == 0 { pthread_detach(tid) } else {
            Unmanaged<Job>.fromOpaque(job).release()
            state.withLock { $0.threads -= 1 }
        }
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func acceptLoop() {
        while !stopping {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else { continue }
            let admitted = state.withLock { s -> Bool in
                guard !s.stopping else { return false }
                s.connections.insert(fd)
                s.maxConnections = max(s.maxConnections, s.connections.count)
                return true
            }
            guard admitted else { close(fd); break }
            spawn { $0.serve(fd) }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock { _ = $0.connections.remove(fd) }
            close(fd)
        }
        var pending = [UInt8]()
        while !stopping {
            guard let request = readRequest(fd, &pending) else { return }
            let index = state.withLock { s -> Int in
                s.requests.append(request)
                return s.requests.count - 1
            }
            guard act(handler(request, index), fd) else { return }
        }
    }

    /// Performs the action; true when the connection stays open for the next request.
    private func act(_ action: Action, _ fd: Int32) -> Bool {
        switch action {
        case .respond(let status, let headers, let body):
            return write(fd, Self.head(status, headers + ["Content-Length: \(body.count)"]) + body)
        case .delayed(let ms, let status, let body):
            usleep(UInt32(ms) * 1000)
            return write(fd, Self.head(status, ["Content-Length: \(body.count)"]) + body)
        case .drop:
            return false
        case .stall(let ms):
            var waited = 0
            while waited < ms && !stopping { usleep(10_000); waited += 10 }
            return false
        case .raw(let bytes):
            _ = write(fd, bytes)
            return false
        case .endless(let chunked):
            let zeros = [UInt8](repeating: 48, count: 65536)
            let chunk = chunked ? Array("10000\r\n".utf8) + zeros + [13, 10] : zeros
            guard write(fd, Self.head(200, [chunked ? "Transfer-Encoding: chunked" : "Content-Length: \(1 << 30)"])) else { return false }
            while !stopping && write(fd, chunk) {}
            return false
        case .drip(let interval):
            guard write(fd, Self.head(200, ["Content-Length: 1000"])) else { return false }
            for _ in 0..<1000 {
                var waited = 0
                while waited < interval && !stopping { usleep(10_000); waited += 10 }
                if stopping || !write(fd, [48]) { return false }
            }
            return false
        }
    }

    static func head(_ status: Int, _ headers: [String]) -> [UInt8] {
        Array((["HTTP/1.1 \(status) X"] + headers + ["", ""]).joined(separator: "\r\n").utf8)
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads one request (head and Content-Length body); nil when the peer closed.
    private func readRequest(_ fd: Int32, _ pending: inout [UInt8]) -> Request? {
        var buf = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return false }
            pending += buf[0..<n]
            return true
        }
        var headEnd: Int?
        while headEnd == nil {
            if pending.count >= 4 {
                headEnd = (0...(pending.count - 4)).first { pending[$0] == 13 && pending[$0 + 1] == 10 && pending[$0 + 2] == 13 && pending[$0 + 3] == 10 }
            }
            if headEnd == nil && !fill() { return nil }
        }
        let end = headEnd ?? 0
        let lines = String(decoding: pending[0..<end], as: UTF8.self).split(separator: "\r\n")
        let first = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = String(line[line.index(after: c)...].drop { $0 == " " })
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        pending.removeFirst(end + 4)
        while pending.count < length { if !fill() { return nil } }
        let body = Array(pending[0..<length])
        pending.removeFirst(length)
        return Request(method: first.count > 0 ? String(first[0]) : "", path: first.count > 1 ? String(first[1]) : "",
                       headers: headers, body: body)
    }
}
