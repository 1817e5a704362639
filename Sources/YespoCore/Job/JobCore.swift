// The state of one bulk upsert job, shared by three kinds of threads: the caller's feeding
// thread (prepares rows, plans chunks, waits for queue space), the transport's engine thread
// (request completions) and the job's callback thread (outcome batches, progress, import polls).
// Feed-side state is guarded by `feedLock`; everything else by `monitor`, taken once per chunk or
// batch. The `stopped` flag is atomic so the per-row path never takes a lock. The counters, the
// sending state, the life flags and the callbacks are owned parts (JobState.swift).
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
    /// What the rows are (options.kind), and the preparers of the other kinds.
    let kind: JobKind
    let orderPreparer: OrderPreparer
    let eventPreparer: EventPreparer
    /// Where the kind's requests go: nil = the client's (v1) base URL; the v2 base for events.
    let requestBaseURL: String?
    let template: BodyTemplate
    let startNs: UInt64
    let statsAtStart: TransportStats
    /// The shared budget as it stood when the job began (nil without one), for the report.
    let sharedBudgetMark: SharedBudget.Mark?
    let maxQueued: Int
    /// Rows per request (settings.chunkSize, at most the kind's limit: 3000 contacts, 1000 orders, 1 event).
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
    var counts = JobCounters()
    var sending = JobSendingState()
    var life = JobLifeState()
    var callbacks = JobCallbackState()
    let monitor = JobMonitor()
    // Per-row work under the monitor (a chunk's outcomes, the gate's keys): no exclusivity checks.
    @exclusivity(unchecked) var store = OutcomeStore()
    /// Holds back rows whose earlier twin is unacknowledged (see WriteOrderGate).
    @exclusivity(unchecked) var gate: WriteOrderGate
    /// How each fed file was read (format, encoding, delimiter, column mapping), for the report.
    var inputs: [InputDescription] = []

    init(options: UpsertOptions, settings: ClientSettings, transport: Transport, log: LogSink, requestBaseURL: String? = nil) {
        self.options = options
        self.settings = settings
        self.transport = transport
        self.log = log
        self.redactor = SecretRedactor(secret: settings.apiKey)
        self.preparer = ContactPreparer(options: options, keepsDedupeValues: options.waitsForImports && !options.dryRun)
        self.kind = options.kind
        self.orderPreparer = OrderPreparer(options: options)
        self.eventPreparer = EventPreparer(options: options)
        self.requestBaseURL = requestBaseURL
        self.resumeTracker = ResumeOrderTracker(resume: options.resume)
        self.template = BodyTemplate(options: options)
        self.startNs = monotonicNs()
        self.statsAtStart = transport.stats()
        self.sharedBudgetMark = transport.sharedBudgets.link?.mark()
        self.maxQueued = max(1, settings.maxQueuedChunks ?? max(1, settings.concurrency))
        self.chunkRows = max(1, min(settings.chunkSize, options.kind.maxRowsPerRequest))
        self.builder = ChunkBuilder(template: template, maxRows: chunkRows,
                                    maxBytes: settings.chunkBytes, keepDedupeValues: options.waitsForImports && !options.dryRun,
                                    rowNoun: options.kind.rowNoun)
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
            for body in sending.sentBodies { builder.takeBack(body) }
            sending.sentBodies.removeAll(keepingCapacity: true)
            counts.rowsRead = max(counts.rowsRead, rowsSeen)
            publishLocked(batch, bytes: bytes, chunkIndex: nil)
            if var chunk {
                chunk.index = sending.nextChunkIndex
                sending.nextChunkIndex += 1
                if options.dryRun {
                    planOnlyLocked(chunk)
                } else {
                    // Also wait for a slow outcome handler: batches it has not taken yet count
                    // as memory too.
                    while (sending.queue.count - sending.queueHead >= maxQueued || callbacks.outbox.count >= Self.maxPendingBatches)
                            && life.fatal == nil && !life.cancelled && !life.closing {
                        monitor.wait()
                    }
                    if life.fatal != nil || life.cancelled {
                        notSentLocked(chunk)
                        stoppedNow = true
                    } else {
                        sending.queue.append(chunk)
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
        if callbacks.outcomeHandler != nil { callbacks.outbox.append(OutcomeBatch(chunkIndex: chunkIndex, asyncSessionId: nil, rows: rows)) }
    }

    /// dryRun: the chunk is planned and its rows reported accepted without a session.
    func planOnlyLocked(_ chunk: Chunk) {
        recycleLocked(chunk.body)
        for row in chunk.rows { store.record(row: row, kind: .accepted, session: 0) }
        counts.chunksSent += 1
        counts.chunksDone += 1
        sending.chunkRecords.append(ChunkRecord(index: chunk.index, rows: chunk.count, firstRow: chunk.rows.min() ?? 0,
                                        lastRow: chunk.rows.max() ?? 0, status: .accepted, asyncSessionId: nil,
                                        attempts: 0, importStatus: nil))
        if callbacks.outcomeHandler != nil {
            callbacks.outbox.append(OutcomeBatch(chunkIndex: chunk.index, asyncSessionId: nil,
                                       rows: chunk.rows.map { RowOutcome(row: $0, kind: .accepted) }))
        }
    }

    /// Gives a body whose sending ended back to the builder (through `hand`), a few at most.
    func recycleLocked(_ body: [UInt8]) {
        if sending.sentBodies.count < 4 { sending.sentBodies.append(body) }
    }

    /// A chunk that will never be sent: every row notSent with the reason the job stopped.
    func notSentLocked(_ chunk: Chunk) {
        let reason = stopReasonLocked()
        let rows = chunk.rows.map { RowOutcome(row: $0, kind: .notSent, reason: reason) }
        for outcome in rows { store.record(outcome) }
        sending.chunkRecords.append(ChunkRecord(index: chunk.index, rows: chunk.count, firstRow: chunk.rows.min() ?? 0,
                                        lastRow: chunk.rows.max() ?? 0, status: .notSent, asyncSessionId: nil,
                                        attempts: 0, importStatus: nil))
        if callbacks.outcomeHandler != nil { callbacks.outbox.append(OutcomeBatch(chunkIndex: chunk.index, asyncSessionId: nil, rows: rows)) }
        counts.chunksDone += 1
    }

    func stopReasonLocked() -> String {
        if let fatal = life.fatal, fatal.code != .cancelled { return "not sent: the job stopped (\(fatal.message))" }
        return "not sent: the job was cancelled"
    }

    // MARK: stopping

    /// Stops the job: nothing more is sent; chunks still queued become notSent. With
    /// `abandonInFlight`, requests on the wire are cancelled too (401/403: they would fail anyway).
    /// Returns the tickets to cancel, which the caller cancels after releasing the monitor.
    func stopLocked(_ error: YespoError, abandonInFlight: Bool) -> [RequestTicket] {
        if life.fatal == nil || (life.fatal?.code == .cancelled && error.code != .cancelled) { life.fatal = error }
        if error.code == .cancelled { life.cancelled = true }
        stopped.store(true, ordering: .relaxed)
        while sending.queueHead < sending.queue.count {
            notSentLocked(sending.queue[sending.queueHead])
            sending.queueHead += 1
        }
        sending.queue = []
        sending.queueHead = 0
        let reason = stopReasonLocked()
        publishLocked(gate.drain().map { RowOutcome(row: $0.row, kind: .notSent, reason: reason) }, bytes: [:], chunkIndex: nil)
        resolveAllImportsLocked()
        monitor.broadcast()
        return abandonInFlight ? takeTicketsLocked() : []
    }

    func takeTicketsLocked() -> [RequestTicket] {
        life.ticketsCancelled = true
        return sending.liveParts.values.compactMap { $0 }
    }

    func cancel() {
        let tickets = monitor.withLock { () -> [RequestTicket] in
            guard !life.done else { return [] }
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
