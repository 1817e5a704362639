// The emulator answering as the real service might: every failedContacts entry shape, and the
// "Duplicated request" a retry meets after a lost answer. Rows are tied to failures only when the
// entry says which row; nothing is lost and nothing is called rejected on a guess.
import Testing
@testable import YespoCore

@Suite("Server answer shapes against the emulator", .serialized)
struct ServerAnswerShapesTests {
    /// Rows 3, 50 and 120 are refused by a fault rule; every shape that names the row ties it.
    @Test(arguments: ["indexed", "contact", "errors", "object", "mixed", "message"])
    func failedContactsInEveryShape(shape: String) throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--failed-shape", shape]) { emu in
            let refused = [3, 50, 120]
            let emails = refused.map { "\"\(jobEmail("shape", $0 - 1))\"" }.joined(separator: ",")
            _ = try emu.adminText("POST", "/faults", body: #"{"rules":[{"method":"POST","path":"/api/v1/contacts","action":"rejectRows","match":[\#(emails)],"probability":1.0}]}"#)
            let client = try jobClient(emu) { $0.chunkSize = 100; $0.concurrency = 2 }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feed(jobContacts("shape", 0..<200))
            let report = try job.finish()
            expectExact(report, collector, rows: 200)
            if shape == "message" {
                // Nothing says which row: reported, not guessed.
                #expect(report.rejected == 0 && report.unmappedFailureCount == 3)
                #expect(report.summaryJSON().contains("rejected by fault rule"))
            } else {
                #expect(report.rejected == 3 && report.unmappedFailureCount == 0, "\(report.summaryJSON().prefix(400))")
                for row in refused { #expect(report.outcome(row: row)?.kind == .rejected) }
            }
        }
    }

    /// dropMidResponse applies the request and loses the answer; the retry is answered
    /// "Duplicated request": the rows are accepted, marked, and nothing is bisected or lost.
    @Test func aRetryAfterALostAnswerMeetsDuplicatedRequest() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--duplicate-window-ms", "60000"]) { emu in
            _ = try emu.adminText("POST", "/faults", body: #"{"rules":[{"method":"POST","path":"/api/v1/contacts","count":1,"action":"dropMidResponse"}]}"#)
            let client = try jobClient(emu) { $0.chunkSize = 100; $0.concurrency = 1 }
            defer { client.close() }
            var options = UpsertOptions()
            options.wait = true
            let job = try client.beginUpsert(options)
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feed(jobContacts("lost", 0..<300))
            let report = try job.finish()
            expectExact(report, collector, rows: 300)
            #expect(report.accepted == 300 && report.rejected == 0)
            #expect(report.acceptedByDuplicatedRequest == 100, "\(report.summaryJSON().prefix(300))")
            #expect(try emu.stat("duplicatedRequests") == 1)
            // Confirmed by search: the marked rows carry their contact ids as well.
            #expect(report.outcome(row: 1)?.acceptedBy == .duplicatedRequest)
            #expect(report.outcome(row: 1)?.contactId != nil)
            #expect(try emulatorEmails(emu).count == 300)
        }
    }
}
