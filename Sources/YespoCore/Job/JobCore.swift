// The state of one bulk upsert job, shared by three kinds of threads: the caller's feeding
// thread (prepares rows, plans chunks, waits for queue space), the transport's engine thread
// (request completions) and the job's callback thread (outcome batches, progress, import polls).
// Feed-side state is guarded by `feedLock`; everything else by `monitor`, taken once per chunk or
// batch. The `stopped` flag is atomic so the per-row path never takes a lock.
import Synchronization

final class JobCore: @unchecked Sendable {
    // Immutable after init.
    let options: UpsertOptions
    let settings: ClientSettings
    let transport: Transport
    let log: LogSink
    /// Masks the API key in every server-derived text the job reports.
    let redactor: SecretRedactor
    let preparer: ContactPreparer
    let template: BodyTemplate
    let startNs: UInt64
    let statsAtStart: TransportStats
    /// The shared budget as it stood when the job began (nil without one), for the report.
    let sharedBudgetMark: SharedBudget.Mark?
    let maxQueued: Int
    /// Contacts per request (settings.chunkSize, at most 3000).
    let chunkRows: Int
    let stopped = Atomic<Bool>(false)

    // Feed side (feedLock). Touched for every row, always under the feed lock, so without the
    // runtime's exclusivity checks (they cost more than the rest of accepting a row).
    let feedLock = JobMonitor()
    @exclusivity(unchecked) var builder: ChunkBuilder
    @exclusivity(unchecked) var loose: [RowOutcome] = []
    @exclusivity(unchecked) var looseBytes: [Int: [UInt8]] = [:]
    @exclusivity(unchecked) var rowsSeen = 0
    var inputClosed = false
    @exclusivity(unchecked) var resumeTracker: ResumeOrderTracker

    // Shared (monitor).
    let monitor = JobMonitor()
    // Per-row work under the monitor (a chunk's outcomes, the gate's keys): no exclusivity checks.
    @exclusivity(unchecked) var store = OutcomeStore()
    var queue: [Chunk] = []
    /// Bodies of chunks whose sending ended, on their way back to the builder for reuse.
    var sentBodies: [[UInt8]] = []
    var queueHead = 0
    var active: [Int: ActiveChunk] = [:]
    var chunksSending = 0
    var liveParts: [Int: RequestTicket?] = [:]
    var nextPartId = 0
    var imports: [ImportWait] = []
    var outbox: [OutcomeBatch] = []
    var chunkRecords: [ChunkRecord] = []
    var progressHandler: (@Sendable (UpsertProgress) -> Void)?
    var progressIntervalNs: UInt64 = 500_000_000
    var outcomeHandler: (@Sendable (OutcomeBatch) -> Void)?
    var rowsRead = 0
    var rowsSent = 0
    var chunksSent = 0
    var chunksDone = 0
    var requests = 0
    var retries = 0
    var bytesSent = 0
    var fatal: YespoError?
    var cancelled = false
    var ticketsCancelled = false
    var done = false
    /// Set by finish() when the outcome store moves to the report.
    var finalProgress: UpsertProgress? = nil
    var closing = false
    var finished = false
    var callbackThread: JobThread?
    /// Holds back rows whose earlier twin is unacknowledged (see WriteOrderGate).
    @exclusivity(unchecked) var gate: WriteOrderGate
    /// Chunk indices in sending order, catch-up chunks included (assigned under the monitor).
    var nextChunkIndex = 0
    /// finish() closed the input: held rows may leave in small catch-up chunks.
    var inputEnded = false
    /// failedContacts entries the job could not tie to one row (never guessed): chunk and reason.
    var unmappedFailures: [(chunk: Int, reason: String)] = []
    /// How each fed file was read (format, encoding, delimiter, column mapping), for the report.
    var inputs: [InputDescription] = []
    var unmappedFailureCount = 0
    /// Rows accepted on a "Duplicated request" answer (an earlier identical request was applied).
    var acceptedByDuplicate = 0

