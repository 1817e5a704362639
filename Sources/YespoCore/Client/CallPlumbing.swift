// What every single call shares: checking the caller's JSON, sending one request through the
// transport, and turning a non-2xx answer into a YespoError with the status and the server's own
// words (404 → .notFound, 401/403 → .auth, 429 → .rateLimited). Answers may be plain text.

extension YespoClient {
    /// Sends one request and returns the 2xx answer, or throws the mapped error.
    /// `baseURL`: an absolute base instead of the client's (the v2 API); nil = settings.baseURL.
    func send(_ method: String, _ path: String, body: [UInt8]? = nil, baseURL: String? = nil) throws(YespoError) -> HTTPResponse {
        guard !isClosed else { throw Self.closedError }
        let pathOnly = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let what = "\(method) \(baseURL == nil ? "" : "/api/v2")\(pathOnly)"
        switch transport.perform(HTTPRequest(method: method, path: path, body: body, baseURL: baseURL)) {
        case .failure(let error, _):
            // Transport messages already name the request; say it once.
            let own = "\(method) \(pathOnly)"   // how the transport names it (without the v2 base)
            let message = error.message.hasPrefix(what) ? error.message
                : error.message.hasPrefix(own) ? what + error.message.dropFirst(own.count) : "\(what): \(error.message)"
            throw redacted(YespoError(error.code, message, httpStatus: error.httpStatus))
        case .response(let response, _):
            if (200..<300).contains(response.status) { return response }
            let code: YespoErrorCode
            switch response.status {
            case 404: code = .notFound
            case 401, 403: code = .auth
            case 429: code = .rateLimited
            default: code = .http
            }
            throw redacted(YespoError(code, "\(what): \(httpFailureText(status: response.status, body: response.body))",
                                      httpStatus: response.status))
        }
    }

    /// Server text should never hold the key, but a message must not show it even if it does.
    func redacted(_ error: YespoError) -> YespoError {
        var e = error
        e.message = redactingSecret(e.message, settings.apiKey)
        return e
    }

    /// Parses the caller's JSON text; a malformed one is .invalidArgument naming the argument.
    func parseArgument(_ text: String, _ name: String) throws(YespoError) -> JSONDocument {
        switch JSONDocument.parse(text) {
        case .success(let document): return document
        case .failure(let failure):
            throw YespoError(.invalidArgument, "\(name): malformed JSON at byte \(failure.position): \(failure.message)")
        }
    }

    func parseObjectArgument(_ text: String, _ name: String) throws(YespoError) -> JSONDocument {
        let document = try parseArgument(text, name)
        guard document.root.kind == .object else {
            throw YespoError(.invalidArgument, "\(name): expected a JSON object, got \(document.root.kindName)")
        }
        return document
    }

    /// The answer as JSON, or .protocol when it is not.
    func parseAnswer(_ response: HTTPResponse, _ what: String) throws(YespoError) -> JSONDocument {
        switch JSONDocument.parse(response.body) {
        case .success(let document): return document
        case .failure:
            throw YespoError(.protocol, "\(what): expected a JSON answer, got: \(serverMessage(response.body))",
                             httpStatus: response.status)
        }
    }
}

/// Query strings from (name, value) pairs, values percent-encoded.
func queryString(_ pairs: [(String, String)]) -> String {
    guard !pairs.isEmpty else { return "" }
    return "?" + pairs.map { "\($0.0)=\(percentEncodedPathSegment($0.1))" }.joined(separator: "&")
}

/// `text` with the API key and its Basic-auth form masked (see SecretRedactor).
func redactingSecret(_ text: String, _ secret: String) -> String {
    SecretRedactor(secret: secret).redact(text)
}
