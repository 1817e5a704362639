// Time as the engine needs it: a monotonic clock for scheduling, wall-clock seconds for HTTP dates.

import Glibc

/// Microseconds on the monotonic clock (never jumps with the wall clock).
func monotonicMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

/// Seconds since the Unix epoch (for Retry-After dates).
func wallClockSeconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec)
}
