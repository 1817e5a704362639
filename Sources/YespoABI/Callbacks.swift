// C callbacks seen from Swift: a C function pointer plus the caller's userdata. Log lines come from
// whichever library thread logs (the engine thread, a job's callback thread, the caller's);
// progress comes from the job's own callback thread, never the engine thread. The userdata is
// opaque to us; the header makes its thread-safety the caller's job.
import YespoCore

public typealias CLogCallback = @convention(c) (Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void
public typealias CProgressCallback = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void

/// A C function pointer captures nothing and userdata is the caller's promise: safe to send.
struct CCallback<Function>: @unchecked Sendable {
    let function: Function
    let userdata: UnsafeMutableRawPointer?
}

/// Lines arrive already redacted: the client's LogSink masks the key before any handler.
func logHandler(_ fn: CLogCallback, _ userdata: UnsafeMutableRawPointer?) -> @Sendable (LogLevel, String) -> Void {
    let callback = CCallback(function: fn, userdata: userdata)
    return { level, message in
        message.withCString { callback.function(level.rawValue, $0, callback.userdata) }
    }
}

func progressHandler(_ fn: CProgressCallback, _ userdata: UnsafeMutableRawPointer?) -> @Sendable (UpsertProgress) -> Void {
    let callback = CCallback(function: fn, userdata: userdata)
    return { progress in
        progress.json().withCString { callback.function($0, callback.userdata) }
    }
}
