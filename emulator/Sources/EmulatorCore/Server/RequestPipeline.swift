import Foundation
import Hummingbird
import NIOCore
import Synchronization

// One API request end to end: stats, faults, auth, rate limit, body, route, latency, and the
// response shape faults ask for. Admin routes bypass all of it.
extension Emulator {
    func handle(_ request: Request, channel: any Channel) async -> Response {
        var path = request.uri.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let method = request.method.rawValue
        if path == "/_emulator" || path.hasPrefix("/_emulator/") {
            var request = request
            return await handleAdmin(&request, method: method, path: path, channel: channel)
        }
        let started = ContinuousClock.now
        // Bulk stats (bulkRequests, maxInFlightBulk, …) count bulk contacts only; the bulk rate
        // bucket also serves POST /orders.
        let isBulk = method == "POST" && path == APIRoute.prefix + "/contacts"
        let ticket = RequestTicket(emulator: self, isBulk: isBulk)
        stats.withLock { $0.begin(route: APIRoute.template(method: method, path: path), isBulk: isBulk, now: started) }
        var request = request
        let (reply, fault) = await handleAPI(&request, method: method, path: path,
                                             bulkBucket: APIRoute.usesBulkBucket(method: method, path: path), channel: channel)
        let elapsed = ContinuousClock.now - started
        log("\(method) \(path) \(reply.status) \(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)ms")
        return shape(reply, fault: fault, channel: channel, ticket: ticket)
    }

    /// Everything up to the reply, including latency and the "delay" fault.
    private func handleAPI(_ request: inout Request, method: String, path: String, bulkBucket: Bool,
                           channel: any Channel) async -> (Reply, FiredFault?) {
        var fault = faults.withLock { $0.select(method: method, path: path) }
        let cfg = settings
        if let f = fault {
            switch f.rule.action {
            case .status:
                _ = try? await request.collectBody(upTo: cfg.maxBodyMb << 20)
                countFault()
                var r = Reply.text(f.rule.status, "Injected fault: status \(f.rule.status)")
                if let ra = f.rule.retryAfter { r.headers.append((Reply.retryAfter, String(ra))) }
                return (r, nil)
            case .duplicated:
                _ = try? await request.collectBody(upTo: cfg.maxBodyMb << 20)
                countFault()
                return (duplicateReply(cfg), nil)
            case .drop, .stall:
                _ = try? await request.collectBody(upTo: cfg.maxBodyMb << 20)
                countFault()
                if f.rule.action == .stall { try? await Task.sleep(for: .milliseconds(f.rule.delayMs)) }
                return (Reply(status: 0, body: []), f)
            default: break
            }
        }
        guard authorized(request.headers[.authorization]) else {
            let body = #"{"status":401,"error":"Unauthorized","message":"Full authentication is required to access this resource"}"#
            return (Reply.text(401, body), nil)
        }
        let allowed = limits.withLock { l -> Bool in
            l.apply(cfg)
            return bulkBucket ? l.bulk.take() : l.other.take()
        }
        guard allowed else {
            var r = Reply.text(429, "Too Many Requests: rate limit exceeded")
            if let ra = cfg.retryAfter { r.headers.append((Reply.retryAfter, String(ra))) }
            return (r, nil)
        }
        let body: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: cfg.maxBodyMb << 20)
            body = Array(buffer.readableBytesView)
        } catch {
            return (Reply.text(413, "Request body is larger than \(cfg.maxBodyMb) MB"), nil)
        }
        stats.withLock { $0.bytesReceived += body.count }
        let reply: Reply
        switch APIRoute.match(method: method, path: path) {
        case .failure(let e): reply = .error(e)
        case .success(let route): reply = await dispatch(route, request: request, body: body, fault: &fault)
        }
        let wait = cfg.latencyNanos(contacts: reply.contacts)
        if wait > 0 { try? await Task.sleep(nanoseconds: wait) }
        if let f = fault, f.rule.action == .delay {
            countFault()
            try? await Task.sleep(for: .milliseconds(f.rule.delayMs))
        }
        return (reply, fault)
    }

    func countFault() { stats.withLock { $0.faultsInjected += 1 } }

    func authorized(_ header: String?) -> Bool {
        apiKey(header).map(acceptedKeys.contains) ?? false
    }

    /// The API key of a Basic Authorization header: its password.
    func apiKey(_ header: String?) -> String? {
        guard let header, header.count < 4096 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingWhitespace()),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        return String(decoded[decoded.index(after: colon)...])
    }

    /// Turns the reply into a response, applying the faults that change what goes on the wire.
    private func shape(_ reply: Reply, fault: FiredFault?, channel: any Channel, ticket: RequestTicket) -> Response {
        var reply = reply
        switch fault?.rule.action {
        case .drop, .stall:
            ticket.end(status: 0)
            channel.close(promise: nil)
            return Response(status: .init(code: 599), headers: [.connection: "close"], body: .init())
        case .truncate:
            countFault()
            reply.status = 200
            reply.body = Array(reply.body.prefix(reply.body.count / 2))
        case .garbage:
            countFault()
            reply.status = 200
            reply.body = Array("<html>oops</html>".utf8)
            reply.contentType = "text/html"
        case .dropMidResponse:
            countFault()
            let full = reply.body
            let part = ByteBuffer(bytes: full.prefix(max(1, full.count / 2)))
            let status = reply.status
            return Response(status: .init(code: reply.status), headers: reply.fields,
                            body: ResponseBody(contentLength: full.count) { writer in
                                defer { ticket.end(status: status) }
                                try await writer.write(part)
                                try? await Task.sleep(for: .milliseconds(20))
                                channel.close(promise: nil)
                                throw CancellationError()
                            })
        default: break
        }
        let buffer = ByteBuffer(bytes: reply.body)
        let status = reply.status
        return Response(status: .init(code: status), headers: reply.fields,
                        body: ResponseBody(contentLength: buffer.readableBytes) { writer in
                            defer { ticket.end(status: status) }
                            try await writer.write(buffer)
                            try await writer.finish(nil)
                        })
    }
}

/// Ends a request's stats exactly once: when its body is written, or when the response is
/// dropped unwritten (client gone).
final class RequestTicket: Sendable {
    let emulator: Emulator
    let isBulk: Bool
    let done = Mutex(false)

    init(emulator: Emulator, isBulk: Bool) {
        self.emulator = emulator
        self.isBulk = isBulk
    }

    func end(status: Int) {
        let first = done.withLock { d -> Bool in
            defer { d = true }
            return !d
        }
        if first { emulator.stats.withLock { $0.end(status: status, isBulk: isBulk) } }
    }

    deinit { end(status: 0) }
}

extension Reply {
    func response() -> Response {
        Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
