// Everything a client is configured with, with the defaults of include/yespo.h, and the one place
// that decides whether a configuration is acceptable (ranges from ClientOptionTable, URL scheme,
// loopback-only http).

public struct ClientSettings: Sendable, Equatable {
    /// Sent only as the password of HTTP Basic auth; never printed.
    public var apiKey: String
    public var baseURL: String = "https://api.yespo.io/api/v1"
    /// The v2 API's base (POST /event); nil = derived from baseURL (…/api/v1 → …/api/v2).
    public var baseURLV2: String? = nil
    /// Bulk requests in flight, 1...256.
    public var concurrency: Int = 8
    /// Request budget per second for every attempt of every request; 0 = none.
    public var requestsPerSecond: Int = 100
    public var connectTimeoutMs: Int = 10_000
    public var timeoutMs: Int = 120_000
    public var stallTimeoutMs: Int = 30_000
    /// Retries after the first try, 0...100.
    public var maxRetries: Int = 8
    public var retryBaseMs: Int = 250
    public var retryMaxMs: Int = 30_000
    /// Contacts per bulk request, 1...3000.
    public var chunkSize: Int = 3000
    /// Byte cap of one bulk body, at least 64 KiB.
    public var chunkBytes: Int = 8 << 20
    public var allowInsecureHTTP: Bool = false
    public var verifyTLS: Bool = true
    /// Chunks buffered ahead of the senders before feeding blocks; nil = concurrency (one ready
    /// for each sender: more only held ~0.5 MiB of body each, issue 14).
    public var maxQueuedChunks: Int? = nil
    public var importPollMs: Int = 2000
    public var importTimeoutMs: Int = 1_200_000
    public var adaptiveConcurrency: Bool = true
    public var userAgent: String = "yespo/\(yespoVersionString)"
    public var caFile: String? = nil
    /// A request budget shared with other processes through Redis (SharedBudgetSettings.swift).
    public var sharedBudget = SharedBudgetSettings()

    public init(apiKey: String) {
        self.apiKey = apiKey
    }

    /// A copy that is safe to use (base URL without trailing slash), or an error naming the setting.
    public func validated() throws(YespoError) -> ClientSettings {
        var s = self
        guard !apiKey.isEmpty else { throw bad("the API key is empty") }
        // The key travels in a header: a control character would split it (and the message must not show it).
        guard !apiKey.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw bad("the API key contains a control character")
        }
        try ClientOptionTable.checkRanges(self)
        guard !userAgent.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw bad("userAgent contains a control character")
        }
        if let ca = caFile, ca.isEmpty || ca.utf8.contains(0) { throw bad("caFile is not a usable path") }
        try sharedBudget.validate(rate: requestsPerSecond)
        let url = try BaseURL.parse(baseURL)
        if url.scheme == "http" && !url.isLoopback && !allowInsecureHTTP {
            throw bad("baseURL uses plain http:// to a non-loopback host '\(url.host)'; use https:// or set allowInsecureHTTP")
        }
        s.baseURL = url.text
        if let v2 = baseURLV2 {
            let parsed = try BaseURL.parse(v2, setting: "baseURLV2")
            if parsed.scheme == "http" && !parsed.isLoopback && !allowInsecureHTTP {
                throw bad("baseURLV2 uses plain http:// to a non-loopback host '\(parsed.host)'; use https:// or set allowInsecureHTTP")
            }
            s.baseURLV2 = parsed.text
        }
        return s
    }

    /// The base of the v2 API: baseURLV2 when set, else baseURL with its last "/v1" segment made
    /// "/v2" (https://api.yespo.io/api/v1 → https://api.yespo.io/api/v2). A base URL that does not
    /// end in /v1 cannot be derived from: the error says to set baseURLV2.
    public func v2BaseURL() throws(YespoError) -> String {
        if let v2 = baseURLV2 { return v2 }
        var text = baseURL
        while text.hasSuffix("/") { text.removeLast() }
        guard text.lowercased().hasSuffix("/v1") else {
            throw bad("cannot derive the v2 API's URL from baseURL '\(text)' (it does not end in /v1): set the v2 base URL (C YESPO_OPT_BASE_URL_V2, Python base_url_v2, Go WithBaseURLV2, CLI --base-url-v2)")
        }
        return String(text.dropLast(3)) + "/v2"
    }
}

private func bad(_ message: String) -> YespoError { YespoError(.invalidArgument, message) }

/// The parts of a base URL the transport cares about. Only http and https, no credentials in the URL.
struct BaseURL: Equatable {
    var scheme: String
    var host: String
    /// The URL as given, without a trailing "/".
    var text: String
    var isLoopback: Bool

    static func parse(_ raw: String, setting baseURL: String = "baseURL") throws(YespoError) -> BaseURL {
        guard !raw.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw bad("\(baseURL) contains a space or control character")
        }
        var text = raw
        while text.hasSuffix("/") { text.removeLast() }
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else {
            throw bad("\(baseURL) must start with https:// (or http:// for a local server), got '\(raw)'")
        }
        let rest = text.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { throw bad("\(baseURL) must not carry credentials; set apiKey instead") }
        guard !text.contains("?") && !text.contains("#") else { throw bad("\(baseURL) must not have a query or fragment") }
        let host: String
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("\(baseURL) has an unclosed IPv6 bracket") }
            host = String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
        } else {
            host = String(authority.prefix { $0 != ":" }).lowercased()
        }
        guard !host.isEmpty else { throw bad("\(baseURL) has no host") }
        return BaseURL(scheme: scheme, host: host, text: text, isLoopback: isLoopbackHost(host))
    }
}

/// 127.0.0.0/8, localhost and ::1 — the only hosts plain http is allowed to by default.
func isLoopbackHost(_ host: String) -> Bool {
    if host == "localhost" || host == "localhost." || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == "127" else { return false }
    return parts.allSatisfy { p in !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && (Int(p) ?? 256) <= 255 }
}
