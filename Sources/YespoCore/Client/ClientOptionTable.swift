// The one table of client options: for each, its number in the C header's `yespo_option`, its name
// in every door (C, Swift settings, Python keyword, Go option, CLI flag), its type, range, default
// and one line of doc. ClientSettings.validated() checks the ranges from here, the C ABI sets
// options through here, yespo_option_bounds and yespo_options_json read it, and tests compare the
// header, the Python and Go bindings, the CLI's flags and docs/options.md against it — so a copy
// that drifts fails `make test`. Adding a client option: one row here, its ClientSettings field,
// its behaviour, and the doors the tests then name.

public struct ClientOption: Sendable {
    public enum Kind: String, Sendable { case integer, boolean, string }

    /// The `yespo_option` value.
    public let id: Int32
    /// The header's enum name.
    public let cName: String
    /// The ClientSettings field (also the name in messages).
    public let key: String
    public let kind: Kind
    /// Accepted integer values (integers only).
    public let range: ClosedRange<Int64>?
    /// The default as the header states it.
    public let defaultText: String
    /// Python keyword of yespo.Client; `pythonUnit` "s" when Python takes seconds for milliseconds.
    public let python: String?
    public let pythonUnit: String?
    /// Go option function of yespo.NewClient.
    public let go: String?
    /// The CLI flag, when the CLI offers one.
    public let cli: String?
    public let doc: String
    let set: @Sendable (inout ClientSettings, OptionValue) -> Void
    let get: @Sendable (ClientSettings) -> Int64?

    public enum OptionValue: Sendable {
        case integer(Int64)
        case string(String?)
    }
}

public enum ClientOptionTable {
    private static func integer(_ id: Int32, _ cName: String, _ key: String, _ range: ClosedRange<Int64>, _ def: String,
                                python: String?, unit: String? = nil, go: String?, cli: String?, _ doc: String,
                                _ keyPath: WritableKeyPath<ClientSettings, Int> & Sendable) -> ClientOption {
        ClientOption(id: id, cName: cName, key: key, kind: .integer, range: range, defaultText: def, python: python,
                     pythonUnit: unit, go: go, cli: cli, doc: doc,
                     set: { s, v in if case .integer(let n) = v { s[keyPath: keyPath] = Int(n) } },
                     get: { s in Int64(s[keyPath: keyPath]) })
    }

    private static func boolean(_ id: Int32, _ cName: String, _ key: String, _ def: String, python: String?, go: String?,
                                cli: String?, _ doc: String,
                                _ keyPath: WritableKeyPath<ClientSettings, Bool> & Sendable) -> ClientOption {
        ClientOption(id: id, cName: cName, key: key, kind: .boolean, range: 0...1, defaultText: def, python: python,
                     pythonUnit: nil, go: go, cli: cli, doc: doc,
                     set: { s, v in if case .integer(let n) = v { s[keyPath: keyPath] = n != 0 } },
                     get: { s in s[keyPath: keyPath] ? 1 : 0 })
    }

