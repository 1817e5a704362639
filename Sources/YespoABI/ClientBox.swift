// What a yespo_client handle stands for: the engine client, the key to scrub from messages, and
// whether yespo_client_free ran (after which the client's jobs answer YESPO_E_STATE).
import Synchronization
import YespoCore

final class ClientBox: Sendable {
    let client: YespoClient
    /// Only used to scrub it from error and log text at the border.
    let apiKey: String
    private let closed = Atomic<Bool>(false)

    init(client: YespoClient, apiKey: String) {
        self.client = client
        self.apiKey = apiKey
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// The engine client, unless yespo_client_free already ran.
    func open() throws(YespoError) -> YespoClient {
        guard !isClosed else { throw YespoError(.state, "the client was freed") }
        return client
    }

    /// Marks the client closed first (so its jobs refuse further calls), then lets the engine cancel
    /// every job, stop its thread and close its connections.
    func close() {
        closed.store(true, ordering: .releasing)
        client.close()
    }
}
