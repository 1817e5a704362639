// The one way every export runs its body: outputs cleared first, every YespoError turned into a
// status code plus an error object, messages scrubbed of the API key.
import Glibc
import YespoCore

/// Runs `body`; on success clears `*err` and returns YESPO_OK, on failure fills `*err`.
func abiCall(_ err: UnsafeMutablePointer<OpaquePointer?>?, redacting secret: String? = nil,
             _ body: () throws(YespoError) -> Void) -> Int32 {
    err?.pointee = nil
    do {
        try body()
        return 0
    } catch {
        return failCall(err, redact(error, secret))
    }
}

/// The engine never puts the key into messages; this is the second line of defence at the border.
func redact(_ error: YespoError, _ secret: String?) -> YespoError {
    var error = error
    error.message = redact(error.message, secret)
    return error
}

func redact(_ text: String, _ secret: String?) -> String {
    SecretRedactor(secret: secret).redact(text)
}

func invalidArgument(_ message: String) -> YespoError {
    YespoError(.invalidArgument, message)
}

/// A NULL result pointer (`char **out`, `yespo_x **out`) is a caller bug, reported like any bad argument.
func requireOut<T>(_ out: UnsafeMutablePointer<T>?, _ name: String) throws(YespoError) -> UnsafeMutablePointer<T> {
    guard let out else { throw invalidArgument("\(name) is NULL") }
    return out
}
