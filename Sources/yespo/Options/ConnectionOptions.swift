// Where to connect and with which key, shared by every command that talks to Yespo.
// The key comes from YESPO_API_KEY or --api-key-file only: a flag would show it in `ps`.
import ArgumentParser
import YespoCore

struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "API base URL (default: $YESPO_BASE_URL, else https://api.yespo.io/api/v1).",
        valueName: "url"))
    var baseURL: String?

    @Option(name: .customLong("base-url-v2"), help: ArgumentHelp(
        "The v2 API's base URL, for events (default: $YESPO_BASE_URL_V2, else the base URL with /v1 made /v2).",
        valueName: "url"))
    var baseURLV2: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the API key from this file (default: the YESPO_API_KEY environment variable).",
        valueName: "file"))
    var apiKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("Time limit of one request, in seconds.", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .long, help: "Retries of a failed request (connection errors, 429, 5xx).")
    var maxRetries: Int?

    @Flag(name: .long, help: "Allow plain http:// to a host that is not this machine.")
    var allowInsecureHTTP = false

    @Option(name: .long, help: ArgumentHelp(
        "Verify the server with the CA certificates in this PEM file (e.g. a corporate proxy's CA); "
        + "default: $CURL_CA_BUNDLE, else $SSL_CERT_FILE, else the system's store.", valueName: "file"),
        completion: .file())
    var caFile: String?

    /// The API key, trimmed. `required: false` serves --dry-run, which sends nothing.
    func apiKey(required: Bool = true) throws(CLIFailure) -> String? {
        var key: String?
        if let file = apiKeyFile {
            do {
                key = String(decoding: try FileSystem.read(file, limit: 64 << 10), as: UTF8.self)
            } catch {
                throw CLIFailure("cannot read the API key file: \(error.message)")
            }
        } else {
            key = FileSystem.environment("YESPO_API_KEY")
        }
        let trimmed = key.map(trimWhitespace)
        guard let value = trimmed, !value.isEmpty else {
            if !required { return nil }
            throw CLIFailure(apiKeyFile != nil
                ? "the API key file \(apiKeyFile ?? "") is empty"
                : "no API key: set YESPO_API_KEY or pass --api-key-file FILE")
        }
        Secrets.remember(value)
        return value
    }

    func settings(apiKey: String) -> ClientSettings {
        var s = ClientSettings(apiKey: apiKey)
        if let url = baseURL ?? FileSystem.environment("YESPO_BASE_URL") { s.baseURL = url }
        if let url = baseURLV2 ?? FileSystem.environment("YESPO_BASE_URL_V2"), !url.isEmpty { s.baseURLV2 = url }
        if let t = timeout { s.timeoutMs = Int(t * 1000) }
        if let r = maxRetries { s.maxRetries = r }
        if allowInsecureHTTP { s.allowInsecureHTTP = true }
        if let caFile { s.caFile = caFile }
        s.userAgent = "yespo-cli/\(yespoVersionString)"
        return s
    }

    /// A client for the single-call commands.
    func makeClient() throws(CLIFailure) -> YespoClient {
        guard let key = try apiKey() else { throw CLIFailure("no API key") }
        return try Self.client(settings(apiKey: key))
    }

    static func client(_ settings: ClientSettings) throws(CLIFailure) -> YespoClient {
        do {
            return try YespoClient(settings: settings.validated())
        } catch {
            throw CLIFailure((error.code == .transport ? "cannot start: " : "bad settings: ") + CLIFailure.describe(error))
        }
    }
}
