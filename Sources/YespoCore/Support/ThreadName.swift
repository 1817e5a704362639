// Names of the library's threads ("yespo-engine", "yespo-job"), for top -H, perf, gdb — and for the
// tests that prove which thread a callback runs on. pthread_setname_np is not visible to Swift
// here, so the name goes through /proc.
import Glibc

func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    _ = name.withCString { write(fd, $0, strlen($0)) }
    close(fd)
}

/// The calling thread's name ("" when it cannot be read).
public func currentThreadName() -> String {
    let fd = open("/proc/thread-self/comm", O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 31) }
    guard n > 0 else { return "" }
    return String(decoding: buffer[0..<n].filter { $0 != 0x0A && $0 != 0 }, as: UTF8.self)
}
