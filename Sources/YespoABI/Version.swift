// Version and status-code text: the exports that need no handle.
import Glibc
import YespoCore

/// The engine's version as a C string that lives as long as the process.
// Written once by the lazy global initialiser, then only read.
nonisolated(unsafe) private let versionCString: UnsafeMutablePointer<CChar>? = strdup(yespoVersionString)

@_cdecl("yespo_version")
public func yespo_version() -> UnsafePointer<CChar> {
    if let versionCString { return UnsafePointer(versionCString) }
    return abiStaticText("0.1.0")
}

@_cdecl("yespo_abi_version")
public func yespo_abi_version() -> Int32 { 1 }

@_cdecl("yespo_strerror")
public func yespo_strerror(_ code: Int32) -> UnsafePointer<CChar> {
    abiStaticText(statusText(code))
}

func statusText(_ code: Int32) -> StaticString {
    switch code {
    case 0: return "ok"
    case -1: return "invalid argument"
    case -2: return "invalid input"
    case -3: return "out of memory"
    case -4: return "input/output error"
    case -5: return "authentication failed: the API key was refused"
    case -6: return "rate limited by the server"
    case -7: return "HTTP error"
    case -8: return "not found"
    case -9: return "transport error"
    case -10: return "timed out"
    case -11: return "protocol error: the server's answer could not be understood"
    case -12: return "cancelled"
    case -13: return "not allowed in the current state"
    case -14: return "bad handle: already freed or not from this library"
    case -15: return "internal error in libyespo"
    default: return "unknown status code"
    }
}

/// A string literal's bytes are NUL-terminated and live in the binary for good.
func abiStaticText(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
