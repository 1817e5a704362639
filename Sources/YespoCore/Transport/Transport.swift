// PLACEHOLDER landed for the public signatures; the engine follows in the next commit.
public final class Transport: Sendable {
    public static let maxResponseBytes = 16 << 20
    private let log: LogSink
    public init(settings: ClientSettings, log: LogSink) throws(YespoError) {
        _ = try settings.validated()
        try ProcessInit.ensure()
        self.log = log
    }
    public func update(settings: ClientSettings) {}
    @discardableResult
    public func submit(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPOutcome) -> Void) -> RequestTicket {
        completion(.failure(YespoError(.internal, "transport not implemented yet"), attempts: 0))
        return RequestTicket(id: 0)
    }
    public func cancel(_ ticket: RequestTicket) {}
    public func perform(_ request: HTTPRequest) -> HTTPOutcome {
        .failure(YespoError(.internal, "transport not implemented yet"), attempts: 0)
    }
    public func stats() -> TransportStats { TransportStats() }
    public func close() {}
}
