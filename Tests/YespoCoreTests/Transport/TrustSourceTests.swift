// Where the CA certificates come from (caFile, else CURL_CA_BUNDLE, else SSL_CERT_FILE /
// SSL_CERT_DIR, as the curl tool decides), and what an untrusted certificate does: a clear error
// naming the fix that stops a whole job at once, like a refused key.
import Glibc
import Testing
@testable import YespoCore

@Suite("Trust source", .serialized, .enabled(if: TLSServer.isAvailable))
struct TrustSourceTests {
    @Test func decidedLikeTheCurlTool() {
        func env(_ values: [String: String]) -> (String) -> String? { { values[$0] } }
        #expect(TrustSource.resolve(caFile: "/a.pem", environment: env(["CURL_CA_BUNDLE": "/b.pem"])).caFile == "/a.pem")
        let bundle = TrustSource.resolve(caFile: nil, environment: env(["CURL_CA_BUNDLE": "/b.pem", "SSL_CERT_FILE": "/c.pem"]))
        #expect(bundle.caFile == "/b.pem" && bundle.origin == "CURL_CA_BUNDLE")
        #expect(bundle.described == "the CA file /b.pem (from CURL_CA_BUNDLE)")
        let file = TrustSource.resolve(caFile: nil, environment: env(["SSL_CERT_FILE": "/c.pem", "SSL_CERT_DIR": "/d"]))
        #expect(file.caFile == "/c.pem" && file.caPath == "/d")
        let none = TrustSource.resolve(caFile: nil, environment: env([:]))
        #expect(none.caFile == nil && none.caPath == nil && none.described == "the system store")
    }

    @Test func environmentVariablesAreHonouredWhenNoCAFileIsSet() throws {
        let server = try TLSServer()
        defer { server.stop() }
        for name in ["CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
            setenv(name, server.certPath, 1)
            defer { unsetenv(name) }
            let t = try Transport(settings: quickSettings("https://127.0.0.1:\(server.port)"), log: LogSink())
            defer { t.close() }
            #expect(t.perform(HTTPRequest(method: "GET", path: "/")).status == 200, "\(name)")
        }
    }

    @Test func anUntrustedCertificateStopsTheJobWithTheFix() throws {
        let server = try TLSServer()
        defer { server.stop() }
        let client = try YespoClient(settings: quickSettings("https://127.0.0.1:\(server.port)").validated())
        defer { client.close() }
        let job = try client.beginUpsert(UpsertOptions())
        var ndjson = ""
        for n in 0..<10 { ndjson += #"{"channels":[{"type":"email","value":"u\#(n)@example.com"}]}"# + "\n" }
        try Array(ndjson.utf8).withUnsafeBytes { try job.feedNDJSON($0) }
        let report = try job.finish()
        #expect(report.fatal?.code == .transport)
        #expect(report.fatal?.message.contains("TLS: the server's certificate is not trusted") == true)
        #expect(report.fatal?.message.contains("CLI --ca-file FILE") == true)
        #expect(report.notSent == 10 && report.requests == 1)

        let probe = client.probe("/")
        #expect(probe.failure == .tls && probe.response == nil)
    }
}
