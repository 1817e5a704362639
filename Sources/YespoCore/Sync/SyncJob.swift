// One incremental sync run: every source row is read, validated and normalised by the input
// stage; its match key and normalised bytes are hashed and compared with the state; only new and
// changed rows go into an ordinary upsert job (so chunking, retries, the budget and the ordering
// contract are the job's). A key's new hash is written to the state only when its row's outcome
// says the server took it (SyncCommit.swift); contacts gone from the source are found and acted on
// after the job (SyncMissing.swift). Feeds are serialised; cancel and progress work from anywhere.
import Glibc
import Synchronization

public final class SyncJob: @unchecked Sendable {
    let options: SyncOptions
    let location: StateLocation
    let client: YespoClient
    let preparer: ContactPreparer
    let redactor: SecretRedactor
    /// The state as the run found it (feeding thread), and the connection that commits
    /// (the job's callback thread, then finish).
    let reader: StateConnection
    let writer: StateConnection?
    /// nil in a dry run: nothing is sent.
    let job: UpsertJob?
    let salt: UInt64
    let contentSeed: UInt64
    /// Keys of every valid source row, kept only when missing contacts are looked for.
    let collectSeen: Bool
    let runId: Int64
    let entriesBefore: Int
    let startNs: UInt64
    let startedMs: Int64
    let optionsChanged: Bool

    /// Serialises feeds; guards `feed`.
    let feedLock = JobMonitor()
    var feed = FeedState()
    /// Shared by the feeding thread and the job's callback thread.
    let shared = Mutex(SharedState())
    let cancelled = Atomic<Bool>(false)
    let finishClaimed = Atomic<Bool>(false)

    /// Rows per lookup batch.
    static let batchRows = 4096
    /// Failed rows listed in the report (all are counted).
    static let maxListedFailures = 1000

    struct FeedState {
        var rows = 0
        var counts = SyncCounts()
        var seen: [Int64] = []
        var failure: YespoError?
    }

    struct Pending {
        var key: Int64
        var hash: Hash128
        var sourceRow: Int
    }

    struct SharedState {
        /// Job row → what it carries, until its outcome arrives.
        var pending: [Int: Pending] = [:]
        /// Keys sent in this run → the highest job row committed for it (0: none yet).
        var sent: [Int64: Int] = [:]
        var outcome = OutcomeCounts()
        var failures: [SyncRowFailure] = []
        var commitError: YespoError?
        /// Accepted entries not yet written (see SyncJob.settle).
        var uncommitted: [StateEntry] = []
        var lastCommitNs: UInt64 = monotonicNs()
    }

    init(client: YespoClient, location: StateLocation, options: SyncOptions) throws(YespoError) {
        let options = try options.validated()
        self.options = options
        self.location = location
        self.client = client
        self.redactor = SecretRedactor(secret: client.settings.apiKey)
        self.preparer = ContactPreparer(options: options.effectiveUpsert)
        self.startNs = monotonicNs()
        self.startedMs = wallClockMs()
        self.collectSeen = options.missing != nil || options.dryRun

        // The state: a dry run reads it if it exists and never creates it.
        var reader: StateConnection
        var writer: StateConnection? = nil
        if options.dryRun {
            do { reader = try location.open(create: false) } catch where error.code == .notFound { reader = EmptyState() }
        } else {
            writer = try location.open(create: true)
            do {
                try writer?.lockForRun()
                reader = try location.open(create: false)
            } catch {
                writer?.close()
                throw error
            }
        }
        self.reader = reader
        self.writer = writer

        do throws(YespoError) {
            var meta = try reader.readMeta()
            if let scheme = meta["keyScheme"], scheme != options.keyScheme {
                throw YespoError(.invalidArgument, "the sync state \(location.display) matches contacts by \(scheme), "
                                 + "but this run matches by \(options.keyScheme): use another state for another matching")
            }
            if meta["salt"] == nil {
                meta["salt"] = String(randomUInt64(), radix: 16)
                meta["format"] = "1"
                meta["keyScheme"] = options.keyScheme
                meta["createdMs"] = String(startedMs)
                if let writer {
                    try writer.writeMeta([("format", "1"), ("salt", meta["salt"] ?? ""), ("keyScheme", options.keyScheme),
                                          ("createdMs", String(startedMs))])
                }
            }
            guard let salt = meta["salt"].flatMap({ UInt64($0, radix: 16) }) else {
                throw YespoError(.invalidInput, "the sync state \(location.display) is damaged (its salt is unreadable)")
            }
            self.salt = salt
            let fingerprint = options.contentFingerprint
            self.optionsChanged = meta["contentOptions"] != nil && meta["contentOptions"] != fingerprint
            self.contentSeed = Murmur3.hash128(fingerprint).low
            self.entriesBefore = try reader.count()
            if let writer {
                try writer.writeMeta([("contentOptions", fingerprint)])
                self.runId = try writer.startRun(startedMs: startedMs, summary: "{}")
                self.job = try client.beginUpsert(options.effectiveUpsert)
            } else {
                self.runId = 0
                self.job = nil
            }
        } catch {
            reader.close()
            writer?.close()
            throw error
        }
        if let job {
            job.setOutcomeHandler { [weak self] batch in self?.settle(batch) }
        }
    }

