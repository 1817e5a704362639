// Answers the emulator never gives but Yespo may: failedContacts entries without an index
// (matched by email/phone/externalCustomerId), a single object, a plain-text 200, and a mapping
// that is one object. Served by a scripted loopback server.
import Synchronization
import Testing
@testable import YespoCore

@Suite("Bulk answers in other shapes", .serialized)
struct BulkAnswerTests {
    func job(_ server: HostileServer, _ options: UpsertOptions = UpsertOptions()) throws -> (YespoClient, UpsertJob) {
        var s = ClientSettings(apiKey: "test-key")
        s.baseURL = "http://127.0.0.1:\(server.port)/api/v1"
        s.requestsPerSecond = 0
        s.retryBaseMs = 10
        s.importPollMs = 20
        let client = try YespoClient(settings: s)
        return (client, try client.beginUpsert(options))
    }

    static func ok(_ json: String) -> HostileServer.Action {
        .respond(status: 200, headers: ["Content-Type: application/json"], body: Array(json.utf8))
    }

    @Test func failuresWithoutIndexAreMatchedByValue() throws {
        let server = try HostileServer { _, _ in
            Self.ok(#"{"asyncSessionId":"s-1","failedContacts":[{"contact":{"channels":[{"type":"email","value":"Ans-2@Example.com"}]},"error":"no such thing"},{"sms":"+380 50 000 0003","message":"bad phone"},{"contact":{"externalCustomerId":"crm-5"},"error":"locked"}]}"#)
        }
        defer { server.stop() }
        let (client, job) = try job(server)
        defer { client.close() }
        try job.feed(jobContacts("ans", 0..<4) + Array(#"{"channels":[{"type":"email","value":"p5@example.com"},{"type":"sms","value":"380500000003"}]}"#.utf8) + [0x0A]
                     + Array(#"{"externalCustomerId":"crm-5","channels":[{"type":"email","value":"e5@example.com"}]}"#.utf8))
        let report = try job.finish()
        #expect(report.rows == 6)
        #expect(report.outcome(row: 3)?.kind == .rejected)
        #expect(report.outcome(row: 3)?.reason == "no such thing")
        #expect(report.outcome(row: 5)?.reason == "bad phone")
        #expect(report.outcome(row: 6)?.reason == "locked")
        #expect(report.accepted == 3 && report.rejected == 3)
        #expect(report.outcome(row: 1)?.asyncSessionId == "s-1")
    }

    @Test func aSingleFailureObjectAndAnUnknownEntry() throws {
        let server = try HostileServer { _, _ in
            Self.ok(#"{"asyncSessionId":"s-2","failedContacts":{"index":1,"contact":{},"error":"one"}}"#)
        }
        defer { server.stop() }
        let (client, job) = try job(server)
        defer { client.close() }
        try job.feed(jobContacts("one", 0..<3))
        let report = try job.finish()
        #expect(report.outcome(row: 2)?.kind == .rejected)
        #expect(report.accepted == 2)
    }

    @Test func aPlainText200IsResentThenNotSent() throws {
        let server = try HostileServer { _, _ in
            .respond(status: 200, headers: ["Content-Type: application/json;charset=UTF-8"], body: Array("Accepted".utf8))
        }
        defer { server.stop() }
        let (client, job) = try job(server)
        defer { client.close() }
        try job.feed(jobContacts("txt", 0..<3))
        let report = try job.finish()
        #expect(report.notSent == 3)
        #expect(report.outcome(row: 1)?.reason?.contains("cannot be read") == true)
        #expect(server.requests.count == 3)   // the first try and two resends
    }

    @Test func aMappingThatIsOneObject() throws {
        let server = try HostileServer { request, _ in
            if request.path.contains("/importstatus/") {
                return Self.ok(#"{"status":"FINISHED","mapping":{"dedupeValue":"map-0@example.com","contactId":77}}"#)
            }
            return Self.ok(#"{"asyncSessionId":"s-3"}"#)
        }
        defer { server.stop() }
        var options = UpsertOptions()
        options.wait = true
        let (client, job) = try job(server, options)
        defer { client.close() }
        try job.feed(jobContacts("map", 0..<1))
        let report = try job.finish()
        #expect(report.outcome(row: 1)?.contactId == 77)
        let status = try client.importStatus("s-3")
        #expect(status == #"{"status":"FINISHED","mapping":[{"dedupeValue":"map-0@example.com","contactId":77}],"description":null}"#)
    }

    /// Entries that fit no row or several are reported as unmapped, never pinned on a guess.
    @Test func failuresThatFitNoRowOrSeveralAreReportedUnmapped() throws {
        let server = try HostileServer { _, _ in
            Self.ok(#"{"asyncSessionId":"s-2","failedContacts":[{"contact":{"channels":[{"type":"email","value":"same@example.com"}]},"error":"which one?"},{"message":"no idea who"},{"index":0,"contact":{"channels":[{"type":"email","value":"nobody@example.com"}]},"error":"contradicts its index"},{"contact":{"externalCustomerId":"b","channels":[{"type":"email","value":"same@example.com"}]},"errors":[{"code":"E1","message":"first"},{"code":"E2","message":"second"}]}]}"#)
        }
        defer { server.stop() }
        let (client, job) = try job(server)
        defer { client.close() }
        try job.feed(#"""
            {"externalCustomerId":"a","channels":[{"type":"email","value":"same@example.com"}]}
            {"externalCustomerId":"b","channels":[{"type":"email","value":"same@example.com"}]}
            {"channels":[{"type":"email","value":"other@example.com"}]}
            """#)
        let report = try job.finish()
        #expect(report.rows == 3)
        #expect(report.outcome(row: 2)?.kind == .rejected)
        #expect(report.outcome(row: 2)?.reason == "first; second")
        #expect(report.outcome(row: 1)?.kind == .accepted)
        #expect(report.outcome(row: 3)?.kind == .accepted)
        #expect(report.unmappedFailureCount == 3)
        let summary = report.summaryJSON()
        #expect(summary.contains(#""unmappedFailureCount":3"#))
        #expect(summary.contains("which one?") && summary.contains("no idea who") && summary.contains("contradicts its index"))
    }

    /// "Duplicated request" is never bisected nor rejected: the rows are accepted, marked.
    @Test func duplicatedRequestAcceptsTheRowsMarked() throws {
        let server = try HostileServer { _, _ in
            .respond(status: 400, headers: ["Content-Type: application/json;charset=UTF-8"], body: Array("Duplicated request".utf8))
        }
        defer { server.stop() }
        let (client, job) = try job(server)
        defer { client.close() }
        try job.feed(jobContacts("dup", 0..<10))
        let report = try job.finish()
        #expect(report.accepted == 10 && report.rejected == 0)
        #expect(report.requests == 1, "a Duplicated request answer must not be bisected")
        #expect(report.acceptedByDuplicatedRequest == 10)
        #expect(report.outcome(row: 4)?.acceptedBy == .duplicatedRequest)
        #expect(report.outcome(row: 4)?.asyncSessionId == nil)
        let rows = String(decoding: report.rowsNDJSON(kinds: [.accepted]), as: UTF8.self)
        #expect(rows.contains(#""acceptedBy":"duplicatedRequest""#))
    }

    /// With wait, rows accepted on "Duplicated request" are looked up by search for their id;
    /// a hit that is not the row's contact (inexact email search) does not count.
    @Test func duplicatedRequestRowsAreConfirmedBySearchWhenWaiting() throws {
        let searches = Atomic<Int>(0)
        let server = try HostileServer { request, _ in
            if request.method == "POST" {
                return .respond(status: 400, body: Array("Duplicated request".utf8))
            }
            searches.add(1, ordering: .relaxed)
            // dup-0 is found; dup-1's search returns a different contact (never confirmed).
            if request.path.contains("dup-0%40example.com") {
                return Self.ok(#"[{"id":901,"channels":[{"type":"email","value":"dup-0@example.com"}]}]"#)
            }
            return Self.ok(#"[{"id":902,"channels":[{"type":"email","value":"dup-10@example.com"}]}]"#)
        }
        defer { server.stop() }
        var s = ClientSettings(apiKey: "test-key")
        s.baseURL = "http://127.0.0.1:\(server.port)/api/v1"
        s.requestsPerSecond = 0
        s.importPollMs = 20
        s.importTimeoutMs = 300
        let client = try YespoClient(settings: s)
        defer { client.close() }
        var options = UpsertOptions()
        options.wait = true
        let job = try client.beginUpsert(options)
        try job.feed(jobContacts("dup", 0..<2))
        let report = try job.finish()
        #expect(report.accepted == 2 && report.acceptedByDuplicatedRequest == 2)
        #expect(report.outcome(row: 1)?.contactId == 901)
        #expect(report.outcome(row: 2)?.contactId == nil)
        #expect(report.outcome(row: 2)?.reason?.contains("Not found by search") == true)
        #expect(searches.load(ordering: .relaxed) >= 3)
    }
}
