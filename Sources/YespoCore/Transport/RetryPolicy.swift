// When a failed attempt is tried again, and after how long: curl's own --retry classes
// (connection errors, timeouts, 408/429/500/502/503/504), capped exponential backoff with full
// jitter, and the server's Retry-After (seconds or an HTTP date) when it gives one.

enum RetryPolicy {
    /// Longest Retry-After we honour even when retryMaxMs is smaller: waiting less than the server
    /// asked only earns another 429, waiting for hours is not what a caller wants either.
    static let maxRetryAfterMs = 120_000

    static func isRetryable(status: Int) -> Bool {
        switch status {
        case 408, 429, 500, 502, 503, 504: return true
        default: return false
        }
    }

    /// Delay before retry number `retry` (1 = the first retry).
    static func backoffMs(retry: Int, baseMs: Int, maxMs: Int, random: inout SplitMix64) -> Int {
        let exponent = min(max(0, retry - 1), 30)
        let ceiling = min(maxMs, baseMs.multipliedReportingOverflow(by: 1 << exponent).overflow ? maxMs : baseMs << exponent)
        guard ceiling > 0 else { return 0 }
        return Int(random.next() % UInt64(ceiling + 1))
    }

    /// The delay a Retry-After value asks for, capped; nil when the value cannot be read.
    static func retryAfterMs(_ value: String, nowEpochSeconds: Int64, capMs: Int) -> Int? {
        let v = value.trimmingSpaces()
        if !v.isEmpty, v.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard v.utf8.count <= 9, let s = Int(v) else { return capMs }
            return min(s * 1000, capMs)
        }
        guard let date = parseHTTPDate(v) else { return nil }
        let seconds = max(0, date - nowEpochSeconds)
        return Int(min(seconds * 1000, Int64(capMs)))
    }

    /// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT")
    /// and asctime ("Sun Nov  6 08:49:37 1994") → seconds since the epoch.
    static func parseHTTPDate(_ text: String) -> Int64? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        var day: Int?, month: Int?, year: Int?, hms: (Int, Int, Int)?
        for token in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }) {
            if token.contains(":") {
                let p = token.split(separator: ":").compactMap { Int($0) }
                guard p.count == 3 else { return nil }
                hms = (p[0], p[1], p[2])
            } else if let n = Int(token) {
                if token.count <= 2 && day == nil { day = n } else { year = token.count == 2 ? (n < 70 ? 2000 + n : 1900 + n) : n }
            } else if let m = months.firstIndex(of: String(token.prefix(3)).lowercased()), token.count == 3 {
                month = m + 1
            }
        }
        guard let d = day, let m = month, let y = year, let (h, mi, s) = hms,
              (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s) else { return nil }
        return daysFromCivil(y, m, d) * 86_400 + Int64(h * 3600 + mi * 60 + s)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }
}

/// A small, fast, seedable generator for jitter (engine thread only).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    func trimmingSpaces() -> String {
        let u = Array(utf8)
        var a = 0, b = u.count
        while a < b, u[a] == 32 || u[a] == 9 || u[a] == 13 || u[a] == 10 { a += 1 }
        while b > a, u[b - 1] == 32 || u[b - 1] == 9 || u[b - 1] == 13 || u[b - 1] == 10 { b -= 1 }
        return String(decoding: u[a..<b], as: UTF8.self)
    }
}
