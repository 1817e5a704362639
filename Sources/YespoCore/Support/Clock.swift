// Time as the library needs it, in one place: one monotonic clock (scheduling, timeouts, rates;
// never jumps with the wall clock) in three units, and wall-clock seconds for HTTP dates.

import Glibc

/// The monotonic clock in nanoseconds; also the CLI's clock for rates and ETAs.
public func monotonicNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The same clock in microseconds (the transport's unit).
func monotonicMicros() -> Int64 { Int64(monotonicNs() / 1000) }

/// Seconds since the Unix epoch (for Retry-After dates).
func wallClockSeconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec)
}
