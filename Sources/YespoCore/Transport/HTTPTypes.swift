// The values that cross the transport's seam: what to send, what came back, and the one final
// outcome of a request after the transport's own retries.

public enum RequestClass: Sendable {
    /// POST /contacts: counts against the (adaptive) concurrency.
    case bulk
    case other
}

public struct HTTPRequest: Sendable {
    /// "GET", "POST", "PUT", "DELETE".
    public var method: String
    /// Relative to settings.baseURL, with its query, e.g. "/contacts".
    public var path: String
    /// JSON; Content-Type/Accept/Authorization are added by the transport.
    public var body: [UInt8]?
    public var requestClass: RequestClass
    /// nil: settings.baseURL. Set for a method outside the v1 base (POST /api/v2/event).
    public var baseURL: String?

    public init(method: String, path: String, body: [UInt8]? = nil, requestClass: RequestClass = .other,
                baseURL: String? = nil) {
        self.method = method
        self.path = path
        self.body = body
        self.requestClass = requestClass
        self.baseURL = baseURL
    }

    /// Why this request cannot be sent as it is, or nil.
    var problem: String? {
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
        guard methods.contains(method.uppercased()) else { return "unsupported HTTP method '\(method)'" }
        guard path.hasPrefix("/") else { return "request path must start with '/': '\(path)'" }
        guard !path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "#" }) else {
            return "request path contains a space, control character or '#'"
        }
        return nil
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Capped at `Transport.maxResponseBytes`: a larger answer is a `.protocol` failure.
    public var body: [UInt8]
    /// Lower-cased names ("totalcount", "retry-after"); a repeated header keeps its last value.
    public var headers: [String: String]

    public init(status: Int, body: [UInt8], headers: [String: String]) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}

public enum HTTPOutcome: Sendable {
    /// Any final status, including 4xx and a 5xx/429 after the retries ran out.
    case response(HTTPResponse, attempts: Int)
    /// Transport error, timeout, too-large answer or cancellation, after the retries ran out.
    case failure(YespoError, attempts: Int)

    public var attempts: Int {
        switch self {
        case .response(_, let a), .failure(_, let a): return a
        }
    }
}

/// Names one submitted request, for `Transport.cancel`.
public struct RequestTicket: Sendable, Hashable {
    let id: UInt64
}

public struct TransportStats: Sendable, Equatable {
    /// Attempts started (first tries and retries).
    public var requests: Int = 0
    public var retries: Int = 0
    /// 429 answers seen.
    public var throttled: Int = 0
    public var bytesSent: Int = 0
    public var bytesReceived: Int = 0
    public var connectionsOpened: Int = 0
    /// Requests on the wire right now.
    public var inFlight: Int = 0
    /// The current bulk concurrency (adaptive: may be below the setting).
    public var concurrency: Int = 0

    public init() {}
}
