// `yespo doctor`: is this machine set up to talk to Yespo? One probing request answers most of
// it: base URL reachable, TLS verified (and with which CAs), API key accepted, the server's clock
// against ours; the budget is checked against Yespo's documented limit. One line per check, each
// failure with its fix; exit 0 when nothing failed, 1 otherwise.
import ArgumentParser
import YespoCore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the API key, the base URL, TLS, the clock and the request budget.",
        discussion: """
            Each check prints one line (ok, warn, FAIL or skip); a failure says how to fix it. \
            Exit code 0 when no check failed, 1 otherwise (2 for bad arguments).
            """)

    /// Yespo's documented limit for the contacts API, in requests per second.
    static let documentedRate = 200

    @Option(name: .long, help: "The request budget to check (requests per second; default: the client's 100).")
    var rate: Int?

    @Flag(name: .long, help: "Print the checks as JSON.")
    var json = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    struct Check {
        enum Status: String { case ok, warn, fail = "FAIL", skip }
        let name: String
        let status: Status
        let detail: String
        var fix: String? = nil
    }

    func validate() throws {
        if let r = rate, r < 0 { throw ValidationError("--rate must be 0 (no limit) or more") }
    }

    func run() throws {
        var checks: [Check] = []
        var key: String?
        var keyProblem = "none given"
        do { key = try connection.apiKey(required: true) } catch { keyProblem = error.message }
        var settings = connection.settings(apiKey: key ?? "yespo-doctor-without-a-key")
        settings.maxRetries = min(settings.maxRetries, 1)
        settings.connectTimeoutMs = min(settings.connectTimeoutMs, 10_000)
        if connection.timeout == nil { settings.timeoutMs = 15_000 }
        if let rate { settings.requestsPerSecond = rate }
        let client = try ConnectionOptions.client(settings)
        defer { client.close() }
        let url = client.settings.baseURL
        let https = url.lowercased().hasPrefix("https://")
        let probe = client.probe("/groups?startindex=1&maxrows=1")

        checks.append(reachability(probe, url: url))
        checks.append(tls(probe, https: https, url: url))
        checks.append(apiKey(probe, given: key != nil, problem: keyProblem))
        checks.append(clock(probe))
        checks.append(budget(settings.requestsPerSecond))

        let failed = checks.filter { $0.status == .fail }.count
        if json {
            let items: [JSON] = checks.map { c in
                .object([("check", .string(c.name)), ("status", .string(c.status.rawValue.lowercased())),
                         ("detail", .string(Secrets.redact(c.detail))), ("fix", c.fix.map { .string(Secrets.redact($0)) } ?? .null)])
            }
            Terminal.out(JSON.object([("baseURL", .string(url)), ("checks", .array(items)),
                                      ("failed", .number(Double(failed))), ("exitCode", .number(failed > 0 ? 1 : 0))])
                .encoded() + "\n")
        } else {
            var out = "yespo doctor: \(url)\n"
            for c in checks {
                out += "  \(Format.rightPad(c.status.rawValue, 5)) \(Format.rightPad(c.name, 10)) \(c.detail)\n"
                if let fix = c.fix { out += "        \(Format.rightPad("", 10)) fix: \(fix)\n" }
            }
            out += failed == 0 ? "all checks passed\n" : "\(failed) check\(failed == 1 ? "" : "s") failed\n"
            Terminal.out(Secrets.redact(out))
        }
        if failed > 0 { throw ExitCode(ExitStatus.partial) }
    }

    private func reachability(_ p: ProbeResult, url: String) -> Check {
        if let r = p.response {
            return Check(name: "base URL", status: .ok, detail: "answered HTTP \(r.status) in \(p.elapsedMs) ms")
        }
        let why = p.error.map(CLIFailure.describe) ?? "no answer"
        switch p.failure {
        case .tls?:
            return Check(name: "base URL", status: .ok, detail: "reached (the TLS handshake failed, see below)")
        case .timeout?:
            return Check(name: "base URL", status: .fail, detail: "no answer in time: \(why)",
                         fix: "check the network, a firewall or proxy (HTTPS_PROXY), or give more time with --timeout")
        default:
            return Check(name: "base URL", status: .fail, detail: "unreachable: \(why)",
                         fix: "check --base-url / YESPO_BASE_URL (default https://api.yespo.io/api/v1), DNS and the network or proxy")
        }
    }

    private func tls(_ p: ProbeResult, https: Bool, url: String) -> Check {
        guard https else {
            let local = url.contains("://127.") || url.contains("://localhost") || url.contains("://[::1]")
            return local
                ? Check(name: "TLS", status: .skip, detail: "plain http to this machine (a local emulator); Yespo itself is https")
                : Check(name: "TLS", status: .warn, detail: "plain http: the key travels unencrypted",
                        fix: "use the https:// base URL")
        }
        if p.response != nil {
            return Check(name: "TLS", status: .ok, detail: "certificate verified with \(p.trust.described)")
        }
        if p.failure == .tls {
            return Check(name: "TLS", status: .fail, detail: p.error.map(CLIFailure.describe) ?? "the handshake failed",
                         fix: "give the CA certificate that signs the server's (e.g. a corporate proxy's) as a PEM file: "
                            + "--ca-file FILE, or export CURL_CA_BUNDLE=FILE (now: \(p.trust.described))")
        }
        return Check(name: "TLS", status: .skip, detail: "not checked: the server was not reached")
    }

    private func apiKey(_ p: ProbeResult, given: Bool, problem: String) -> Check {
        let fixKey = "export YESPO_API_KEY=<key> or pass --api-key-file FILE (Yespo: Settings → API keys); the key needs the contacts API"
        guard given else {
            return Check(name: "API key", status: .fail, detail: problem, fix: fixKey)
        }
        guard let r = p.response else {
            return Check(name: "API key", status: .skip, detail: "not checked: no answer from the server")
        }
        switch r.status {
        case 200..<300:
            return Check(name: "API key", status: .ok, detail: "accepted (GET /groups answered \(r.status))")
        case 401, 403:
            return Check(name: "API key", status: .fail, detail: "refused (HTTP \(r.status))", fix: fixKey)
        case 404:
            return Check(name: "API key", status: .fail, detail: "GET /groups answered 404: the base URL is probably wrong",
                         fix: "the base URL ends in /api/v1 (default https://api.yespo.io/api/v1)")
        case 429:
            return Check(name: "API key", status: .warn, detail: "not checked: the server answered 429 (rate limited)",
                         fix: "another client is using the budget; try again in a few seconds")
        default:
            return Check(name: "API key", status: .fail, detail: "GET /groups answered HTTP \(r.status)",
                         fix: "the server is in trouble or the base URL is wrong; try again, or check --base-url")
        }
    }

    private func clock(_ p: ProbeResult) -> Check {
        guard let skew = p.clockSkewSeconds else {
            return Check(name: "clock", status: .skip,
                         detail: p.response == nil ? "not checked: no answer from the server" : "the server sent no Date header")
        }
        let size = skew < 0 ? -skew : skew
        let side = skew > 0 ? "behind" : "ahead of"
        let text = size <= 1 ? "in step with the server (Date header)" : "\(size) s \(side) the server (Date header)"
        if size <= 5 { return Check(name: "clock", status: .ok, detail: text) }
        let fix = "synchronise the clock (e.g. timedatectl set-ntp true); Retry-After dates and certificate checks rely on it"
        return Check(name: "clock", status: size <= 60 ? .warn : .fail, detail: text, fix: fix)
    }

    private func budget(_ rate: Int) -> Check {
        let limit = Self.documentedRate
        if rate == 0 {
            return Check(name: "budget", status: .warn, detail: "no request budget: bursts above Yespo's documented \(limit) requests/s draw 429s",
                         fix: "set --rate (e.g. 100) so the client paces itself below \(limit)/s")
        }
        if rate > limit {
            return Check(name: "budget", status: .fail, detail: "\(rate) requests/s is above Yespo's documented \(limit)/s: expect 429s",
                         fix: "use --rate \(limit) or less")
        }
        return Check(name: "budget", status: .ok,
                     detail: "\(rate) requests/s, within Yespo's documented \(limit)/s (\(rate * 100 / limit)% of it)")
    }
}
