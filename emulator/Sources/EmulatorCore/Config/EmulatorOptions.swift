// The command line (docs/contracts.md §1) and the part of it that can change at run time.
public struct EmulatorSettings: Sendable, Equatable {
    public var latencyMs: Double = 0
    public var latencyPerContactUs: Double = 0
    public var importDelayMs: Int = 50
    public var rateLimitBulk: Int = 200
    public var rateLimitOther: Int = 0
    /// nil: 429 answers carry no Retry-After (the real behaviour is unknown).
    public var retryAfter: Int?
    public var maxBodyMb: Int = 64
    /// "Duplicated request": 0 = off; otherwise how long a processed body is remembered.
    public var duplicateWindowMs: Int = 0
    public var duplicateStatus: Int = 400
    public var duplicateBody = "Duplicated request"
    /// How a failedContacts entry looks (the real fields are undocumented).
    public var failedShape: FailedShape = .indexed
    /// In which order sessions that are due together are applied.
    public var importOrder: ImportOrder = .arrival
    /// Each session waits importDelayMs plus a seeded random 0...jitter ms.
    public var importDelayJitterMs: Int = 0
    /// POST /api/v2/event: the params an event of a type must carry (Yespo's per-type
    /// parameter validation, which an account configures; none by default).
    public var eventRequiredParams: [String: [String]] = [:]

    public init() {}

    /// Extra time before a request is answered: base latency, plus per contact for bulk calls.
    func latencyNanos(contacts: Int) -> UInt64 {
        // Capped at an hour: a mistyped huge value must not trap the conversion.
        let ms = min(latencyMs + Double(contacts) * latencyPerContactUs / 1000, 3_600_000)
        return ms > 0 ? UInt64(ms * 1_000_000) : 0
    }
}

public struct EmulatorOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 0
    public var apiKeys: [String] = []
    public var seed: UInt64 = 0
    public var quiet = false
    public var settings = EmulatorSettings()

    public init() {}

    /// The keys that pass auth: those given, or `test-key` when none were.
    public var acceptedKeys: Set<String> { apiKeys.isEmpty ? ["test-key"] : Set(apiKeys) }

    public static let usage = """
        usage: yespo-emulator [--host 127.0.0.1] [--port 0] [--api-key KEY]... [--seed N]
                              [--import-delay-ms 50] [--latency-ms 0] [--latency-per-contact-us 0]
                              [--rate-limit-bulk 200] [--rate-limit-other 0] [--retry-after none|SECONDS]
                              [--max-body-mb 64] [--duplicate-window-ms 0] [--duplicate-status 400]
                              [--duplicate-body TEXT] [--failed-shape indexed|contact|errors|message|object|mixed]
                              [--import-order arrival|reverse|shuffle] [--import-delay-jitter-ms 0]
                              [--event-required-params TYPE=a,b]... [--quiet]
        """

    public struct UsageError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ arguments: [String]) throws(UsageError) -> EmulatorOptions {
        var o = EmulatorOptions()
        var i = 0
        while i < arguments.count {
            var name = arguments[i]
            var inlineValue: String?
            if let eq = name.firstIndex(of: "="), name.hasPrefix("--") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            i += 1
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard i < arguments.count else { throw UsageError(description: "\(name) needs a value") }
                i += 1
                return arguments[i - 1]
            }
            func number(min: Double = 0) throws(UsageError) -> Double {
                let v = try value()
                guard let d = Double(v), d.isFinite, d >= min else {
                    throw UsageError(description: "\(name) needs a number ≥ \(Int(min)), got '\(v)'")
                }
                return d
            }
            func integer(min: Int = 0, max: Int = Int(Int32.max)) throws(UsageError) -> Int {
                let v = try value()
                guard let n = Int(v), n >= min, n <= max else {
                    throw UsageError(description: "\(name) needs an integer from \(min) to \(max), got '\(v)'")
                }
                return n
            }
            switch name {
            case "--host": o.host = try value()
            case "--port": o.port = try integer(max: 65535)
            case "--api-key":
                let k = try value()
                guard !k.isEmpty else { throw UsageError(description: "--api-key needs a non-empty key") }
                o.apiKeys.append(k)
            case "--seed":
                let v = try value()
                guard let s = UInt64(v) else { throw UsageError(description: "--seed needs a non-negative integer, got '\(v)'") }
                o.seed = s
            case "--import-delay-ms": o.settings.importDelayMs = try integer()
            case "--latency-ms": o.settings.latencyMs = try number()
            case "--latency-per-contact-us": o.settings.latencyPerContactUs = try number()
            case "--rate-limit-bulk": o.settings.rateLimitBulk = try integer()
            case "--rate-limit-other": o.settings.rateLimitOther = try integer()
            case "--retry-after":
                let v = try value()
                if v == "none" { o.settings.retryAfter = nil } else {
                    guard let n = Int(v), n >= 0 else {
                        throw UsageError(description: "--retry-after needs 'none' or seconds, got '\(v)'")
                    }
                    o.settings.retryAfter = n
                }
            case "--max-body-mb": o.settings.maxBodyMb = try integer(min: 1, max: 4096)
            case "--duplicate-window-ms": o.settings.duplicateWindowMs = try integer()
            case "--duplicate-status": o.settings.duplicateStatus = try integer(min: 100, max: 599)
            case "--duplicate-body": o.settings.duplicateBody = try value()
            case "--failed-shape":
                let v = try value()
                guard let shape = FailedShape(rawValue: v) else {
                    throw UsageError(description: "--failed-shape needs one of \(FailedShape.names), got '\(v)'")
                }
                o.settings.failedShape = shape
            case "--import-order":
                let v = try value()
                guard let order = ImportOrder(rawValue: v) else {
                    throw UsageError(description: "--import-order needs one of \(ImportOrder.names), got '\(v)'")
                }
                o.settings.importOrder = order
            case "--import-delay-jitter-ms": o.settings.importDelayJitterMs = try integer()
            case "--event-required-params":
                let v = try value()
                guard let eq = v.firstIndex(of: "="), eq != v.startIndex else {
                    throw UsageError(description: "--event-required-params needs TYPE=param,param, got '\(v)'")
                }
                let names = v[v.index(after: eq)...].split(separator: ",").map { String($0) }
                o.settings.eventRequiredParams[String(v[..<eq])] = names
            case "--quiet": o.quiet = true
            case "--help", "-h": throw UsageError(description: usage)
            default: throw UsageError(description: "unknown argument '\(name)'\n\(usage)")
            }
        }
        return o
    }
}
