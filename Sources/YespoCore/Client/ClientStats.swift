// Cumulative transport statistics of one client (yespo_client_stats).

public struct ClientStats: Sendable, Equatable {
    public var requests = 0
    public var retries = 0
    public var throttled = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var connectionsOpened = 0

    public init() {}

    init(_ stats: TransportStats) {
        requests = stats.requests
        retries = stats.retries
        throttled = stats.throttled
        bytesSent = stats.bytesSent
        bytesReceived = stats.bytesReceived
        connectionsOpened = stats.connectionsOpened
    }

    public func json() -> String {
        var out = JSONOutput(capacity: 160)
        out.raw("{"); out.key("requests"); out.int(requests)
        out.raw(","); out.key("retries"); out.int(retries)
        out.raw(","); out.key("throttled"); out.int(throttled)
        out.raw(","); out.key("bytesSent"); out.int(bytesSent)
        out.raw(","); out.key("bytesReceived"); out.int(bytesReceived)
        out.raw(","); out.key("connectionsOpened"); out.int(connectionsOpened)
        out.raw("}")
        return out.text
    }
}
