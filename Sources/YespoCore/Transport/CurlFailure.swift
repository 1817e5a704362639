// What a failed curl transfer means for the caller: which YespoError, and whether trying again can
// help (connection trouble and timeouts can; a bad certificate or an oversized answer cannot).

import CCurl

enum CurlFailure {
    static func isRetryable(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
             CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
             CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR:
            return true
        default:
            return false
        }
    }

    static func error(_ code: CURLcode, detail: String, request: String) -> YespoError {
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let message = "\(request): \(text) (curl \(code.rawValue))"
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return YespoError(.timeout, message)
        case CURLE_URL_MALFORMAT:
            return YespoError(.invalidArgument, message)
        case CURLE_OUT_OF_MEMORY:
            return YespoError(.noMemory, message)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_WRITE_ERROR, CURLE_FILESIZE_EXCEEDED,
             CURLE_TOO_MANY_REDIRECTS:
            return YespoError(.protocol, message)
        default:
            return YespoError(.transport, message)
        }
    }
}
