// A Redis URL as the shared budget takes it: redis://[[user]:password@]host[:port][/db]. Only the
// `display` form (no user, no password) ever appears in a message, a log line or a report.

struct RedisURL: Equatable, Sendable {
    var host: String
    var port: Int
    var database: Int
    var user: String?
    var password: String?

    /// redis://host:port/db — what messages show; never the credentials.
    var display: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "redis://\(h):\(port)/\(database)"
    }

    static func parse(_ raw: String) throws(YespoError) -> RedisURL {
        func bad(_ why: String) -> YespoError {
            // The raw text may hold a password: name only what is safe to show.
            YespoError(.invalidArgument, "sharedBudget URL: \(why) (expected redis://[:password@]host:port/db)")
        }
        guard !raw.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw bad("it contains a space or a control character")
        }
        let lower = raw.lowercased()
        if lower.hasPrefix("rediss://") { throw bad("TLS (rediss://) is not supported; use redis:// on a trusted network") }
        guard lower.hasPrefix("redis://") else { throw bad("it must start with redis://") }
        var rest = Substring(raw.dropFirst("redis://".count))
        guard !rest.contains("?"), !rest.contains("#") else { throw bad("query parameters are not supported") }

        var user: String? = nil
        var password: String? = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let u = credentials[..<colon]
                user = u.isEmpty ? nil : try percentDecoded(u, bad)
                password = try percentDecoded(credentials[credentials.index(after: colon)...], bad)
            } else if !credentials.isEmpty {
                // redis://secret@host: Redis URLs read a lone userinfo as the password.
                password = try percentDecoded(credentials, bad)
            }
            if password?.isEmpty == true { password = nil }
        }

        let authority = rest.prefix { $0 != "/" }
        var path = rest.dropFirst(authority.count)
        var host: Substring
        var portText: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("an IPv6 host needs its closing ]") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw bad("it names no host") }
        var port = 6379
        if let p = portText {
            guard let n = Int(p), (1...65535).contains(n) else { throw bad("the port must be 1...65535") }
            port = n
        }
        var database = 0
        if path.hasPrefix("/") { path = path.dropFirst() }
        if !path.isEmpty {
            guard let n = Int(path), n >= 0, n <= 1_000_000 else { throw bad("the database must be a number, as in /0") }
            database = n
        }
        return RedisURL(host: String(host), port: port, database: database, user: user, password: password)
    }

    private static func percentDecoded(_ s: Substring, _ bad: (String) -> YespoError) throws(YespoError) -> String {
        guard s.contains("%") else { return String(s) }
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else { out.append(b); continue }
            guard it.count >= 2, let hi = hexValue(it.removeFirst()), let lo = hexValue(it.removeFirst()) else {
                throw bad("a % escape in the credentials is not two hex digits")
            }
            out.append(hi << 4 | lo)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