    init(options: UpsertOptions, settings: ClientSettings, transport: Transport, log: LogSink) {
        self.options = options
        self.settings = settings
        self.transport = transport
        self.log = log
        self.redactor = SecretRedactor(secret: settings.apiKey)
        self.preparer = ContactPreparer(options: options, keepsDedupeValues: options.waitsForImports && !options.dryRun)
        self.resumeTracker = ResumeOrderTracker(resume: options.resume)
        self.template = BodyTemplate(options: options)
        self.startNs = monotonicNs()
        self.statsAtStart = transport.stats()
        self.sharedBudgetMark = transport.sharedBudgets.link?.mark()
        self.maxQueued = max(1, settings.maxQueuedChunks ?? max(1, settings.concurrency))
        self.chunkRows = max(1, min(settings.chunkSize, 3000))
        self.builder = ChunkBuilder(template: template, maxRows: chunkRows,
                                    maxBytes: settings.chunkBytes, keepDedupeValues: options.waitsForImports && !options.dryRun)
        self.gate = WriteOrderGate(heldLimit: max(chunkRows, 1000))
    }

    deinit { builder.free() }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Outcome batches waiting for the handler before feeding blocks.
    static var maxPendingBatches: Int { 64 }

    // MARK: feeding (caller's thread, feedLock held)

    struct StopFeeding: Error {}

    /// A row ready to send, borrowed from the input stage (the hot path: its bytes go straight
    /// into the chunk's body). Throws StopFeeding once the job stopped.
    func acceptReady(_ ready: ReadyRow) throws {
        if isStopped { throw StopFeeding() }
        rowsSeen = max(rowsSeen, ready.row)
        if !resumed(ready.row, keys: ready.orderKeys) {
            if options.resume != nil { resumeTracker.sending(row: ready.row, ready.orderKeys) }
            let closed = builder.add(ready, superseded: { outcome, bytes in
                loose.append(outcome)
                looseBytes[outcome.row] = bytes
            }, tooLarge: { outcome in
                loose.append(outcome)
                looseBytes[outcome.row] = Array(UnsafeRawBufferPointer(rebasing: ready.json.prefix(OutcomeStore.maxBytesPerRow)))
            })
            if let closed { try hand(closed) }
        }
        if loose.count >= 2048 { try hand(nil) }
    }

    /// A row the input stage refused.
    func acceptInvalid(row: Int, reason: String, raw: [UInt8]) throws {
        if isStopped { throw StopFeeding() }
        rowsSeen = max(rowsSeen, row)
        if !resumed(row, keys: nil) {
            loose.append(RowOutcome(row: row, kind: .invalid, reason: reason))
            if !raw.isEmpty { looseBytes[row] = raw }
        }
        if loose.count >= 2048 { try hand(nil) }
    }

    /// With resume: a row the earlier run recorded (and need not send again) is announced again
    /// as recorded; true then.
    private func resumed(_ row: Int, keys: OrderKeys?) -> Bool {
        guard let resume = options.resume, let recorded = resume.rows[row], recorded.kind != .notSent,
              !resumeTracker.mustResend(keys, recorded: recorded) else { return false }
        loose.append(RowOutcome(row: row, kind: recorded.kind, reason: recorded.reason, asyncSessionId: recorded.asyncSessionId))
        return true
    }

    /// Publishes the loose outcomes gathered so far and, when given, queues a closed chunk —
    /// waiting while `maxQueued` chunks already wait (the backpressure that bounds memory).
    func hand(_ chunk: Chunk?) throws {
        let batch = loose, bytes = looseBytes
        loose = []
        looseBytes = [:]
        var parts: [ChunkPart] = []
        var stoppedNow = false
        monitor.withLock {
            for body in sentBodies { builder.takeBack(body) }
            sentBodies.removeAll(keepingCapacity: true)
            rowsRead = max(rowsRead, rowsSeen)
            publishLocked(batch, bytes: bytes, chunkIndex: nil)
            if var chunk {
                chunk.index = nextChunkIndex
                nextChunkIndex += 1
                if options.dryRun {
                    planOnlyLocked(chunk)
                } else {
                    // Also wait for a slow outcome handler: batches it has not taken yet count
                    // as memory too.
                    while (queue.count - queueHead >= maxQueued || outbox.count >= Self.maxPendingBatches)
                            && fatal == nil && !cancelled && !closing {
                        monitor.wait()
                    }
                    if fatal != nil || cancelled {
                        notSentLocked(chunk)
                        stoppedNow = true
                    } else {
                        queue.append(chunk)
                        parts = takeDispatchableLocked()
                    }
                }
            }
            monitor.broadcast()
        }
        submit(parts)
        if stoppedNow { throw StopFeeding() }
    }

