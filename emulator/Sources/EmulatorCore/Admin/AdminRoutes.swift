import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

// The admin API under /_emulator/ (docs/contracts.md §1): no auth, loopback peers only, not
// counted in stats, never subject to faults or rate limits.
extension Emulator {
    func handleAdmin(_ request: inout Request, method: String, path: String, channel: any Channel) async -> Response {
        if let peer = channel.remoteAddress, !Self.isLoopback(peer) {
            return Reply.text(403, "the admin API answers loopback clients only").response()
        }
        if method == "GET" && path == "/_emulator/contacts" { return contactsNDJSON() }
        return await adminReply(&request, method: method, path: path).response()
    }

    private func adminReply(_ request: inout Request, method: String, path: String) async -> Reply {
        let body: [UInt8]
        do {
            body = Array(try await request.collectBody(upTo: 16 << 20).readableBytesView)
        } catch {
            return .text(413, "admin request body larger than 16 MB")
        }
        let sub = String(path.dropFirst("/_emulator".count))
        switch (method, sub) {
        case ("GET", "/summary"): return summary()
        case ("GET", _) where sub.hasPrefix("/contacts/"):
            guard let id = Int64(sub.dropFirst("/contacts/".count)) else { return .text(400, "contact id must be an integer") }
            return withWorld { w in
                guard let c = w.store.contact(id) else { return .text(404, "no contact \(id)") }
                return .json(w.store.json(c, admin: true))
            }
        case ("GET", "/groups"): return adminGroups()
        case ("GET", "/events"): return adminEvents(QueryString(request.uri.query))
        case ("GET", "/orders"): return adminOrders(QueryString(request.uri.query))
        case ("GET", "/messages"): return adminMessages(QueryString(request.uri.query))
        case ("GET", "/imports"): return adminImports()
        case ("GET", "/unsubscribed"):
            let emails = withWorld { $0.store.unsubscribed.sorted() }
            return .json(.array(emails.map { .string($0) }))
        case ("POST", "/imports/flush"):
            let order = settings.importOrder
            world.withLock { $0.applyDue(now: .now, order: order, force: true) }
            return summary()
        case ("POST", "/reset"):
            world.withLock { $0 = EmulatorWorld(seed: options.seed) }
            faults.withLock { $0 = FaultSet(seed: options.seed) }
            duplicates.withLock { $0.removeAll() }
            shapeRandom.withLock { $0 = Self.shapeGenerator(seed: options.seed) }
            resetStats()
            return .json(.object([("reset", .bool(true))]))
        case ("GET", "/config"): return configJSON()
        case ("POST", "/config"): return updateConfig(body)
        case ("POST", "/faults"):
            switch parseBody(body).flatMap(FaultSet.parse) {
            case .failure(let e): return .error(e)
            case .success(let set):
                faults.withLock { $0 = set }
                return .json(.object([("rules", .int(Int64(set.rules.count)))]))
            }
        case ("DELETE", "/faults"):
            faults.withLock { $0.rules = [] }
            return .json(.object([("rules", .int(0))]))
        case ("GET", "/stats"): return .json(stats.withLock { $0.json() })
        case ("POST", "/stats/reset"):
            resetStats()
            return .json(stats.withLock { $0.json() })
        default:
            return .text(404, "No admin route \(method) \(path)")
        }
    }

    static func isLoopback(_ a: SocketAddress) -> Bool {
        switch a {
        case .v4: return a.ipAddress?.hasPrefix("127.") ?? false
        case .v6: return a.ipAddress == "::1" || (a.ipAddress?.hasPrefix("::ffff:127.") ?? false)
        case .unixDomainSocket: return true
        }
    }

    /// Zeroes the counters but keeps the requests now in flight, so they still end cleanly.
    func resetStats() {
        stats.withLock { s in
            var fresh = Stats()
            fresh.inFlight = s.inFlight
            fresh.inFlightBulk = s.inFlightBulk
            s = fresh
        }
    }

    func summary() -> Reply {
        withWorld { w in
            let c = w.imports.counts
            return .json(.object([
                ("contacts", .int(Int64(w.store.liveCount))),
                ("deleted", .int(Int64(w.store.deletedCount))),
                ("groups", .int(Int64(w.store.segments.count))),
                ("events", .int(Int64(w.store.events.count))),
                ("imports", .object([("pending", .int(Int64(c.pending))), ("finished", .int(Int64(c.finished))),
                                     ("error", .int(Int64(c.error)))])),
            ]))
        }
    }

    /// One stored contact per line, streamed in slices so that a million contacts never sit in
    /// one buffer and the lock is held only a slice at a time.
    func contactsNDJSON() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var next = 0
            while true {
                let chunk = self.withWorld { w -> [UInt8]? in
                    guard next < w.store.slots.count else { return nil }
                    let end = min(next + 4096, w.store.slots.count)
                    var out = JSONWriter(capacity: (end - next) * 320)
                    for case let c? in w.store.slots[next..<end] {
                        out.contact(c, segments: w.store.segments(of: c.id), admin: true)
                        out.raw("\n")
                    }
                    next = end
                    return out.bytes
                }
                guard let chunk else { break }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(bytes: chunk)) }
            }
            try await writer.finish(nil)
        })
    }

    func adminGroups() -> Reply {
        withWorld { w in
            .json(.array(w.store.segments.map { s in
                .object([("id", .int(s.id)), ("name", .string(s.name)), ("type", .string(s.type)),
                         ("size", .int(Int64(s.members.count)))])
            }))
        }
    }

    /// Every event in the order recorded; `?type=` and `?key=` filter (exact match).
    func adminEvents(_ q: QueryString) -> Reply {
        let type = q["type"], key = q["key"]
        return withWorld { w in
            var out = JSONWriter(capacity: w.store.events.count * 120)
            out.raw("[")
            var first = true
            for e in w.store.events {
                if let type, e.type != type { continue }
                if let key, e.key != key { continue }
                if !first { out.raw(",") }
                first = false
                out.value(.object([("type", .string(e.type)), ("key", .string(e.key)),
                                   ("params", .object(e.params.map { ($0.0, .string($0.1)) }))]))
            }
            out.raw("]")
            return .json(out.bytes)
        }
    }

    func adminImports() -> Reply {
        withWorld { w in
            let now = ContinuousClock.now
            return .json(.array(w.imports.order.compactMap { w.imports.sessions[$0] }.map { s in
                var members: [(String, JSONValue)] = [("id", .string(s.id)), ("status", .string(s.statusName(now: now))),
                                                      ("contacts", .int(Int64(s.contactCount))),
                                                      ("dedupeOn", .string(s.dedupeOn.rawValue))]
                if case .error(let why) = s.state { members.append(("description", .string(why))) }
                if let seq = s.appliedSeq { members.append(("appliedSeq", .int(Int64(seq)))) }
                members.append(("timestamps", .object(s.timestamps(now: now).map { ($0.0, .string($0.1)) })))
                return .object(members)
            }))
        }
    }
}
