import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fetches a file from an `http://user:pass@host:port/path` link, the way Yespo fetches import
/// files: one GET with Basic auth from the link's credentials. Plain sockets on a thread of
/// its own (no FoundationNetworking), bounded in size and time.
struct HTTPFileFetcher {
    var maxBytes = 100 << 20
    var timeoutSeconds = 30

    struct FetchError: Error, CustomStringConvertible {
        var description: String
    }

    struct Target {
        var host: String
        var port: Int
        var pathAndQuery: String
        var authorization: String?
    }

    /// Checks the link without fetching it.
    static func target(_ link: String) -> Result<Target, FetchError> {
        guard let comps = URLComponents(string: link) else { return .failure(.init(description: "link is not a URL")) }
        guard comps.scheme?.lowercased() == "http" else {
            return .failure(.init(description: "the emulator fetches http:// links only"))
        }
        guard let host = comps.host, !host.isEmpty else { return .failure(.init(description: "link has no host")) }
        var path = comps.percentEncodedPath.isEmpty ? "/" : comps.percentEncodedPath
        if let q = comps.percentEncodedQuery { path += "?" + q }
        var auth: String?
        if let user = comps.user {
            auth = "Basic " + Data("\(user):\(comps.password ?? "")".utf8).base64EncodedString()
        }
        return .success(Target(host: host, port: comps.port ?? 80, pathAndQuery: path, authorization: auth))
    }

    func fetch(_ target: Target) async -> Result<[UInt8], FetchError> {
        await withCheckedContinuation { cont in
            let t = Thread { cont.resume(returning: self.fetchBlocking(target)) }
            t.start()
        }
    }

    private func fetchBlocking(_ t: Target) -> Result<[UInt8], FetchError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(t.host, String(t.port), &hints, &list) == 0, let first = list else {
            return .failure(.init(description: "cannot resolve host '\(t.host)'"))
        }
        defer { freeaddrinfo(list) }
        var fd: Int32 = -1
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let a = node {
            let s = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if s >= 0 {
                var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { fd = s; break }
                close(s)
            }
            node = a.pointee.ai_next
        }
        guard fd >= 0 else { return .failure(.init(description: "cannot connect to \(t.host):\(t.port)")) }
        defer { close(fd) }
        var head = "GET \(t.pathAndQuery) HTTP/1.1\r\nHost: \(t.host):\(t.port)\r\nConnection: close\r\nUser-Agent: yespo-emulator\r\n"
        if let a = t.authorization { head += "Authorization: \(a)\r\n" }
        head += "\r\n"
        let req = Array(head.utf8)
        var sent = 0
        while sent < req.count {
            let n = req.withUnsafeBytes { send(fd, $0.baseAddress! + sent, req.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return .failure(.init(description: "connection lost while sending the request")) }
            sent += n
        }
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 { return .failure(.init(description: "timed out or failed reading from \(t.host):\(t.port)")) }
            if n == 0 { break }
            data.append(contentsOf: buf[0..<n])
            if data.count > maxBytes + 65536 { return .failure(.init(description: "file is larger than \(maxBytes >> 20) MB")) }
        }
        return Self.parseResponse(data)
    }

    /// Status line, headers, then the body (plain, Content-Length or chunked).
    static func parseResponse(_ data: [UInt8]) -> Result<[UInt8], FetchError> {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard data.count >= 4,
              let end = (0...(data.count - 4)).first(where: { data[$0..<$0 + 4].elementsEqual(sep) }) else {
            return .failure(.init(description: "file server sent no complete HTTP response"))
        }
        let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            return .failure(.init(description: "file server sent a malformed status line"))
        }
        guard status == 200 else { return .failure(.init(description: "file server answered HTTP \(status)")) }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let decoded = dechunk(body) else { return .failure(.init(description: "malformed chunked body")) }
            body = decoded
        } else if let len = headers["content-length"].flatMap(Int.init) {
            guard body.count >= len else { return .failure(.init(description: "file body cut short (\(body.count) of \(len) bytes)")) }
            body = Array(body.prefix(len))
        }
        return .success(body)
    }

    static func dechunk(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            guard let lineEnd = (i..<max(i, b.count - 1)).first(where: { b[$0] == 13 && b[$0 + 1] == 10 }) else { return nil }
            let sizeText = String(decoding: b[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else { return nil }
            i = lineEnd + 2
            if size == 0 { return out }
            guard i + size <= b.count else { return nil }
            out.append(contentsOf: b[i..<i + size])
            i += size + 2
        }
        return nil
    }
}
