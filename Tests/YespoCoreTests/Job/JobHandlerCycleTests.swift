// Found by `make sanitize` (LeakSanitizer): an outcome handler that reads its own job's progress
// (UpsertJobSharingTests' slow-handler test) kept job → handler → job alive forever, with the
// job's 1 MiB chunk buffer. The callback thread now drops the handlers when the job ends.
import Glibc
import Synchronization
import Testing
@testable import YespoCore

@Suite("Job handlers do not keep their job alive", .serialized)
struct JobHandlerCycleTests {
    @Test func aJobWhoseHandlersCaptureItIsFreedAfterFinish() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu) { $0.chunkSize = 10 }
            defer { client.close() }
            weak var weakCore: JobCore?
            do {
                let job = try client.beginUpsert(UpsertOptions())
                weakCore = job.core
                job.setOutcomeHandler { _ in _ = job.progress() }
                job.setProgressHandler(intervalMs: 5) { _ in _ = job.progress() }
                try job.feed(jobContacts("cycle", 0..<50))
                let report = try job.finish()
                #expect(report.accepted == 50)
            }
            // the transport's engine thread may drop its last completion a moment later
            var waitedMs = 0
            while weakCore != nil && waitedMs < 3000 { usleep(10_000); waitedMs += 10 }
            #expect(weakCore == nil, "the job outlived its last reference: a handler still holds it")
        }
    }

    /// The header's promise: progress and outcome batches arrive on the job's callback thread,
    /// never on the engine thread that drives every transfer of the client.
    @Test func handlersNeverRunOnTheEngineThread() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu) { $0.chunkSize = 100 }
            defer { client.close() }
            let job = try client.beginUpsert(UpsertOptions())
            let threads = Mutex<Set<String>>([])
            job.setProgressHandler(intervalMs: 10) { _ in threads.withLock { _ = $0.insert(currentThreadName()) } }
            job.setOutcomeHandler { _ in threads.withLock { _ = $0.insert(currentThreadName()) } }
            try job.feed(jobContacts("threads", 0..<1000))
            _ = try job.finish()
            #expect(threads.withLock { $0 } == ["yespo-job"])
        }
    }
}
