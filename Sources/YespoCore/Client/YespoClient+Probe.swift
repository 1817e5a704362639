// One request whose answer is looked at rather than mapped to an error: `yespo doctor` asks it
// whether the server is reachable, whether TLS verified, whether the key is accepted and what the
// server's clock says, and needs to tell those apart.
import CCurl

/// What one probing request found.
public struct ProbeResult: Sendable {
    public enum Failure: Sendable, Equatable {
        /// DNS or TCP: nothing answered.
        case unreachable
        /// TLS handshake or certificate trouble.
        case tls
        case timeout
        case other
    }

    /// The answer, whatever its status, or nil when the request failed.
    public let response: HTTPResponse?
    public let error: YespoError?
    public let failure: Failure?
    /// The certificates the client verifies the server with.
    public let trust: TrustSource
    public let elapsedMs: Int
    /// The server's clock minus ours, in seconds (from its Date header), nil without one.
    public let clockSkewSeconds: Int64?
}

extension YespoClient {
    /// Sends one GET (relative to the base URL) through the client's transport, retries as set.
    public func probe(_ path: String) -> ProbeResult {
        let trust = TrustSource.resolve(caFile: settings.caFile)
        let started = monotonicNs()
        let outcome = transport.perform(HTTPRequest(method: "GET", path: path))
        let elapsed = Int((monotonicNs() - started) / 1_000_000)
        switch outcome {
        case .response(let response, _):
            var skew: Int64? = nil
            if let date = response.headers["date"], let server = RetryPolicy.parseHTTPDate(date) {
                skew = server - wallClockSeconds()
            }
            return ProbeResult(response: response, error: nil, failure: nil, trust: trust, elapsedMs: elapsed,
                               clockSkewSeconds: skew)
        case .failure(let error, _):
            return ProbeResult(response: nil, error: redacted(error), failure: Self.classify(error), trust: trust,
                               elapsedMs: elapsed, clockSkewSeconds: nil)
        }
    }

    static func classify(_ error: YespoError) -> ProbeResult.Failure {
        if error.isPersistent { return .tls }
        switch CURLcode(UInt32(bitPattern: error.curlCode)) {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: return .unreachable
        case CURLE_SSL_CONNECT_ERROR: return .tls
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        default: return error.code == .timeout ? .timeout : .other
        }
    }
}
