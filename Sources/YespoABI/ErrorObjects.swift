// yespo_error objects: what a failed call hands back to C — a code, the HTTP status and a detailed
// message that lives in malloc'd memory until yespo_error_free.
import Glibc
import YespoCore

final class ErrorObject: Sendable {
    let code: Int32
    let httpStatus: Int32
    /// Owned; freed when the object dies. Immutable after init, so readers need no lock.
    nonisolated(unsafe) let message: UnsafeMutablePointer<CChar>?

    init(_ error: YespoError) {
        code = error.code.rawValue
        httpStatus = Int32(clamping: error.httpStatus)
        message = strdup(error.message)
    }

    deinit { free(message) }
}

/// Stores a new error object in `*err` (when err is not NULL) and returns the error's code.
func failCall(_ err: UnsafeMutablePointer<OpaquePointer?>?, _ error: YespoError) -> Int32 {
    if let err {
        err.pointee = registerHandle(.error, ErrorObject(error))
    }
    return error.code.rawValue
}

@_cdecl("yespo_error_code")
public func yespo_error_code(_ err: OpaquePointer?) -> Int32 {
    switch lookupHandle(err, .error, as: ErrorObject.self) {
    case .found(let object): return object.code
    case .null: return YespoErrorCode.invalidArgument.rawValue
    case .bad: return YespoErrorCode.badHandle.rawValue
    }
}

@_cdecl("yespo_error_http_status")
public func yespo_error_http_status(_ err: OpaquePointer?) -> Int32 {
    guard case .found(let object) = lookupHandle(err, .error, as: ErrorObject.self) else { return 0 }
    return object.httpStatus
}

@_cdecl("yespo_error_message")
public func yespo_error_message(_ err: OpaquePointer?) -> UnsafePointer<CChar> {
    // The pointer stays valid after the object reference is dropped here because the handle table
    // keeps the object alive until yespo_error_free, as the header promises.
    guard case .found(let object) = lookupHandle(err, .error, as: ErrorObject.self),
          let message = object.message else { return abiStaticText("") }
    return UnsafePointer(message)
}

@_cdecl("yespo_error_free")
public func yespo_error_free(_ err: OpaquePointer?) {
    _ = unregisterHandle(err, .error, as: ErrorObject.self)
}

@_cdecl("yespo_free")
public func yespo_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}
