// The output side of the hot path: a growable byte buffer written through a raw pointer, so that
// appending a byte costs a compare and a store (a Swift Array append also checks uniqueness).
// It is a plain struct over manually managed memory: whoever creates one calls `free()`, and a
// writer is never copied while both copies are still written to.
import Glibc

protocol ByteSink {
    mutating func append(_ b: UInt8)
    mutating func append(contentsOf bytes: UnsafeRawBufferPointer)
}

extension Array: ByteSink where Element == UInt8 {}

extension ByteSink {
    mutating func append(_ s: StaticString) {
        append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}

struct ByteWriter: ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    @inline(__always) mutating func append(_ b: UInt8) {
        if count == capacity { grow(1) }
        base[count] = b
        count &+= 1
    }

    @inline(__always) mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let src = bytes.baseAddress else { return }
        if count &+ n > capacity { grow(n) }
        let dst = UnsafeMutableRawPointer(base + count)
        if n >= 8 && n <= 16 {
            // Most copies are short keys and values: two overlapping words beat a memcpy call.
            dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (dst + n - 8).storeBytes(of: (src + n - 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
        } else if n < 8 {
            for k in 0..<n { dst.storeBytes(of: src.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
        } else {
            memcpy(dst, src, n)
        }
        count &+= n
    }

    /// A literal (a key like `"firstName":`): copied with at most two word moves, no memcpy call.
    @inline(__always) mutating func append(_ s: StaticString) {
        append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Room for `n` more bytes, written through `tail` and then `commit`ted.
    @inline(__always) mutating func reserveAdditional(_ n: Int) {
        if count &+ n > capacity { grow(n) }
    }

    /// Where the next byte goes (valid up to the room reserved).
    @inline(__always) var tail: UnsafeMutablePointer<UInt8> { base + count }

    /// Counts `n` bytes written at `tail` as appended.
    @inline(__always) mutating func commit(_ n: Int) { count &+= n }

    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(contentsOf: $0) }
    }

    @inline(never) private mutating func grow(_ needed: Int) {
        let newCapacity = max(capacity * 2, count + needed)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    subscript(_ i: Int) -> UInt8 { base[i] }

    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    var all: UnsafeRawBufferPointer { bytes(0..<count) }

    /// Lets `body` rewrite the bytes written from `start` on, in place.
    func mutateBytes(from start: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) {
        body(UnsafeMutableRawBufferPointer(start: base + start, count: count - start))
    }

    mutating func truncate(to n: Int) { count = min(count, max(0, n)) }
    mutating func removeAll() { count = 0 }

    /// The bytes written, as an exactly sized array.
    func array() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
            if count > 0, let d = buf.baseAddress { memcpy(d, base, count) }
            initialized = count
        }
    }
}
