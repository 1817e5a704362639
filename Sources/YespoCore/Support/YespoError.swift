// The one error type of the engine. Codes match the YESPO_E_* values of include/yespo.h so the
// ABI layer maps them one to one. Messages say what was wrong and where, and never hold the API key.

public enum YespoErrorCode: Int32, Sendable {
    case invalidArgument = -1
    case invalidInput = -2
    case noMemory = -3
    case io = -4
    case auth = -5
    case rateLimited = -6
    case http = -7
    case notFound = -8
    case transport = -9
    case timeout = -10
    case `protocol` = -11
    case cancelled = -12
    case state = -13
    case badHandle = -14
    case `internal` = -15
}

public struct YespoError: Error, Sendable, CustomStringConvertible, Equatable {
    public var code: YespoErrorCode
    /// The HTTP status that caused the error, 0 when no HTTP answer was involved.
    public var httpStatus: Int
    public var message: String
    /// Set by the transport for a failure every later request would repeat (the server's
    /// certificate is not trusted, the CA file cannot be read): a job stops at once on it.
    var isPersistent = false
    /// The libcurl code of a transport failure (0: none), to tell unreachable from TLS trouble.
    var curlCode: Int32 = 0

    public init(_ code: YespoErrorCode, _ message: String, httpStatus: Int = 0) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { message }
}
