// Scale: a million contacts streamed through one job in bounded memory, and the engine's CPU cost
// per 100,000 contacts against a zero-latency emulator. `make test-swift` runs this suite alone:
// RSS is the whole process's, and other suites' inputs counted too. Numbers are printed, only generous bounds
// are asserted (no wall-clock assertions).
import Glibc
import Synchronization
import Testing
@testable import YespoCore

@Suite("Upsert job at scale", .serialized)
struct UpsertJobScaleTests {
    /// Set YESPO_SCALE_ROWS to change the size (default 1,000,000 in release builds; 300,000 in
    /// debug builds, where the million takes ~45 s and would dominate `make test`).
    static var streamRows: Int {
        if let text = getenv("YESPO_SCALE_ROWS"), let n = Int(String(cString: text)), n > 0 { return n }
        #if DEBUG
        return 300_000
        #else
        return 1_000_000
        #endif
    }

    @Test func aLargeStreamStaysInBoundedMemory() throws {
        let total = Self.streamRows
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "0"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 4 }
            defer { client.close() }
            let rssBefore = peakRSSMiB()
            let job = try client.beginUpsert(UpsertOptions())
            let collector = OutcomeCounter()
            collector.attach(job)
            let rssAtStart = currentRSSMiB()
            let rssPeak = Atomic<Int>(rssAtStart)
            job.setProgressHandler(intervalMs: 20) { _ in
                rssPeak.max(currentRSSMiB(), ordering: .relaxed)
            }
            var start = 0
            while start < total {
                let end = min(total, start + 20_000)
                try job.feed(jobContacts("m", start..<end))
                start = end
            }
            let report = try job.finish()
            let rssAfter = peakRSSMiB()
            let duringPeak = rssPeak.load(ordering: .relaxed)
            print("[scale] \(total) contacts: RSS \(rssAtStart) MiB at start, \(duringPeak) MiB peak while streaming "
                  + "(process high-water \(rssBefore) → \(rssAfter) MiB); \(report.elapsedMs) ms, \(report.requests) requests")
            #expect(duringPeak - rssAtStart < 400)
            #expect(report.accepted == total)
            #expect(report.complete)
            #expect(collector.rows == total)
            #expect(try emu.stat("contactsReceived") == total)
            // Bounded: queued chunks (concurrency) and in-flight ones, plus ~5 bytes a row of report.
            #expect(rssAfter - rssBefore < 400)
        }
    }

    @Test func engineCPUPer100kContacts() throws {
        let rows = 100_000
        let pieces = stride(from: 0, to: rows, by: 10_000).map { jobContacts("cpu", $0..<($0 + 10_000)) }
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "0"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 8 }
            defer { client.close() }
            let engineBefore = client.transport.engineCPUMicros
            let cpuBefore = processCPUMicros()
            let job = try client.beginUpsert(UpsertOptions())
            for piece in pieces { try job.feed(piece) }
            let report = try job.finish()
            let cpu = processCPUMicros() - cpuBefore
            let engine = client.transport.engineCPUMicros - engineBefore
            print("[cpu] \(rows) contacts: process \(cpu / 1000) ms CPU (\(cpu * 100_000 / rows / 1000) ms per 100k, "
                  + "\(Double(cpu) / Double(rows)) µs a contact), engine thread \(engine / 1000) ms, wall \(report.elapsedMs) ms")
            #expect(report.accepted == rows)
        }
    }
}

extension UpsertJobScaleTests {
    /// The CPU of validating, de-duplicating and planning alone (dryRun: no HTTP), for comparison
    /// with the full cost above.
    @Test func planningCPUPer100kContacts() throws {
        let rows = 100_000
        let pieces = stride(from: 0, to: rows, by: 10_000).map { jobContacts("plan", $0..<($0 + 10_000)) }
        var settings = ClientSettings(apiKey: "test-key")
        settings.baseURL = "http://127.0.0.1:9/api/v1"
        let client = try YespoClient(settings: settings)
        defer { client.close() }
        var options = UpsertOptions()
        options.dryRun = true
        let cpuBefore = processCPUMicros()
        let job = try client.beginUpsert(options)
        for piece in pieces { try job.feed(piece) }
        let report = try job.finish()
        let cpu = processCPUMicros() - cpuBefore
        print("[cpu] planning only (dryRun) \(rows) contacts: \(cpu / 1000) ms CPU, \(Double(cpu) / Double(rows)) µs a contact")
        #expect(report.accepted == rows)
    }
}

/// Counts announced rows without keeping them (for very large jobs).
final class OutcomeCounter: @unchecked Sendable {
    private let lock = JobMonitor()
    private var count = 0
    var rows: Int { lock.withLock { count } }
    func attach(_ job: UpsertJob) {
        job.setOutcomeHandler { batch in self.lock.withLock { self.count += batch.rows.count } }
    }
}
