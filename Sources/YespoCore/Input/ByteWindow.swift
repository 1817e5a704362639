// A fixed-size read buffer over a file descriptor: the only place file bytes live, so memory stays
// bounded however large the file is. Unconsumed bytes are moved to the front before each read.
import Glibc

final class ByteWindow {
    private let storage: UnsafeMutablePointer<UInt8>
    let capacity: Int
    let fd: Int32
    private let ownsFD: Bool
    /// Unconsumed bytes are `bytes[start..<end]`. (One reader thread: no exclusivity checks.)
    @exclusivity(unchecked) var start = 0
    @exclusivity(unchecked) var end = 0
    private(set) var eof = false
    /// File offset of `bytes[0]` (for messages that give a byte position).
    private(set) var fileOffsetOfBuffer: Int64 = 0
    private var closed = false
    let name: String

    init(fd: Int32, ownsFD: Bool, capacity: Int, name: String) {
        self.fd = fd
        self.ownsFD = ownsFD
        self.name = name
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        close()
        storage.deallocate()
    }

    var base: UnsafePointer<UInt8> { UnsafePointer(storage) }
    var isFull: Bool { start == 0 && end == capacity }

    /// Moves the unconsumed bytes to the front and reads more. False when nothing new arrived:
    /// the end of the input, or a full buffer (callers keep positions relative to `start`).
    func refill() throws(YespoError) -> Bool {
        if eof || closed { eof = true; return false }
        if start > 0 {
            if end > start { memmove(storage, storage + start, end - start) }
            fileOffsetOfBuffer += Int64(start)
            end -= start
            start = 0
        }
        guard end < capacity else { return false }
        while true {
            let n = Glibc.read(fd, storage + end, capacity - end)
            if n > 0 { end += n; return true }
            if n == 0 { eof = true; return false }
            if errno == EINTR { continue }
            throw YespoError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Drops everything buffered (the bytes of an oversized record being skipped).
    func discardAll() {
        fileOffsetOfBuffer += Int64(end)
        start = 0
        end = 0
    }

    func close() {
        guard !closed else { return }
        closed = true
        if ownsFD { _ = Glibc.close(fd) }
    }
}
