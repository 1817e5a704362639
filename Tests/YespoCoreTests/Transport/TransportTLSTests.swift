// TLS is verified unless turned off: a self-signed server (openssl s_server on 127.0.0.1) is
// refused by default, accepted with its certificate as caFile, and accepted with verifyTLS = false.

import Glibc
import Testing
@testable import YespoCore

/// A throwaway certificate for 127.0.0.1 and an `openssl s_server -www` using it; stopped by `stop()`.
final class TLSServer {
    let port: Int
    let certPath: String
    private let pid: pid_t
    private let stdoutFD: Int32
    private let dir: String

    static var isAvailable: Bool { access("/usr/bin/openssl", X_OK) == 0 }

    init() throws {
        var template = Array("/tmp/yespo-tls-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupError("mkdtemp failed") }
        dir = String(cString: made)
        certPath = dir + "/cert.pem"
        let (gen, genOut) = try spawnWithStdoutPipe(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                                     "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                     "-addext", "subjectAltName=IP:127.0.0.1",
                                                     "-keyout", dir + "/key.pem", "-out", certPath])
        var status: Int32 = 0
        waitpid(gen, &status, 0)
        close(genOut)
        guard status == 0 else { throw TestSetupError("openssl req failed (\(status))") }
        let (server, out) = try spawnWithStdoutPipe(["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", certPath,
                                                     "-key", dir + "/key.pem", "-www"])
        pid = server
        stdoutFD = out
        let line = readLine(out, containing: "ACCEPT", timeoutMs: 10_000)
        guard let p = Int(line.split(separator: ":").last ?? "") else {
            terminateAndReap(server, signal: SIGKILL)
            close(out)
            throw TestSetupError("s_server did not say where it listens: '\(line)'")
        }
        port = p
    }

    func stop() {
        terminateAndReap(pid, signal: SIGKILL)   // s_server does not stop on SIGTERM; it keeps no state
        close(stdoutFD)
        unlink(certPath)
        unlink(dir + "/key.pem")
        rmdir(dir)
    }
}

@Suite("Transport TLS", .serialized, .enabled(if: TLSServer.isAvailable))
struct TransportTLSTests {
    func get(_ server: TLSServer, _ change: (inout ClientSettings) -> Void) throws -> HTTPOutcome {
        let t = try Transport(settings: quickSettings("https://127.0.0.1:\(server.port)", change), log: LogSink())
        defer { t.close() }
        return t.perform(HTTPRequest(method: "GET", path: "/"))
    }

    @Test func certificatesAreVerifiedUnlessTurnedOff() throws {
        let server = try TLSServer()
        defer { server.stop() }
        let refused = try get(server) { _ in }
        #expect(refused.errorCode == .transport)
        #expect(refused.attempts == 1)   // a bad certificate does not get better by retrying
        let trusted = try get(server) { $0.caFile = server.certPath }
        #expect(trusted.status == 200)
        #expect(trusted.bodyText.contains("<HTML>"))
        let unverified = try get(server) { $0.verifyTLS = false }
        #expect(unverified.status == 200)
    }
}
