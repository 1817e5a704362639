// The few file operations the CLI needs (read a small file, stat, resolve a path, write a file
// atomically), on Glibc directly so that the binary carries no Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct FileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }

    init(_ message: String) { self.message = message }

    static func errno(_ action: String, _ path: String) -> FileError {
        FileError("cannot \(action) \(path): \(String(cString: strerror(Glibc.errno)))")
    }
}

enum FileSystem {
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isExecutable(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// The absolute, symlink-free path, or the path as given when it cannot be resolved.
    static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The directory of the running executable (`/proc/self/exe`), for finding sibling binaries.
    static func executableDirectory() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    struct Status { var size: Int; var mtimeNs: Int64; var isRegular: Bool }

    static func status(_ path: String) throws(FileError) -> Status {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileError.errno("read", path) }
        return Status(size: Int(st.st_size),
                      mtimeNs: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                      isRegular: (st.st_mode & S_IFMT) == S_IFREG)
    }

    /// Reads a whole (small) file.
    static func read(_ path: String, limit: Int = 256 << 20) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.errno("open", path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw FileError.errno("read", path) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw FileError("\(path) is larger than \(limit >> 20) MiB") }
        }
        return out
    }

    /// Reads `count` bytes at `offset` (fewer at the end of the file).
    static func read(fd: Int32, offset: Int, count: Int) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset + got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return Array(buf[0..<got])
    }

    static func writeAll(fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    /// Writes a file through a temporary sibling and rename, so readers never see half a report.
    /// writeAtomically for text produced in pieces (`produce` calls `write` with each): never all
    /// of it in memory at once.
    static func writeAtomically(_ path: String, producing produce: (_ write: ([UInt8]) -> Void) -> Void) throws(FileError) {
        let isStdout = path == "-"
        let tmp = path + ".tmp.\(getpid())"
        let fd = isStdout ? 1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.errno("create", tmp) }
        var ok = true
        produce { piece in if ok { ok = writeAll(fd: fd, piece) } }
        if isStdout {
            guard ok else { throw FileError.errno("write", "stdout") }
            return
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok else { unlink(tmp); throw FileError.errno("write", path) }
        guard rename(tmp, path) == 0 else { unlink(tmp); throw FileError.errno("write", path) }
    }

    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(FileError) {
        if path == "-" {
            guard writeAll(fd: 1, bytes) else { throw FileError.errno("write", "stdout") }
            return
        }
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.errno("create", tmp) }
        let ok = writeAll(fd: fd, bytes) && fsync(fd) == 0
        close(fd)
        guard ok else { unlink(tmp); throw FileError.errno("write", path) }
        guard rename(tmp, path) == 0 else { unlink(tmp); throw FileError.errno("write", path) }
    }
}

/// Leading and trailing whitespace (and newlines) removed.
func trimWhitespace(_ text: String) -> String {
    var s = Substring(text)
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
}
