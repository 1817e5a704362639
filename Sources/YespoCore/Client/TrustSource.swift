// Which certificates verify the server, decided the way the curl tool decides: the caFile
// setting (CLI --ca-file); else $CURL_CA_BUNDLE; else $SSL_CERT_FILE and $SSL_CERT_DIR; else
// libcurl's built-in store (Debian: /etc/ssl/certs). libcurl itself reads none of these
// variables, so without this a corporate proxy's CA set for curl would not reach our clients.
import Glibc

public struct TrustSource: Sendable, Equatable {
    /// A PEM bundle (CURLOPT_CAINFO), nil: libcurl's default.
    public var caFile: String?
    /// A directory of hashed certificates (CURLOPT_CAPATH), from $SSL_CERT_DIR.
    public var caPath: String?
    /// Where the choice came from, for messages: "caFile", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
    /// "SSL_CERT_DIR", "SSL_CERT_FILE and SSL_CERT_DIR" or "the system store".
    public var origin: String

    public static func resolve(caFile: String?, environment: (String) -> String? = environmentValue) -> TrustSource {
        if let caFile { return TrustSource(caFile: caFile, caPath: nil, origin: "caFile") }
        if let bundle = environment("CURL_CA_BUNDLE") { return TrustSource(caFile: bundle, caPath: nil, origin: "CURL_CA_BUNDLE") }
        let file = environment("SSL_CERT_FILE")
        let dir = environment("SSL_CERT_DIR")
        switch (file, dir) {
        case (nil, nil): return TrustSource(caFile: nil, caPath: nil, origin: "the system store")
        case (_?, nil): return TrustSource(caFile: file, caPath: nil, origin: "SSL_CERT_FILE")
        case (nil, _?): return TrustSource(caFile: nil, caPath: dir, origin: "SSL_CERT_DIR")
        default: return TrustSource(caFile: file, caPath: dir, origin: "SSL_CERT_FILE and SSL_CERT_DIR")
        }
    }

    /// "the CA file /x/ca.pem (from CURL_CA_BUNDLE)", "the system store".
    public var described: String {
        var parts: [String] = []
        if let caFile { parts.append("the CA file \(caFile)") }
        if let caPath { parts.append("the CA directory \(caPath)") }
        if parts.isEmpty { return origin }
        return parts.joined(separator: " and ") + (origin == "caFile" ? "" : " (from \(origin))")
    }
}

/// A non-empty environment variable.
public func environmentValue(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    let value = String(cString: p)
    return value.isEmpty ? nil : value
}
