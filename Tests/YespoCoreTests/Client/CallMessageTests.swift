// Error messages of single calls name the request once: the transport already prefixes its own
// failures with the method and path (messages once read "GET /groups: GET /groups: ...").
import Testing
@testable import YespoCore

@Suite struct CallMessageTests {
    @Test func aTransportFailureNamesTheRequestOnce() throws {
        var settings = ClientSettings(apiKey: "test-key")
        settings.baseURL = "http://127.0.0.1:1/api/v1"   // nothing listens on port 1
        settings.maxRetries = 0
        let client = try YespoClient(settings: settings)
        defer { client.close() }
        do {
            _ = try client.listSegments(nil)
            Issue.record("a call to a closed port succeeded")
        } catch {
            #expect(error.code == .transport)
            #expect(error.message.ranges(of: "GET /groups").count == 1, "\(error.message)")
        }
    }
}
