#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Wall-clock times for import status `timestamps`: ISO-8601 in UTC with milliseconds, e.g.
// `2025-06-01T12:00:00.123Z`. Durations elsewhere use ContinuousClock; only these are shown.
enum WallClock {
    /// Seconds since 1970, with sub-second precision.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func iso8601(_ t: Double) -> String {
        let millis = Int64((t * 1000).rounded(.down))
        var secs = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&secs, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }
}
