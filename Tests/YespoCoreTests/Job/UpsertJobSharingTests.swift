// Jobs fed from files, several jobs at once on one client, and a client closed under a running
// job: every row still ends with exactly one outcome.
import Glibc
import Synchronization
import Testing
@testable import YespoCore

/// A file under /tmp removed by the test.
func jobTempFile(_ contents: [UInt8], suffix: String) throws -> String {
    var template = Array("/tmp/yespo-job-XXXXXX\(suffix)".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
        guard let base = buffer.baseAddress else { return -1 }
        return mkstemps(base, Int32(suffix.utf8.count))
    }
    guard fd >= 0 else { throw TestSetupError("mkstemps failed") }
    _ = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

@Suite("Upsert jobs: files, sharing, closing", .serialized)
struct UpsertJobSharingTests {
    @Test func feedsCSVAndNDJSONFiles() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            var csv = "First name,Last name,Email,Sms\r\n"
            for n in 0..<2500 { csv += "F\(n),L,\(jobEmail("csv", n)),\r\n" }
            csv += "Broken,Row,not-an-email,\r\n"
            let csvPath = try jobTempFile(Array(csv.utf8), suffix: ".csv")
            let ndjsonPath = try jobTempFile(jobContacts("file", 0..<1500), suffix: ".ndjson")
            defer { unlink(csvPath); unlink(ndjsonPath) }
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feedFile(path: csvPath, options: FileOptions())
            try job.feedFile(path: ndjsonPath, options: FileOptions())
            #expect(throws: YespoError.self) { try job.feedFile(path: "/nonexistent/x.csv", options: FileOptions()) }
            let report = try job.finish()
            expectExact(report, collector, rows: 4001)
            #expect(report.accepted == 4000 && report.invalid == 1)
            #expect(report.outcome(row: 2501)?.kind == .invalid)
            #expect(report.outcome(row: 2502)?.kind == .accepted)   // the NDJSON file continues the numbering
            let emails = try emulatorEmails(emu)
            #expect(emails[jobEmail("csv", 2499)] == 1 && emails[jobEmail("file", 1499)] == 1)
        }
    }

    @Test func parallelJobsShareOneClient() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--latency-ms", "5"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 4; $0.chunkSize = 400 }
            defer { client.close() }
            let failures = Atomic<Int>(0)
            var threads: [JobThread] = []
            for t in 0..<4 {
                threads.append(try JobThread(name: "job\(t)") {
                    do {
                        let job = try client.beginUpsert(UpsertOptions())
                        try job.feed(jobContacts("par\(t)", 0..<3000))
                        let report = try job.finish()
                        if report.accepted != 3000 { failures.add(1, ordering: .relaxed) }
                        _ = try client.searchContacts(#"{"lastname":"Test","maxrows":1}"#)
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                })
            }
            for thread in threads { thread.join() }
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(try emu.stat("maxInFlightBulk") <= 4)
            #expect(try emulatorEmails(emu).count == 12_000)
        }
    }

    @Test func aSlowOutcomeHandlerSlowsTheFeedInsteadOfQueueingWithoutEnd() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu) { $0.chunkSize = 20; $0.concurrency = 8 }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            let handled = Atomic<Int>(0)
            let widestGap = Atomic<Int>(0)
            job.setOutcomeHandler { batch in
                usleep(3000)
                let done = handled.add(batch.rows.count, ordering: .relaxed).newValue
                widestGap.max(job.progress().rowsRead - done, ordering: .relaxed)
            }
            try job.feed(jobContacts("slow", 0..<6000))
            let report = try job.finish()
            #expect(report.accepted == 6000)
            #expect(handled.load(ordering: .relaxed) == 6000)   // every row handed over before finish returned
            // Read but not yet handed over: queued + in flight + the pending batches (64, plus the 8
            // in-flight chunks that may finish while the feed waits) + as many taken at once by the
            // handler thread + the chunk being built and the row that closed it — not the whole
            // input (6000). A fast feed reaches this bound exactly.
            #expect(widestGap.load(ordering: .relaxed) <= (16 + 8 + 2 * (64 + 8) + 1) * 20 + 1)
        }
    }

    @Test func closingTheClientStopsARunningJob() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--latency-ms", "100"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 2; $0.chunkSize = 200 }
            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            let closer = try JobThread(name: "closer") {
                while job.progress().chunksSent == 0 { usleep(1000) }
                usleep(20_000)
                client.close()
            }
            var feedError: YespoError? = nil
            do throws(YespoError) { try job.feed(jobContacts("close", 0..<20_000)) } catch { feedError = error }
            closer.join()
            let report = try job.finish()
            #expect(feedError?.code == .cancelled)
            expectExact(report, collector, rows: report.rows)
            #expect(report.notSent > 0)
            #expect(throws: YespoError.self) { try client.beginUpsert(UpsertOptions()) }
        }
    }
}
