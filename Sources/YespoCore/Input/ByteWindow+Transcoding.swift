// Reads that are converted to UTF-8 as they arrive (a UTF-16 or legacy code page file). The
// converted text lives in the same fixed window, so memory stays bounded; a read takes at most a
// third of the free room, the most one input byte can grow.
import Glibc

extension ByteWindow {
    static let transcodedMinimumRoom = 16

    /// From now on every read is converted. The bytes already in the window after `skipping`
    /// (a byte order mark) are raw: they are converted first. Only before anything was consumed.
    func install(_ transcoder: TextTranscoder, skipping: Int) {
        let from = min(end, start + skipping)
        pending = Array(UnsafeBufferPointer(start: base + from, count: end - from))
        pendingStart = 0
        end = start
        if eof { sourceEnded = true; markNotEnded() }
        self.transcoder = transcoder
    }

    func refillTranscoded() throws(YespoError) -> Bool {
        let room = capacity - end
        guard room >= ByteWindow.transcodedMinimumRoom, var t = transcoder else { return false }
        defer { transcoder = t }
        let want = max(1, (room - 8) / TextTranscoder.maxGrowth)
        if pendingStart < pending.count {
            let take = min(want, pending.count - pendingStart)
            let n = pending[pendingStart..<pendingStart + take].withUnsafeBytes {
                t.convert($0, into: storageBase + end, final: false)
            }
            pendingStart += take
            if pendingStart == pending.count { pending = []; pendingStart = 0 }
            end += n
            return true
        }
        if !sourceEnded {
            if rawBuffer == nil { rawBuffer = .allocate(capacity: max(1, capacity / TextTranscoder.maxGrowth)) }
            guard let raw = rawBuffer else { return false }
            while true {
                let n = Glibc.read(fd, raw, min(want, max(1, capacity / TextTranscoder.maxGrowth)))
                if n > 0 {
                    end += t.convert(UnsafeRawBufferPointer(start: raw, count: n), into: storageBase + end, final: false)
                    return true
                }
                if n == 0 { break }
                if errno == EINTR { continue }
                throw YespoError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
            }
        }
        // The end: a code unit cut short becomes U+FFFD.
        sourceEnded = true
        let n = t.convert(UnsafeRawBufferPointer(start: nil, count: 0), into: storageBase + end, final: true)
        end += n
        markEnded()
        return n > 0
    }
}
