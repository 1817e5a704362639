import Foundation
import Hummingbird
import Logging

/// A loopback HTTP server that serves fixed files behind Basic auth, for the upload method.
struct FileServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    /// `files`: path → body. Requests without `user:secret` credentials get 401.
    static func start(files: [String: [UInt8]], user: String = "user", password: String = "secret") async throws -> FileServer {
        let router = Router()
        let expected = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        router.get("**") { request, _ -> Response in
            guard request.headers[.authorization] == expected else { return Response(status: .unauthorized) }
            guard let body = files[request.uri.path] else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: "text/csv"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let (ports, cont) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "file-server")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { cont.yield($0.localAddress?.port ?? 0); cont.finish() },
                              logger: logger)
        let task = Task { try await app.run() }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next(), port > 0 else { task.cancel(); throw TestServerError.didNotStart }
        return FileServer(port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
