import Foundation
import Synchronization
import Testing
@testable import EmulatorCore

/// An emulator running in this process on a free loopback port, stopped when the test ends
/// (also when it fails).
struct TestServer: Sendable {
    let emulator: Emulator
    let port: Int
    let task: Task<Void, any Error>

    static func start(_ configure: (inout EmulatorOptions) -> Void = { _ in }) async throws -> TestServer {
        var options = EmulatorOptions()
        options.quiet = true
        options.settings.importDelayMs = 0
        configure(&options)
        let emulator = Emulator(options: options)
        let (ports, cont) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await emulator.run { port in cont.yield(port); cont.finish() } }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next(), port > 0 else {
            task.cancel()
            throw TestServerError.didNotStart
        }
        return TestServer(emulator: emulator, port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    func call(_ method: String, _ path: String, json: String? = nil, apiKey: String? = "test-key",
              headers: [(String, String)] = []) async -> HTTPResult {
        await RawHTTPClient.request(port: port, method: method, path: path, body: json.map { Array($0.utf8) },
                                    apiKey: apiKey, headers: headers)
    }

    func callBytes(_ method: String, _ path: String, body: [UInt8], apiKey: String? = "test-key") async -> HTTPResult {
        await RawHTTPClient.request(port: port, method: method, path: path, body: body, apiKey: apiKey)
    }

    /// Admin call, answering parsed JSON (fails the test on a non-200).
    @discardableResult
    func admin(_ method: String, _ path: String, json: String? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) async -> JSONValue {
        let r = await call(method, "/_emulator" + path, json: json, apiKey: nil)
        #expect(r.status == 200, "admin \(method) \(path): \(r.status) \(r.text)", sourceLocation: sourceLocation)
        return r.json ?? .null
    }

    /// Posts a bulk body and returns the parsed answer (expecting 200).
    func bulk(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) async -> JSONValue {
        let r = await call("POST", "/api/v1/contacts", json: body)
        #expect(r.status == 200, "bulk: \(r.status) \(r.text)", sourceLocation: sourceLocation)
        return r.json ?? .null
    }

    /// Posts a bulk body, flushes the import and returns the final import status.
    func bulkAndWait(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) async -> JSONValue {
        let answer = await bulk(body, sourceLocation: sourceLocation)
        await admin("POST", "/imports/flush")
        let id = answer["asyncSessionId"]?.stringValue ?? "missing"
        let status = await call("GET", "/api/v1/importstatus/\(id)")
        return status.json ?? .null
    }

    func contact(_ id: Int64) async -> JSONValue? {
        let r = await call("GET", "/_emulator/contacts/\(id)", apiKey: nil)
        return r.status == 200 ? r.json : nil
    }

    /// Every stored contact (admin NDJSON).
    func allContacts() async -> [JSONValue] {
        let r = await call("GET", "/_emulator/contacts", apiKey: nil)
        return r.text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }
}

enum TestServerError: Error { case didNotStart }

/// Runs `body` against a fresh server and always stops it.
func withServer(_ configure: (inout EmulatorOptions) -> Void = { _ in },
                _ body: (TestServer) async throws -> Void) async throws {
    let server = try await TestServer.start(configure)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Runs `body` against a fresh server started from command-line flags, as the executable parses
/// them (after `--import-delay-ms 0`, which a flag given here overrides).
func withServer(flags: [String], _ body: (TestServer) async throws -> Void) async throws {
    let options = try EmulatorOptions.parse(["--import-delay-ms", "0"] + flags + ["--quiet"])
    try await withServer({ $0 = options }, body)
}

/// One contact object as JSON text.
func contactJSON(email: String? = nil, sms: String? = nil, ext: String? = nil, first: String? = nil,
                 last: String? = nil, extra: String = "") -> String {
    var channels: [String] = []
    if let email { channels.append(#"{"type":"email","value":"\#(email)"}"#) }
    if let sms { channels.append(#"{"type":"sms","value":"\#(sms)"}"#) }
    var parts = [#""channels":[\#(channels.joined(separator: ","))]"#]
    if let ext { parts.append(#""externalCustomerId":"\#(ext)""#) }
    if let first { parts.append(#""firstName":"\#(first)""#) }
    if let last { parts.append(#""lastName":"\#(last)""#) }
    if !extra.isEmpty { parts.append(extra) }
    return "{" + parts.joined(separator: ",") + "}"
}

extension JSONValue {
    /// Mapping entries of an import status: dedupeValue → contactId.
    var mappingById: [String: Int64] {
        var out: [String: Int64] = [:]
        for m in self["mapping"]?.arrayValue ?? [] {
            if let k = m["dedupeValue"]?.stringValue, let v = m["contactId"]?.int64Value { out[k] = v }
        }
        return out
    }
}