    /// Records rows that never entered a chunk and queues them for the outcome handler.
    func publishLocked(_ rows: [RowOutcome], bytes: [Int: [UInt8]], chunkIndex: Int?) {
        guard !rows.isEmpty else { return }
        for outcome in rows { store.record(outcome, bytes: bytes[outcome.row]) }
        if outcomeHandler != nil { outbox.append(OutcomeBatch(chunkIndex: chunkIndex, asyncSessionId: nil, rows: rows)) }
    }

    /// dryRun: the chunk is planned and its rows reported accepted without a session.
    func planOnlyLocked(_ chunk: Chunk) {
        recycleLocked(chunk.body)
        for row in chunk.rows { store.record(row: row, kind: .accepted, session: 0) }
        chunksSent += 1
        chunksDone += 1
        chunkRecords.append(ChunkRecord(index: chunk.index, rows: chunk.count, firstRow: chunk.rows.min() ?? 0,
                                        lastRow: chunk.rows.max() ?? 0, status: .accepted, asyncSessionId: nil,
                                        attempts: 0, importStatus: nil))
        if outcomeHandler != nil {
            outbox.append(OutcomeBatch(chunkIndex: chunk.index, asyncSessionId: nil,
                                       rows: chunk.rows.map { RowOutcome(row: $0, kind: .accepted) }))
        }
    }

    /// Gives a body whose sending ended back to the builder (through `hand`), a few at most.
    func recycleLocked(_ body: [UInt8]) {
        if sentBodies.count < 4 { sentBodies.append(body) }
    }

    /// A chunk that will never be sent: every row notSent with the reason the job stopped.
    func notSentLocked(_ chunk: Chunk) {
        let reason = stopReasonLocked()
        let rows = chunk.rows.map { RowOutcome(row: $0, kind: .notSent, reason: reason) }
        for outcome in rows { store.record(outcome) }
        chunkRecords.append(ChunkRecord(index: chunk.index, rows: chunk.count, firstRow: chunk.rows.min() ?? 0,
                                        lastRow: chunk.rows.max() ?? 0, status: .notSent, asyncSessionId: nil,
                                        attempts: 0, importStatus: nil))
        if outcomeHandler != nil { outbox.append(OutcomeBatch(chunkIndex: chunk.index, asyncSessionId: nil, rows: rows)) }
        chunksDone += 1
    }

    func stopReasonLocked() -> String {
        if let fatal, fatal.code != .cancelled { return "not sent: the job stopped (\(fatal.message))" }
        return "not sent: the job was cancelled"
    }

    // MARK: stopping

    /// Stops the job: nothing more is sent; chunks still queued become notSent. With
    /// `abandonInFlight`, requests on the wire are cancelled too (401/403: they would fail anyway).
    /// Returns the tickets to cancel, which the caller cancels after releasing the monitor.
    func stopLocked(_ error: YespoError, abandonInFlight: Bool) -> [RequestTicket] {
        if fatal == nil || (fatal?.code == .cancelled && error.code != .cancelled) { fatal = error }
        if error.code == .cancelled { cancelled = true }
        stopped.store(true, ordering: .relaxed)
        while queueHead < queue.count {
            notSentLocked(queue[queueHead])
            queueHead += 1
        }
        queue = []
        queueHead = 0
        let reason = stopReasonLocked()
        publishLocked(gate.drain().map { RowOutcome(row: $0.row, kind: .notSent, reason: reason) }, bytes: [:], chunkIndex: nil)
        resolveAllImportsLocked()
        monitor.broadcast()
        return abandonInFlight ? takeTicketsLocked() : []
    }

    func takeTicketsLocked() -> [RequestTicket] {
        ticketsCancelled = true
        return liveParts.values.compactMap { $0 }
    }

    func cancel() {
        let tickets = monitor.withLock { () -> [RequestTicket] in
            guard !done else { return [] }
            return stopLocked(YespoError(.cancelled, "the job was cancelled"), abandonInFlight: false)
        }
        for ticket in tickets { transport.cancel(ticket) }
    }
}

/// The job as the input stage's sink: rows go straight into the chunk being built.
struct JobRowSink: RowSink {
    let core: JobCore
    func ready(_ row: ReadyRow) throws { try core.acceptReady(row) }
    func invalid(row: Int, reason: String, raw: [UInt8]) throws { try core.acceptInvalid(row: row, reason: reason, raw: raw) }
}