    deinit {
        job?.cancel()
    }

    // MARK: feeding

    /// Streams a CSV / NDJSON / JSON-array file ("-" = stdin) in bounded memory.
    public func feedFile(path: String, options fileOptions: FileOptions) throws(YespoError) {
        let reader = try FileRowReader(path: path, options: fileOptions)
        defer { reader.close() }
        try feeding { () throws(YespoError) in
            var batch: [RowVerdict] = []
            batch.reserveCapacity(Self.batchRows)
            while true {
                let first = feed.rows + 1
                let n: Int
                do {
                    n = try reader.read(firstRow: first, maxRows: Self.batchRows, preparer: preparer) { batch.append($0) }
                } catch let error as YespoError {
                    throw error
                } catch {
                    throw YespoError(.internal, "unexpected error while reading \(path): \(error)")
                }
                if n == 0 { break }
                try process(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    public func feedNDJSON(_ bytes: UnsafeRawBufferPointer) throws(YespoError) {
        try feedBuffer { first, emit in _ = try forEachNDJSONRow(bytes, firstRow: first, preparer: preparer, emit) }
    }

    public func feedJSONArray(_ bytes: UnsafeRawBufferPointer) throws(YespoError) {
        try feedBuffer { first, emit in _ = try forEachJSONArrayRow(bytes, firstRow: first, preparer: preparer, emit) }
    }

    private func feedBuffer(_ read: (Int, (RowVerdict) throws -> Void) throws -> Void) throws(YespoError) {
        try feeding { () throws(YespoError) in
            var batch: [RowVerdict] = []
            var failure: YespoError?
            do {
                try read(feed.rows + 1) { verdict in
                    batch.append(verdict)
                    if batch.count >= Self.batchRows {
                        try self.process(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            } catch let error as YespoError {
                failure = error
            } catch {
                failure = YespoError(.internal, "unexpected error while reading input: \(error)")
            }
            if let failure { throw failure }
            try process(batch)
        }
    }

    private func feeding(_ body: () throws(YespoError) -> Void) throws(YespoError) {
        feedLock.lock()
        defer { feedLock.unlock() }
        guard !finishClaimed.load(ordering: .acquiring) else {
            throw YespoError(.state, "the sync is finished; no more contacts can be fed")
        }
        guard !cancelled.load(ordering: .relaxed) else { throw YespoError(.cancelled, "the sync was cancelled") }
        do {
            try body()
        } catch {
            if error.code != .cancelled && feed.failure == nil { feed.failure = error }
            throw error
        }
    }

    /// Decides a batch of source rows and hands the ones to send to the job.
    private func process(_ batch: [RowVerdict]) throws(YespoError) {
        guard !batch.isEmpty else { return }
        if cancelled.load(ordering: .relaxed) { throw YespoError(.cancelled, "the sync was cancelled") }
        var rows: [PreparedRow] = []
        var keys: [Int64] = []
        var hashes: [Hash128] = []
        rows.reserveCapacity(batch.count)
        keys.reserveCapacity(batch.count)
        hashes.reserveCapacity(batch.count)
        var invalid: [SyncRowFailure] = []
        for verdict in batch {
            feed.rows = max(feed.rows, verdict.row)
            switch verdict {
            case .invalid(let row, let reason, _):
                feed.counts.invalid += 1
                invalid.append(SyncRowFailure(row: row, kind: .invalid, reason: redactor.redact(reason)))
            case .ready(let prepared):
                rows.append(prepared)
                keys.append(prepared.matchKey.map { keyHash($0) } ?? 0)
                hashes.append(prepared.json.withUnsafeBytes { Murmur3.hash128($0, seed: contentSeed) })
            }
        }
        var stored = [Hash128?](repeating: nil, count: rows.count)
        var storedIds = [Int64?](repeating: nil, count: rows.count)
        try reader.lookup(keys) { i, hash, id in
            stored[i] = hash
            storedIds[i] = id
        }

        var toSend: [Int] = []
        let needIds = options.missing != nil
        shared.withLock { s in
            if !invalid.isEmpty {
                for f in invalid where s.failures.count < Self.maxListedFailures { s.failures.append(f) }
            }
            for i in 0..<rows.count {
                let keyed = rows[i].matchKey != nil
                if keyed && collectSeen { feed.seen.append(keys[i]) }
                let reason: SyncReason
                if !keyed { reason = .unkeyed }
                else if s.sent[keys[i]] != nil { reason = .repeated }
                else if let old = stored[i] {
                    if old != hashes[i] { reason = .changed }
                    else if needIds && storedIds[i] == nil { reason = .noContactId }
                    else { reason = .unchanged }
                } else { reason = .new }
                feed.counts.add(reason)
                if reason != .unchanged || options.full {
                    if reason == .unchanged { feed.counts.forced += 1 }
                    toSend.append(i)
                    if keyed && s.sent[keys[i]] == nil { s.sent[keys[i]] = 0 }
                }
            }
        }
        feed.counts.sent += toSend.count
        guard let job, !toSend.isEmpty else { return }
        let core = job.core
        try core.feed { first in
            shared.withLock { s in
                for (n, i) in toSend.enumerated() {
                    s.pending[first + n] = Pending(key: rows[i].matchKey != nil ? keys[i] : 0, hash: hashes[i], sourceRow: rows[i].row)
                }
            }
            for (n, i) in toSend.enumerated() {
                var row = rows[i]
                row.row = first + n
                try ReadyRow.borrowing(row) { ready in try core.acceptReady(ready) }
            }
        }
    }

    /// The state's name for a match key: salted, so the state is not a list of emails.
    func keyHash(_ matchKey: String) -> Int64 {
        Int64(bitPattern: Murmur3.hash128(matchKey, seed: salt).low)
    }

    // MARK: control

    /// Stops the run: nothing more is sent, nothing is deleted. Any thread, any time.
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
        job?.cancel()
    }

    /// The job's progress (rows sent so far), with the sync's counts in `SyncJob.counts`.
    public func progress() -> UpsertProgress { job?.progress() ?? UpsertProgress() }

    public func setProgressHandler(intervalMs: Int, _ handler: @escaping @Sendable (UpsertProgress) -> Void) {
        job?.setProgressHandler(intervalMs: intervalMs, handler)
    }
}

enum SyncReason {
    case new, changed, unchanged, repeated, noContactId, unkeyed
}

func wallClockMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

func randomUInt64() -> UInt64 {
    var generator = SystemRandomNumberGenerator()
    return generator.next()
}