    public static let all: [ClientOption] = [
        integer(1, "YESPO_OPT_CONCURRENCY", "concurrency", 1...256, "8", python: "concurrency", go: "WithConcurrency",
                cli: "--concurrency", "parallel bulk requests in flight", \.concurrency),
        integer(2, "YESPO_OPT_RATE_LIMIT", "requestsPerSecond", 0...1_000_000, "100", python: "rate_limit", go: "WithRateLimit",
                cli: "--rate", "request budget per second for this client, 0 = none", \.requestsPerSecond),
        integer(3, "YESPO_OPT_CONNECT_TIMEOUT_MS", "connectTimeoutMs", 1...3_600_000, "10000", python: "connect_timeout", unit: "s",
                go: "WithConnectTimeout", cli: nil, "connection timeout", \.connectTimeoutMs),
        integer(4, "YESPO_OPT_TIMEOUT_MS", "timeoutMs", 1...86_400_000, "120000", python: "timeout", unit: "s",
                go: "WithTimeout", cli: "--timeout", "one request, end to end", \.timeoutMs),
        integer(5, "YESPO_OPT_STALL_TIMEOUT_MS", "stallTimeoutMs", 1000...86_400_000, "30000", python: "stall_timeout", unit: "s",
                go: "WithStallTimeout", cli: nil, "abort a transfer that moves no byte for this long", \.stallTimeoutMs),
        integer(6, "YESPO_OPT_MAX_RETRIES", "maxRetries", 0...100, "8", python: "max_retries", go: "WithMaxRetries",
                cli: "--max-retries", "retries of one request after the first try", \.maxRetries),
        integer(7, "YESPO_OPT_RETRY_BASE_MS", "retryBaseMs", 0...3_600_000, "250", python: "retry_base", unit: "s",
                go: "WithRetryBackoff", cli: nil, "first backoff step", \.retryBaseMs),
        integer(8, "YESPO_OPT_RETRY_MAX_MS", "retryMaxMs", 0...3_600_000, "30000", python: "retry_max", unit: "s",
                go: "WithRetryBackoff", cli: nil, "backoff cap", \.retryMaxMs),
        integer(9, "YESPO_OPT_CHUNK_SIZE", "chunkSize", 1...3000, "3000", python: "chunk_size", go: "WithChunkSize",
                cli: "--chunk-size", "contacts per bulk request", \.chunkSize),
        integer(10, "YESPO_OPT_CHUNK_BYTES", "chunkBytes", 65_536...1_073_741_824, "8388608", python: "chunk_bytes",
                go: "WithChunkBytes", cli: nil, "byte cap of one bulk body", \.chunkBytes),
        boolean(11, "YESPO_OPT_ALLOW_INSECURE_HTTP", "allowInsecureHTTP", "0", python: "allow_insecure_http",
                go: "WithInsecureHTTP", cli: "--allow-insecure-http", "1 = allow http:// to non-loopback hosts", \.allowInsecureHTTP),
        boolean(12, "YESPO_OPT_VERIFY_TLS", "verifyTLS", "1", python: "verify_tls", go: "WithTLSVerification",
                cli: nil, "0 = do not verify certificates (dangerous)", \.verifyTLS),
        ClientOption(id: 13, cName: "YESPO_OPT_MAX_QUEUED_CHUNKS", key: "maxQueuedChunks", kind: .integer, range: 1...100_000,
                     defaultText: "concurrency", python: "max_queued_chunks", pythonUnit: nil, go: "WithMaxQueuedChunks",
                     cli: nil, doc: "chunks buffered ahead of the senders before feed blocks",
                     set: { s, v in if case .integer(let n) = v { s.maxQueuedChunks = Int(n) } },
                     get: { s in s.maxQueuedChunks.map { Int64($0) } }),
        integer(14, "YESPO_OPT_IMPORT_POLL_MS", "importPollMs", 10...3_600_000, "2000", python: "import_poll_interval", unit: "s",
                go: "WithImportPolling", cli: "--poll-interval", "/importstatus polling interval when waiting", \.importPollMs),
        integer(15, "YESPO_OPT_IMPORT_TIMEOUT_MS", "importTimeoutMs", 1...86_400_000, "1200000", python: "import_timeout", unit: "s",
                go: "WithImportPolling", cli: "--import-timeout", "give up waiting for an import after this", \.importTimeoutMs),
        boolean(16, "YESPO_OPT_ADAPTIVE_CONCURRENCY", "adaptiveConcurrency", "1", python: "adaptive_concurrency",
                go: "WithAdaptiveConcurrency", cli: nil, "1 = cut concurrency on 429 and grow it back", \.adaptiveConcurrency),
        // The shared request budget (docs/beyond-one-machine.md); the URL is set last: it connects.
        ClientOption(id: 40, cName: "YESPO_OPT_SHARED_BUDGET_PROCESSES", key: "sharedBudgetProcesses", kind: .integer,
                     range: 1...100_000, defaultText: "4", python: "shared_budget_processes", pythonUnit: nil,
                     go: "WithSharedBudgetProcesses", cli: "--shared-budget-processes",
                     doc: "processes expected on the budget, for the fallback rate while Redis is lost",
                     set: { s, v in if case .integer(let n) = v { s.sharedBudget.expectedProcesses = Int(n) } },
                     get: { s in Int64(s.sharedBudget.expectedProcesses) }),
        ClientOption(id: 41, cName: "YESPO_OPT_SHARED_BUDGET_FALLBACK", key: "sharedBudgetFallback", kind: .boolean,
                     range: 0...1, defaultText: "0", python: "shared_budget_fallback", pythonUnit: nil,
                     go: "WithSharedBudgetFallback", cli: "--shared-budget-fallback",
                     doc: "Redis unreachable at start: 0 = error, 1 = start on the local fallback (Python/CLI: error|local)",
                     set: { s, v in if case .integer(let n) = v { s.sharedBudget.startFallback = SharedBudgetStartFallback(rawValue: Int(n)) ?? .error } },
                     get: { s in Int64(s.sharedBudget.startFallback.rawValue) }),
        ClientOption(id: 120, cName: "YESPO_OPT_SHARED_BUDGET", key: "sharedBudget", kind: .string, range: nil,
                     defaultText: "none", python: "shared_budget", pythonUnit: nil, go: "WithSharedBudget",
                     cli: "--shared-budget", doc: "redis://[[user]:password@]host[:port][/db]; NULL or \"\" = none",
                     set: { s, v in if case .string(let t) = v { s.sharedBudget.url = t?.isEmpty == false ? t : nil } },
                     get: { _ in nil }),
        ClientOption(id: 121, cName: "YESPO_OPT_SHARED_BUDGET_NAME", key: "sharedBudgetName", kind: .string, range: nil,
                     defaultText: "derived from a hash of the API key", python: "shared_budget_name", pythonUnit: nil,
                     go: "WithSharedBudgetName", cli: "--budget-name", doc: "the budget's name (its Redis key)",
                     set: { s, v in if case .string(let t) = v { s.sharedBudget.name = t?.isEmpty == false ? t : nil } },
                     get: { _ in nil }),
        ClientOption(id: 100, cName: "YESPO_OPT_BASE_URL", key: "baseURL", kind: .string, range: nil,
                     defaultText: "\"https://api.yespo.io/api/v1\"", python: "base_url", pythonUnit: nil, go: "WithBaseURL",
                     cli: "--base-url", doc: "the API's base URL",
                     set: { s, v in if case .string(let t?) = v { s.baseURL = t } }, get: { _ in nil }),
        ClientOption(id: 101, cName: "YESPO_OPT_USER_AGENT", key: "userAgent", kind: .string, range: nil,
                     defaultText: "\"yespo/<version>\"", python: "user_agent", pythonUnit: nil, go: "WithUserAgent",
                     cli: nil, doc: "the User-Agent header",
                     set: { s, v in if case .string(let t?) = v { s.userAgent = t } }, get: { _ in nil }),
        ClientOption(id: 102, cName: "YESPO_OPT_CA_FILE", key: "caFile", kind: .string, range: nil,
                     defaultText: "the system's store", python: "ca_file", pythonUnit: nil, go: "WithCAFile",
                     cli: nil, doc: "PEM bundle to verify the server with (NULL: the system's store)",
                     set: { s, v in if case .string(let t) = v { s.caFile = t } }, get: { _ in nil }),
        ClientOption(id: 103, cName: "YESPO_OPT_BASE_URL_V2", key: "baseURLV2", kind: .string, range: nil,
                     defaultText: "the base URL with /v1 made /v2", python: "base_url_v2", pythonUnit: nil,
                     go: "WithBaseURLV2", cli: "--base-url-v2",
                     doc: "the v2 API's base URL (POST /event); NULL or \"\" = derived from the base URL",
                     set: { s, v in if case .string(let t) = v { s.baseURLV2 = t?.isEmpty == false ? t : nil } },
                     get: { _ in nil }),
    ]

