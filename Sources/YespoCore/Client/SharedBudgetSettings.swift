// The shared request budget's settings (docs/beyond-one-machine.md): a Redis URL that turns it on,
// the budget's name, and what to do when Redis is out of reach. The rate itself is the client's
// `requestsPerSecond`: with a shared budget it is the rate of every process on the budget together.

public enum SharedBudgetStartFallback: Int, Sendable, Equatable {
    /// Redis unreachable when the client is configured: fail with a clear error.
    case error = 0
    /// Redis unreachable when the client is configured: start on the local fallback budget and
    /// join the shared one when Redis answers.
    case local = 1
}

public struct SharedBudgetSettings: Sendable, Equatable {
    /// `redis://[[user]:password@]host[:port][/db]`; nil = no shared budget (the local one only).
    public var url: String? = nil
    /// The budget's name, which names its Redis key; nil = derived from a hash of the API key.
    /// Every process that should share one budget uses the same name (or the same key).
    public var name: String? = nil
    /// Processes expected to share the budget. While Redis is lost, this process sends at
    /// rate ÷ expectedProcesses so that all of them together stay under the budget.
    public var expectedProcesses: Int = 4
    public var startFallback: SharedBudgetStartFallback = .error

    public init() {}

    public var isEnabled: Bool { url != nil }

    /// The name as sent to Redis (as part of the key), checked; nil when derived from the key.
    func validatedName() throws(YespoError) -> String? {
        guard let name else { return nil }
        guard !name.isEmpty, name.utf8.count <= 200 else {
            throw YespoError(.invalidArgument, "sharedBudgetName must be 1 to 200 bytes long")
        }
        guard !name.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw YespoError(.invalidArgument, "sharedBudgetName must not contain spaces or control characters")
        }
        return name
    }

    /// Checks the values that do not need Redis; `rate` is the client's requestsPerSecond.
    func validate(rate: Int) throws(YespoError) {
        guard (1...100_000).contains(expectedProcesses) else {
            throw YespoError(.invalidArgument, "sharedBudgetProcesses must be in 1...100000, got \(expectedProcesses)")
        }
        _ = try validatedName()
        guard let url else { return }
        _ = try RedisURL.parse(url)
        guard rate > 0 else {
            throw YespoError(.invalidArgument, "a shared budget needs a rate: set requestsPerSecond (the budget of all processes together) above 0")
        }
    }
}
