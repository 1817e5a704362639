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

    /// The server's certificate or our trust settings: the same for every request.
    static func isTrustFailure(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            return true
        default:
            return false
        }
    }

    static func error(_ code: CURLcode, detail: String, request: String, trust: String = "") -> YespoError {
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let message = "\(request): \(text) (curl \(code.rawValue))"
        if isTrustFailure(code) {
            let verb = code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CRL_BADFILE
                ? "TLS verification cannot start" : "TLS: the server's certificate is not trusted"
            var error = YespoError(.transport, "\(verb): \(message); verified with \(trust.isEmpty ? "the system store" : trust). "
                + "Give the CA certificate that signs the server's (e.g. your proxy's) as a PEM file: caFile "
                + "(CLI --ca-file FILE), or CURL_CA_BUNDLE / SSL_CERT_FILE")
            error.isPersistent = true
            error.curlCode = Int32(code.rawValue)
            return error
        }
        var error = plainError(code, message)
        error.curlCode = Int32(code.rawValue)
        return error
    }

    private static func plainError(_ code: CURLcode, _ message: String) -> YespoError {
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
