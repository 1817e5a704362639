// Text crossing the border: C strings in (checked to be UTF-8, copied into Swift strings) and
// malloc'd NUL-terminated buffers out, which the caller frees with yespo_free (= free).
import Glibc
import YespoCore

/// A required C string argument. NULL → invalid argument; bytes that are not UTF-8 → `badUTF8Code`.
func stringArgument(_ pointer: UnsafePointer<CChar>?, _ name: String,
                    badUTF8Code: YespoErrorCode = .invalidInput) throws(YespoError) -> String {
    guard let pointer else { throw invalidArgument("\(name) is NULL") }
    return try decodeUTF8(pointer, name, badUTF8Code)
}

/// An optional C string argument: NULL stays nil.
func optionalStringArgument(_ pointer: UnsafePointer<CChar>?, _ name: String,
                            badUTF8Code: YespoErrorCode = .invalidInput) throws(YespoError) -> String? {
    guard let pointer else { return nil }
    return try decodeUTF8(pointer, name, badUTF8Code)
}

private func decodeUTF8(_ pointer: UnsafePointer<CChar>, _ name: String,
                        _ code: YespoErrorCode) throws(YespoError) -> String {
    let length = strlen(pointer)
    let bytes = UnsafeRawBufferPointer(start: pointer, count: length).bindMemory(to: UInt8.self)
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw YespoError(code, "\(name) is not valid UTF-8 (at byte \(firstInvalidUTF8Offset(bytes)))")
    }
    return text
}

/// The offset of the first byte that does not start a valid UTF-8 sequence.
private func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): offset += UTF8.width(scalar)
        case .emptyInput, .error: return offset
        }
    }
}

/// A (pointer, length) byte buffer argument that must hold data.
func bytesArgument(_ pointer: UnsafePointer<CChar>?, _ length: Int, _ name: String) throws(YespoError) -> UnsafeRawBufferPointer {
    guard let pointer else { throw invalidArgument("\(name) is NULL") }
    guard length > 0 else { throw invalidArgument("\(name) is empty (length 0)") }
    return UnsafeRawBufferPointer(start: pointer, count: length)
}

/// Stores a malloc'd NUL-terminated copy of `bytes` in `*out`.
func copyOut(_ bytes: some Collection<UInt8>, to out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws(YespoError) {
    guard let buffer = malloc(bytes.count + 1)?.assumingMemoryBound(to: UInt8.self) else {
        throw YespoError(.noMemory, "out of memory copying \(bytes.count) bytes of result")
    }
    let copied = UnsafeMutableBufferPointer(start: buffer, count: bytes.count).initialize(fromContentsOf: bytes)
    buffer[copied] = 0
    out.pointee = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: CChar.self)
}

func copyOut(_ text: String, to out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws(YespoError) {
    try copyOut(text.utf8, to: out)
}
