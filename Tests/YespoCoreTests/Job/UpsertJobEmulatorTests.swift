// Bulk upsert jobs end to end against the emulator over real HTTP: volume, chunking, flow
// control, outcomes per row, waiting for imports, duplicates, dry runs and resume.
import Synchronization
import Testing
@testable import YespoCore

@Suite("Upsert jobs against the emulator", .serialized)
struct UpsertJobEmulatorTests {
    @Test func hundredThousandContactsAllLandInTheEmulator() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 8 }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            let progressCalls = Atomic<Int>(0)
            job.setProgressHandler(intervalMs: 50) { _ in progressCalls.add(1, ordering: .relaxed) }
            for start in stride(from: 0, to: 100_000, by: 10_000) {
                try job.feed(jobContacts("bulk", start..<(start + 10_000)))
            }
            let report = try job.finish()
            expectExact(report, collector, rows: 100_000)
            #expect(report.accepted == 100_000)
            #expect(report.fatal == nil)
            #expect(progressCalls.load(ordering: .relaxed) >= 1)
            #expect(job.progress().done)
            // Read after finish, progress still tells the final counts (it once read zeros).
            #expect(job.progress().accepted == 100_000)
            #expect(job.progress().rowsRead == 100_000)
            let emails = try emulatorEmails(emu)
            #expect(emails.count == 100_000)
            #expect((0..<100_000).allSatisfy { emails[jobEmail("bulk", $0)] == 1 })
            #expect(try emu.stat("bulkRequests") == 34)
            #expect(try emu.stat("contactsReceived") == 100_000)
            #expect(try emu.stat("maxInFlightBulk") <= 8)
            let summary = try emu.adminText("GET", "/summary")
            #expect(jsonInt(summary, "contacts") == 100_000)
            // every accepted row carries its chunk's session
            #expect(report.outcome(row: 1)?.asyncSessionId != nil)
        }
    }

    @Test func chunksStopAt3000ContactsAndAtTheByteCap() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 4 }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            try job.feed(jobContacts("cap", 0..<7000))
            let report = try job.finish()
            #expect(report.accepted == 7000)
            #expect(try emu.stat("bulkRequests") == 3)
            let chunks = chunkRows(report)
            #expect(chunks == [3000, 3000, 1000])

            _ = try emu.adminText("POST", "/stats/reset")
            try client.configure { $0.chunkBytes = 64 << 10 }
            let padded = try client.beginUpsert(UpsertOptions())
            try padded.feed(jobContacts("pad", 0..<600, pad: 900))   // ~1 KB a contact
            let paddedReport = try padded.finish()
            #expect(paddedReport.accepted == 600)
            let requests = try emu.stat("bulkRequests")
            #expect(requests >= 10)
            #expect(try emu.stat("bytesReceived") <= requests * (64 << 10))
            #expect(chunkRows(paddedReport).allSatisfy { $0 <= 64 })
        }
    }

    @Test func concurrencyAndRequestBudgetHold() throws {
        // The server limits too (a bucket of 20 a second, like Yespo's own limit): the budget
        // must keep every request clear of it.
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "20", "--latency-ms", "40"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 3; $0.requestsPerSecond = 20; $0.chunkSize = 100 }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            try job.feed(jobContacts("flow", 0..<4000))
            let report = try job.finish()
            #expect(report.accepted == 4000)
            #expect(try emu.stat("bulkRequests") == 40)
            #expect(try emu.stat("maxInFlightBulk") <= 3)
            #expect(client.stats().throttled == 0)
            // Counted where the server reads them. Our window counts a start when curl sends it;
            // delivery to the server's handler takes a few ms more, and under load (a full
            // `make test` beside three builds) one request's delivery has crossed the server's
            // one-second boundary: 21. More than that is the budget's fault.
            #expect(try emu.stat("peakRequestsPerSecond") <= 21)
        }
    }

    @Test func inChunkDuplicatesLastWriteWins() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feed("""
                {"firstName":"Old","channels":[{"type":"email","value":"dup@example.com"}]}
                {"firstName":"Other","channels":[{"type":"email","value":"other@example.com"}]}
                {"firstName":"New","channels":[{"type":"email","value":" DUP@Example.com "}]}
                """)
            let report = try job.finish()
            expectExact(report, collector, rows: 3)
            #expect(report.duplicates == 1 && report.accepted == 2)
            #expect(report.outcome(row: 1)?.kind == .duplicate)
            #expect(report.outcome(row: 1)?.reason == "superseded by row 3")
            _ = try emu.adminText("POST", "/imports/flush")
            let text = try emu.adminText("GET", "/contacts")
            #expect(text.contains("\"New\"") && !text.contains("\"Old\""))
        }
    }

    @Test func waitAttachesContactIdsFromTheImportMapping() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "100"]) { emu in
            let client = try jobClient(emu) { $0.chunkSize = 500 }
            defer { client.close() }
            var options = UpsertOptions()
            options.wait = true
            let job = try client.beginUpsert(options)
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feed(jobContacts("wait", 0..<1200))
            let report = try job.finish()
            expectExact(report, collector, rows: 1200)
            #expect(report.accepted == 1200)
            let ids = (1...1200).compactMap { report.outcome(row: $0)?.contactId }
            #expect(ids.count == 1200)
            #expect(Set(ids).count == 1200)
            let contact = try client.getContact(id: ids[0])
            #expect(contact.contains(jobEmail("wait", 0)))
            let summary = report.summaryJSON()
            #expect(summary.contains("\"importStatus\":\"FINISHED\""))
        }
    }

    @Test func otherMatchKeysMapContactIdsToo() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "20"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            for dedupe in [DedupeKey.sms, .externalCustomerId, .emailOrSms] {
                var options = UpsertOptions()
                options.dedupeOn = dedupe
                options.wait = true
                let job = try client.beginUpsert(options)
                var array = "["
                for n in 0..<50 {
                    if n > 0 { array += "," }
                    array += #"{"externalCustomerId":"\#(dedupe.rawValue)-\#(n)","channels":[{"type":"sms","value":"+38 (050) 100-\#(String(1000 + n))"}]}"#
                }
                array += "]"
                var feedError: YespoError? = nil
                Array(array.utf8).withUnsafeBytes { raw in
                    do throws(YespoError) { try job.feedJSONArray(raw) } catch { feedError = error }
                }
                #expect(feedError == nil)
                let report = try job.finish()
                #expect(report.accepted == 50, "\(dedupe): \(String(decoding: report.rowsNDJSON(kinds: [.invalid, .rejected]), as: UTF8.self).prefix(400))")
                let ids = (1...50).compactMap { report.outcome(row: $0)?.contactId }
                #expect(ids.count == 50, "\(dedupe): \(ids.count) contact ids")
            }
        }
    }

    @Test func importErrorRejectsTheRowsWithTheDescription() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            _ = try emu.adminText("POST", "/faults", body: #"{"seed":1,"rules":[{"method":"POST","path":"/api/v1/contacts","count":1,"action":"importError"}]}"#)
            let client = try jobClient(emu) { $0.chunkSize = 10; $0.concurrency = 1 }
            defer { client.close() }
            var options = UpsertOptions()
            options.wait = true
            let job = try client.beginUpsert(options)
            try job.feed(jobContacts("ierr", 0..<20))
            let report = try job.finish()
            #expect(report.rejected == 10 && report.accepted == 10)
            let rejected = (1...20).compactMap { report.outcome(row: $0) }.filter { $0.kind == .rejected }
            #expect(rejected.allSatisfy { $0.reason?.contains("ERROR") == true })
        }
    }

    @Test func dryRunSendsNothing() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            var options = UpsertOptions()
            options.dryRun = true
            let job = try client.beginUpsert(options)
            try job.feed(jobContacts("dry", 0..<5000) + Array("{\"channels\":[]}\n".utf8))
            let report = try job.finish()
            #expect(report.accepted == 5000 && report.invalid == 1)
            #expect(report.outcome(row: 1)?.asyncSessionId == nil)
            #expect(report.summaryJSON().contains("\"dryRun\":true"))
            #expect(try emu.stat("requests") == 0)
        }
    }

    @Test func resumeSkipsRecordedRows() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            var options = UpsertOptions()
            var recorded: [Int: ResumeState.Recorded] = [:]
            for row in 1...600 { recorded[row] = .init(kind: .accepted, asyncSessionId: "earlier") }
            recorded[601] = .init(kind: .notSent, reason: "cancelled")   // not final: sent again
            options.resume = ResumeState(rows: recorded)
            let job = try client.beginUpsert(options)
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feed(jobContacts("res", 0..<1000))
            let report = try job.finish()
            expectExact(report, collector, rows: 1000)
            #expect(report.accepted == 1000)
            #expect(report.outcome(row: 5)?.asyncSessionId == "earlier")
            #expect(try emu.stat("contactsReceived") == 400)
        }
    }

    @Test func badInputIsReportedNotCrashed() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            // empty input
            let empty = try client.beginUpsert(UpsertOptions())
            try empty.feed([])
            let emptyReport = try empty.finish()
            #expect(emptyReport.rows == 0 && emptyReport.complete)
            #expect(throws: YespoError.self) { try empty.finish() }
            #expect(throws: YespoError.self) { try empty.feed("{}") }

            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            var bytes = Array(#"{"channels":[{"type":"email","value":"ok@example.com"}]}"#.utf8) + [0x0A]
            bytes += Array(#"{"firstName":"Bad"#.utf8) + [0x0A]                                        // malformed
            bytes += Array(#"{"channels":[{"type":"email","value":"x"#.utf8) + [0xFF, 0xFE] + Array(#"@e.com"}]}"#.utf8) + [0x0A]
            bytes += Array("[1,2]\n".utf8)                                                               // not an object
            bytes += Array(#"{"channels":[{"type":"fax","value":"1"}]}"#.utf8) + [0x0A]
            try job.feed(bytes)
            var arrayError: YespoError? = nil
            Array("[{\"a\":1},".utf8).withUnsafeBytes { raw in
                do throws(YespoError) { try job.feedJSONArray(raw) } catch { arrayError = error }
            }
            #expect(arrayError?.code == .invalidInput)
            let report = try job.finish()
            expectExact(report, collector, rows: 5)
            #expect(report.accepted == 1 && report.invalid == 4)
            let rows = String(decoding: report.rowsNDJSON(kinds: [.invalid]), as: UTF8.self)
            #expect(rows.split(separator: "\n").count == 4)
            #expect(rows.contains("\"row\":2"))
        }
    }
}

/// Rows per chunk, from the report's summary.
func chunkRows(_ report: UpsertReport) -> [Int] {
    guard case .success(let doc) = JSONDocument.parse(report.summaryJSON()) else { return [] }
    return (doc.root["chunks"]?.elements ?? []).compactMap { $0["rows"]?.int64 }.map { Int($0) }
}
