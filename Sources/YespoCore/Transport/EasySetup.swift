// Sets up a (reused, reset) curl easy handle for one attempt of a transfer: every safety and
// timeout option in one place, so no attempt can go out without them.

import CCurl

/// Per-client values every attempt uses, computed once per settings change.
struct EasyDefaults {
    var baseURL: String
    var authorization: String        // "Authorization: Basic ..." — the only place the key lives
    var userAgent: String
    var connectTimeoutMs: Int
    var timeoutMs: Int
    var stallSeconds: Int
    var verifyTLS: Bool
    var caFile: String?
    var caPath: String?
    /// Where caFile / caPath came from (setting, environment, system store), for TLS messages.
    var trustOrigin: String
    var isHTTPS: Bool
    var maxResponseBytes: Int

    init(_ s: ClientSettings, maxResponseBytes: Int) {
        baseURL = s.baseURL
        authorization = "Authorization: Basic " + base64Encode(Array((":" + s.apiKey).utf8))
        userAgent = s.userAgent
        connectTimeoutMs = s.connectTimeoutMs
        timeoutMs = s.timeoutMs
        stallSeconds = max(1, (s.stallTimeoutMs + 999) / 1000)
        verifyTLS = s.verifyTLS
        let trust = TrustSource.resolve(caFile: s.caFile)
        caFile = trust.caFile
        caPath = trust.caPath
        trustOrigin = trust.described
        isHTTPS = s.baseURL.lowercased().hasPrefix("https://")
        self.maxResponseBytes = maxResponseBytes
    }
}

enum EasySetup {
    /// Returns nil when the handle is ready, else why it could not be set up.
    static func configure(_ h: UnsafeMutableRawPointer, for t: Transfer, _ d: EasyDefaults) -> String? {
        curl_easy_reset(h)
        var failed: String?
        func check(_ rc: CURLcode, _ what: String) {
            if rc != CURLE_OK && failed == nil { failed = "\(what): \(String(cString: curl_easy_strerror(rc)))" }
        }
        let userdata = Unmanaged.passUnretained(t).toOpaque()
        check(yespo_easy_setopt_str(h, CURLOPT_URL, (t.baseURL ?? d.baseURL) + t.path), "URL")
        check(yespo_easy_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        check(yespo_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0), "redirects")
        check(yespo_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1), "nosignal")
        check(yespo_easy_setopt_ptr(h, CURLOPT_PRIVATE, userdata), "private")
        check(yespo_easy_setopt_ptr(h, CURLOPT_ERRORBUFFER, t.errorBuffer), "errorbuffer")
        check(yespo_easy_setopt_datacb(h, CURLOPT_WRITEFUNCTION, Transfer.onBody), "write callback")
        check(yespo_easy_setopt_ptr(h, CURLOPT_WRITEDATA, userdata), "write data")
        check(yespo_easy_setopt_datacb(h, CURLOPT_HEADERFUNCTION, Transfer.onHeader), "header callback")
        check(yespo_easy_setopt_ptr(h, CURLOPT_HEADERDATA, userdata), "header data")
        // When the request really goes out (the request budget counts that moment, as the server
        // does). Optional: without it (libcurl < 7.80) the budget counts the moment it started.
        _ = yespo_easy_setopt_prereqcb(h, Transfer.onPrerequest)
        _ = yespo_easy_setopt_ptr(h, CURLOPT_PREREQDATA, userdata)
        check(yespo_easy_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(d.maxResponseBytes)), "max size")
        check(yespo_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, d.connectTimeoutMs), "connect timeout")
        check(yespo_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, d.timeoutMs), "timeout")
        check(yespo_easy_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, 1), "stall limit")
        check(yespo_easy_setopt_long(h, CURLOPT_LOW_SPEED_TIME, d.stallSeconds), "stall time")
        check(yespo_easy_setopt_str(h, CURLOPT_ACCEPT_ENCODING, ""), "encoding")
        check(yespo_easy_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)), "http version")
        check(yespo_easy_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        check(yespo_easy_setopt_str(h, CURLOPT_USERAGENT, d.userAgent), "user agent")
        if d.isHTTPS {
            // Prefer waiting for a connection that can multiplex (HTTP/2) over opening another.
            check(yespo_easy_setopt_long(h, CURLOPT_PIPEWAIT, 1), "pipewait")
            check(yespo_easy_setopt_long(h, CURLOPT_SSL_VERIFYPEER, d.verifyTLS ? 1 : 0), "verify peer")
            check(yespo_easy_setopt_long(h, CURLOPT_SSL_VERIFYHOST, d.verifyTLS ? 2 : 0), "verify host")
            if let ca = d.caFile { check(yespo_easy_setopt_str(h, CURLOPT_CAINFO, ca), "CA file") }
            if let dir = d.caPath { check(yespo_easy_setopt_str(h, CURLOPT_CAPATH, dir), "CA directory") }
        }

        var list: UnsafeMutablePointer<curl_slist>? = nil
        // An empty Expect: stops curl waiting for "100 Continue" before large bodies.
        for line in ["Accept: application/json", "Expect:", d.authorization] + (t.hasBody ? ["Content-Type: application/json"] : []) {
            guard let next = curl_slist_append(list, line) else { failed = failed ?? "out of memory for headers"; break }
            list = next
        }
        if let old = t.headerList { curl_slist_free_all(old) }
        t.headerList = list
        check(yespo_easy_setopt_slist(h, CURLOPT_HTTPHEADER, list), "headers")

        switch t.method {
        case "GET":
            check(yespo_easy_setopt_long(h, CURLOPT_HTTPGET, 1), "GET")
        case "HEAD":
            check(yespo_easy_setopt_long(h, CURLOPT_NOBODY, 1), "HEAD")
        default:
            if t.hasBody || t.method == "POST" || t.method == "PUT" || t.method == "PATCH" {
                if let body = t.body {
                    // Read by curl from the request's own bytes (Transfer.onRead): no copy per request.
                    check(yespo_easy_setopt_long(h, CURLOPT_POST, 1), "POST")
                    check(yespo_easy_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "body size")
                    check(yespo_easy_setopt_datacb(h, CURLOPT_READFUNCTION, Transfer.onRead), "read callback")
                    check(yespo_easy_setopt_ptr(h, CURLOPT_READDATA, userdata), "read data")
                    check(yespo_easy_setopt_seekcb(h, Transfer.onSeek), "seek callback")
                    check(yespo_easy_setopt_ptr(h, CURLOPT_SEEKDATA, userdata), "seek data")
                    // Bulk bodies are ~0.5 MB: curl's default 64 KB upload buffer means ~8 rounds of
                    // read callback, send and poll per request; 256 KB (curl's limit is 2 MB) needs two.
                    _ = yespo_easy_setopt_long(h, CURLOPT_UPLOAD_BUFFERSIZE, Int(uploadBufferBytes))
                } else {
                    check(yespo_easy_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, 0), "body size")
                    check(yespo_easy_setopt_ptr(h, CURLOPT_POSTFIELDS, UnsafeRawPointer(emptyBody)), "body")
                }
            }
            if t.method != "POST" { check(yespo_easy_setopt_str(h, CURLOPT_CUSTOMREQUEST, t.method), "method") }
        }
        return failed
    }
}

/// curl's upload buffer per transfer (see `configure`). Measured on a million-row upsert: 20,700
/// polls and 3,300 sends with curl's 64 KB, 5,300 and 1,300 with this.
let uploadBufferBytes = 256 << 10

/// A NUL byte that lives forever: the body of a POST without one.
nonisolated(unsafe) private let emptyBody: UnsafeMutablePointer<CChar> = {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
}()
