// The job's shared state in owned parts, each a plain value under the job's monitor: what it has
// done (counts), what is being sent (sending), where it is in its life (life), and who is told
// (callbacks). JobCore holds one of each; the feed side's hot-path state stays on JobCore itself.

/// What the job has done so far, for progress and the report (JobCore.counts; monitor).
struct JobCounters {
    var rowsRead = 0
    var rowsSent = 0
    var chunksSent = 0
    var chunksDone = 0
    var requests = 0
    var retries = 0
    var bytesSent = 0
    /// Rows accepted on a "Duplicated request" answer (an earlier identical request was applied).
    var acceptedByDuplicate = 0
    var unmappedFailureCount = 0
    /// failedContacts entries the job could not tie to one row (never guessed): chunk and reason.
    var unmappedFailures: [(chunk: Int, reason: String)] = []
}

/// Where the job is in its life: stopped, cancelled, finished (JobCore.life; monitor).
struct JobLifeState {
    var fatal: YespoError?
    var cancelled = false
    var ticketsCancelled = false
    var done = false
    var closing = false
    var finished = false
    /// finish() closed the input: held rows may leave in small catch-up chunks.
    var inputEnded = false
    /// Set by finish() when the outcome store moves to the report.
    var finalProgress: UpsertProgress? = nil
}

/// The caller's handlers and the thread that calls them (JobCore.callbacks; monitor).
struct JobCallbackState {
    var progressHandler: (@Sendable (UpsertProgress) -> Void)?
    var progressIntervalNs: UInt64 = 500_000_000
    var outcomeHandler: (@Sendable (OutcomeBatch) -> Void)?
    var callbackThread: JobThread?
    var outbox: [OutcomeBatch] = []
}

/// Chunks on their way: queued, being sent (their parts and tickets), awaiting their imports
/// (JobCore.sending; monitor).
struct JobSendingState {
    var queue: [Chunk] = []
    /// Bodies of chunks whose sending ended, on their way back to the builder for reuse.
    var sentBodies: [[UInt8]] = []
    var queueHead = 0
    var active: [Int: ActiveChunk] = [:]
    var chunksSending = 0
    var liveParts: [Int: RequestTicket?] = [:]
    var nextPartId = 0
    var imports: [ImportWait] = []
    var chunkRecords: [ChunkRecord] = []
    /// Chunk indices in sending order, catch-up chunks included (assigned under the monitor).
    var nextChunkIndex = 0
}
