// yespo_option values → ClientSettings fields. Ranges are checked by ClientSettings.validated()
// when the change is applied; here only the type of each option and 0/1 booleans.
import YespoCore

typealias SettingsChange = @Sendable (inout ClientSettings) -> Void

func integerOptionSetter(_ option: Int32, _ value: Int64) throws(YespoError) -> SettingsChange {
    // Int is 64-bit on every platform this library builds for, so the conversion is exact.
    let v = Int(value)
    switch option {
    case 1: return { $0.concurrency = v }
    case 2: return { $0.requestsPerSecond = v }
    case 3: return { $0.connectTimeoutMs = v }
    case 4: return { $0.timeoutMs = v }
    case 5: return { $0.stallTimeoutMs = v }
    case 6: return { $0.maxRetries = v }
    case 7: return { $0.retryBaseMs = v }
    case 8: return { $0.retryMaxMs = v }
    case 9: return { $0.chunkSize = v }
    case 10: return { $0.chunkBytes = v }
    case 11:
        let flag = try boolOption("YESPO_OPT_ALLOW_INSECURE_HTTP", value)
        return { $0.allowInsecureHTTP = flag }
    case 12:
        let flag = try boolOption("YESPO_OPT_VERIFY_TLS", value)
        return { $0.verifyTLS = flag }
    case 13: return { $0.maxQueuedChunks = v }
    case 14: return { $0.importPollMs = v }
    case 15: return { $0.importTimeoutMs = v }
    case 16:
        let flag = try boolOption("YESPO_OPT_ADAPTIVE_CONCURRENCY", value)
        return { $0.adaptiveConcurrency = flag }
    case 40:   // YESPO_OPT_SHARED_BUDGET_PROCESSES
        return { $0.sharedBudget.expectedProcesses = v }
    case 41:   // YESPO_OPT_SHARED_BUDGET_FALLBACK
        guard let mode = SharedBudgetStartFallback(rawValue: v) else {
            throw invalidArgument("YESPO_OPT_SHARED_BUDGET_FALLBACK must be 0 (error) or 1 (local), got \(value)")
        }
        return { $0.sharedBudget.startFallback = mode }
    case 100, 101, 102, 120, 121:
        throw invalidArgument("option \(option) takes a string: use yespo_client_set_option_str")
    default:
        throw invalidArgument("unknown option \(option)")
    }
}

func stringOptionSetter(_ option: Int32, _ value: String?) throws(YespoError) -> SettingsChange {
    switch option {
    case 100:
        guard let value else { throw invalidArgument("YESPO_OPT_BASE_URL needs a value, got NULL") }
        return { $0.baseURL = value }
    case 101:
        guard let value else { throw invalidArgument("YESPO_OPT_USER_AGENT needs a value, got NULL") }
        return { $0.userAgent = value }
    case 102:
        // NULL goes back to the system's certificate store.
        return { $0.caFile = value }
    case 120:   // YESPO_OPT_SHARED_BUDGET: NULL or "" turns it off
        let url = value?.isEmpty == false ? value : nil
        return { $0.sharedBudget.url = url }
    case 121:   // YESPO_OPT_SHARED_BUDGET_NAME: NULL or "" = derived from the API key
        let name = value?.isEmpty == false ? value : nil
        return { $0.sharedBudget.name = name }
    case 1...16, 40, 41:
        throw invalidArgument("option \(option) takes an integer: use yespo_client_set_option")
    default:
        throw invalidArgument("unknown option \(option)")
    }
}

func boolOption(_ name: String, _ value: Int64) throws(YespoError) -> Bool {
    switch value {
    case 0: return false
    case 1: return true
    default: throw invalidArgument("\(name) must be 0 or 1, got \(value)")
    }
}
