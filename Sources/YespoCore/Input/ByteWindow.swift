// A fixed-size read buffer over a file descriptor: the only place file bytes live, so memory stays
// bounded however large the file is. Unconsumed bytes are moved to the front before each read.
// With a transcoder installed (a UTF-16 or legacy code page file), each read is converted to
// UTF-8 on its way in (ByteWindow+Transcoding.swift).
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
    /// Converts reads to UTF-8; nil: bytes are used as read.
    var transcoder: TextTranscoder?
    /// Bytes read before the transcoder was installed, converted before reading more.
    var pending: [UInt8] = []
    var pendingStart = 0
    /// The descriptor reached its end before the transcoder was installed.
    var sourceEnded = false
    var rawBuffer: UnsafeMutablePointer<UInt8>?

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
        rawBuffer?.deallocate()
    }

    var base: UnsafePointer<UInt8> { UnsafePointer(storage) }
    var storageBase: UnsafeMutablePointer<UInt8> { storage }
    /// No room for another read (converted reads need a few bytes more than one).
    var isFull: Bool { start == 0 && capacity - end < (transcoder == nil ? 1 : ByteWindow.transcodedMinimumRoom) }

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
        if transcoder != nil { return try refillTranscoded() }
        while true {
            let n = Glibc.read(fd, storage + end, capacity - end)
            if n > 0 { end += n; return true }
            if n == 0 { eof = true; return false }
            if errno == EINTR { continue }
            throw YespoError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
    }

    func markEnded() { eof = true }
    func markNotEnded() { eof = false }

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
