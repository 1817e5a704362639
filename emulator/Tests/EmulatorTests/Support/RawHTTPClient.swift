import Foundation
@testable import EmulatorCore
#if canImport(Glibc)
import Glibc
#endif

/// What came back from one request: a full response, or the connection closing early
/// (with whatever bytes did arrive).
enum HTTPResult: Sendable {
    case response(status: Int, headers: [String: String], body: [UInt8])
    case closed(received: [UInt8])

    var status: Int { if case .response(let s, _, _) = self { return s } else { return -1 } }
    var body: [UInt8] { if case .response(_, _, let b) = self { return b } else { return [] } }
    var text: String { String(decoding: body, as: UTF8.self) }
    var headers: [String: String] { if case .response(_, let h, _) = self { return h } else { return [:] } }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var json: JSONValue? { try? JSONParser.parse(body) }
}

/// A deliberately small HTTP/1.1 client over a blocking socket, so tests can see exactly what
/// went over the wire (cut bodies, dropped connections) and send bytes no library would.
/// It runs on its own thread: blocking the cooperative pool would starve the in-process server.
enum RawHTTPClient {
    static func send(port: Int, raw: [UInt8], timeoutSeconds: Int = 60) async -> HTTPResult {
        await withCheckedContinuation { cont in
            let t = Thread { cont.resume(returning: sendBlocking(port: port, raw: raw, timeoutSeconds: timeoutSeconds)) }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    static func request(port: Int, method: String, path: String, body: [UInt8]? = nil,
                        apiKey: String? = "test-key", headers: [(String, String)] = []) async -> HTTPResult {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let apiKey {
            head += "Authorization: Basic \(Data("user:\(apiKey)".utf8).base64EncodedString())\r\n"
        }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body {
            head += "Content-Type: application/json; charset=UTF-8\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return await send(port: port, raw: Array(head.utf8) + (body ?? []))
    }

    /// Sends the head, waits up to 5 s for an interim `100 Continue`, then sends the body.
    /// Returns whether the interim answer came, and the final response.
    static func sendExpectingContinue(port: Int, head: [UInt8], body: [UInt8]) async -> (Bool, HTTPResult) {
        await withCheckedContinuation { cont in
            Thread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var tv = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = in_port_t(UInt16(port).bigEndian)
                addr.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                _ = head.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, head.count, Int32(MSG_NOSIGNAL)) }
                var interim = [UInt8](repeating: 0, count: 256)
                let n = interim.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 256, 0) }
                let got = n > 0 && String(decoding: interim[0..<n], as: UTF8.self).hasPrefix("HTTP/1.1 100")
                _ = body.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, body.count, Int32(MSG_NOSIGNAL)) }
                var received: [UInt8] = []
                var buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    let m = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
                    if m <= 0 { break }
                    received.append(contentsOf: buf[0..<m])
                    if let r = complete(received) { cont.resume(returning: (got, r)); return }
                }
                cont.resume(returning: (got, complete(received) ?? .closed(received: received)))
            }.start()
        }
    }

    static func sendBlocking(port: Int, raw: [UInt8], timeoutSeconds: Int) -> HTTPResult {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .closed(received: []) }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return .closed(received: []) }
        var sent = 0
        while sent < raw.count {
            let n = raw.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var received: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
            if n <= 0 { break }
            received.append(contentsOf: buf[0..<n])
            if let r = complete(received) { return r }
        }
        return complete(received) ?? .closed(received: received)
    }

    /// A whole response once the head and Content-Length bytes of body are in.
    static func complete(_ data: [UInt8]) -> HTTPResult? {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let end = data.indices.dropLast(3).first(where: { data[$0..<$0 + 4].elementsEqual(sep) }) else { return nil }
        let head = String(decoding: data[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Array(data[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            guard let decoded = dechunk(body) else { return nil }
            return .response(status: status, headers: headers, body: decoded)
        }
        guard let len = headers["content-length"].flatMap(Int.init) else { return nil }
        guard body.count >= len else { return nil }
        return .response(status: status, headers: headers, body: Array(body.prefix(len)))
    }

    /// The body of a chunked response, or nil while the last chunk has not arrived.
    static func dechunk(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i + 1 < b.count {
            guard let lineEnd = (i..<(b.count - 1)).first(where: { b[$0] == 13 && b[$0 + 1] == 10 }),
                  let size = Int(String(decoding: b[i..<lineEnd], as: UTF8.self), radix: 16) else { return nil }
            i = lineEnd + 2
            if size == 0 { return out }
            guard i + size + 2 <= b.count else { return nil }
            out.append(contentsOf: b[i..<i + size])
            i += size + 2
        }
        return nil
    }
}
