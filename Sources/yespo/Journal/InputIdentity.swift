// What "the same input" means for --resume: the same files, byte for byte as far as we can tell
// cheaply — the same size and the same first and last MiB. The path and mtime are recorded to
// explain a refusal, not to cause one (a copied or touched file is still the same input).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// FNV-1a, 64 bit: a fast, dependency-free fingerprint (identity, not security).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    mutating func add(_ text: String) { add(text.utf8) }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func hex(_ text: String) -> String {
        var h = FNV1a64()
        h.add(text)
        return h.hex
    }
}

struct InputIdentity: Equatable {
    var path: String
    var size: Int
    var mtimeNs: Int64
    var headHash: String
    var tailHash: String

    static let sampleBytes = 1 << 20

    /// Identifies a regular file. Standard input has no identity: it cannot be resumed.
    static func of(path: String) throws(FileError) -> InputIdentity {
        let st = try FileSystem.status(path)
        guard st.isRegular else { throw FileError("\(path) is not a regular file, so it cannot be journaled for --resume") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.errno("open", path) }
        defer { close(fd) }
        var head = FNV1a64()
        head.add(FileSystem.read(fd: fd, offset: 0, count: sampleBytes))
        var tail = FNV1a64()
        tail.add(FileSystem.read(fd: fd, offset: max(0, st.size - sampleBytes), count: sampleBytes))
        return InputIdentity(path: FileSystem.absolutePath(path), size: st.size, mtimeNs: st.mtimeNs,
                             headHash: head.hex, tailHash: tail.hex)
    }

    var json: JSON {
        .object([("path", .string(path)), ("size", .number(Double(size))),
                 ("mtimeNs", .string(String(mtimeNs))),   // a string: nanoseconds overflow a JSON double
                 ("headHash", .string(headHash)), ("tailHash", .string(tailHash))])
    }

    init(path: String, size: Int, mtimeNs: Int64, headHash: String, tailHash: String) {
        self.path = path
        self.size = size
        self.mtimeNs = mtimeNs
        self.headHash = headHash
        self.tailHash = tailHash
    }

    init?(json: JSON) {
        guard let path = json["path"]?.string, let size = json["size"]?.int,
              let head = json["headHash"]?.string, let tail = json["tailHash"]?.string else { return nil }
        self.init(path: path, size: size, mtimeNs: json["mtimeNs"]?.string.flatMap { Int64($0) } ?? 0,
                  headHash: head, tailHash: tail)
    }

    /// Same content as far as the fingerprint can tell; nil when so, else what differs.
    func mismatch(with other: InputIdentity) -> String? {
        if size != other.size { return "its size changed (\(size) → \(other.size) bytes)" }
        if headHash != other.headHash { return "its first MiB changed" }
        if tailHash != other.tailHash { return "its last MiB changed" }
        return nil
    }
}
