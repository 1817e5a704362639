// What a yespo_job handle stands for: the engine job and the client box it came from (kept alive
// by this strong reference), plus the "finish runs once" rule of the header.
import Synchronization
import YespoCore

final class JobBox: Sendable {
    let job: UpsertJob
    let clientBox: ClientBox
    private let finishStarted = Atomic<Bool>(false)

    init(job: UpsertJob, clientBox: ClientBox) {
        self.job = job
        self.clientBox = clientBox
    }

    /// The engine job, unless its client was freed.
    func open() throws(YespoError) -> UpsertJob {
        guard !clientBox.isClosed else { throw YespoError(.state, "the job's client was freed") }
        return job
    }

    /// True for the first caller only.
    func claimFinish() -> Bool {
        finishStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}

final class ReportBox: Sendable {
    let report: UpsertReport
    init(report: UpsertReport) { self.report = report }
}

/// Runs `body` with the live job behind `handle`, mapping NULL/freed handles and errors.
func withJob(_ handle: OpaquePointer?, _ err: UnsafeMutablePointer<OpaquePointer?>?,
             _ body: (JobBox) throws(YespoError) -> Void) -> Int32 {
    switch lookupHandle(handle, .job, as: JobBox.self) {
    case .null:
        return abiCall(err) { () throws(YespoError) in throw invalidArgument("job is NULL") }
    case .bad:
        return abiCall(err) { () throws(YespoError) in
            throw YespoError(.badHandle, "job is not a live yespo_job (already freed?)")
        }
    case .found(let box):
        return abiCall(err, redacting: box.clientBox.apiKey) { () throws(YespoError) in try body(box) }
    }
}