    public static func option(id: Int32) -> ClientOption? { all.first { $0.id == id } }

    /// Checks every integer option of `settings` against its range (ClientSettings.validated()).
    static func checkRanges(_ settings: ClientSettings) throws(YespoError) {
        for option in all where option.kind == .integer {
            guard let range = option.range, let value = option.get(settings) else { continue }
            guard range.contains(value) else {
                throw YespoError(.invalidArgument, "\(option.key) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
        }
    }

    /// The change an integer option (`yespo_client_set_option`) makes, or why it cannot.
    public static func integerChange(id: Int32, _ value: Int64) throws(YespoError) -> @Sendable (inout ClientSettings) -> Void {
        guard let option = option(id: id) else { throw YespoError(.invalidArgument, "unknown option \(id)") }
        switch option.kind {
        case .string:
            throw YespoError(.invalidArgument, "option \(id) (\(option.cName)) takes a string: use yespo_client_set_option_str")
        case .boolean where value != 0 && value != 1:
            throw YespoError(.invalidArgument, "\(option.cName) must be 0 or 1, got \(value)")
        default:
            return { option.set(&$0, .integer(value)) }
        }
    }

    /// The change a string option (`yespo_client_set_option_str`) makes; nil text = NULL.
    public static func stringChange(id: Int32, _ text: String?) throws(YespoError) -> @Sendable (inout ClientSettings) -> Void {
        guard let option = option(id: id) else { throw YespoError(.invalidArgument, "unknown option \(id)") }
        guard option.kind == .string else {
            throw YespoError(.invalidArgument, "option \(id) (\(option.cName)) takes an integer: use yespo_client_set_option")
        }
        if text == nil && (option.id == 100 || option.id == 101) {   // base URL and user agent need a value; NULL resets the others
            throw YespoError(.invalidArgument, "\(option.cName) needs a value, got NULL")
        }
        return { option.set(&$0, .string(text)) }
    }
}
