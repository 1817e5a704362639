// One bulk upsert, as the callers see it: feed contacts (NDJSON, JSON array, a file), watch
// progress and outcomes, cancel from anywhere, finish to get the report. The work happens in
// JobCore; this handle only forwards and makes sure an abandoned job stops.

public final class UpsertJob: Sendable {
    let core: JobCore

    init(core: JobCore) { self.core = core }

    deinit { core.abandon() }

    /// Progress from the job's callback thread at most every `intervalMs` (≥ 10) and once at the end.
    public func setProgressHandler(intervalMs: Int, _ handler: @escaping @Sendable (UpsertProgress) -> Void) {
        core.monitor.withLock {
            core.callbacks.progressHandler = handler
            core.callbacks.progressIntervalNs = UInt64(max(10, intervalMs)) * 1_000_000
            core.monitor.broadcast()
        }
    }

    /// Final outcomes as they become final, from the job's callback thread, one batch at a time,
    /// every row exactly once (rows taken from `resume` included). Set it before the first feed.
    public func setOutcomeHandler(_ handler: @escaping @Sendable (OutcomeBatch) -> Void) {
        core.monitor.withLock { core.callbacks.outcomeHandler = handler }
    }

    // Each feed picks the kind's preparer once; the readers are generic over it, so the loop of
    // every kind is its own specialisation (the contacts loop tests no kind per row).

    public func feedNDJSON(_ bytes: UnsafeRawBufferPointer) throws(YespoError) {
        let core = self.core
        func rows<P: RowPreparer>(_ preparer: P) throws(YespoError) {
            try core.feed { first in
                var sink = JobRowSink(core: core)
                _ = try forEachNDJSONRow(bytes, firstRow: first, preparer: preparer, into: &sink)
            }
        }
        switch core.kind {
        case .contacts: try rows(core.preparer)
        case .orders: try rows(core.orderPreparer)
        case .events: try rows(core.eventPreparer)
        }
    }

    public func feedJSONArray(_ bytes: UnsafeRawBufferPointer) throws(YespoError) {
        let core = self.core
        func rows<P: RowPreparer>(_ preparer: P) throws(YespoError) {
            try core.feed { first in
                var sink = JobRowSink(core: core)
                _ = try forEachJSONArrayRow(bytes, firstRow: first, preparer: preparer, into: &sink)
            }
        }
        switch core.kind {
        case .contacts: try rows(core.preparer)
        case .orders: try rows(core.orderPreparer)
        case .events: try rows(core.eventPreparer)
        }
    }

    /// Streams a CSV / NDJSON / JSON-array file ("-" = stdin) in bounded memory. `onOpen` gets how
    /// the file is read (encoding, delimiter, column mapping) once its header is read, before any row.
    public func feedFile(path: String, options: FileOptions,
                         onOpen: ((InputDescription) -> Void)? = nil) throws(YespoError) {
        let core = self.core
        let reader = try FileRowReader(path: path, options: options, bufferSize: FileRowReader.defaultBufferSize, kind: core.kind)
        defer { reader.close() }
        let description: InputDescription = reader.description
        core.monitor.withLock { core.inputs.append(description) }
        onOpen?(description)
        func objects<P: RowPreparer>(_ preparer: P) throws(YespoError) {
            try core.feed { first in
                var next = first
                var sink = JobRowSink(core: core)
                while true {
                    let count = try reader.readObjectRows(firstRow: next, maxRows: 4096, preparer: preparer, into: &sink)
                    if count == 0 { break }
                    next += count
                }
            }
        }
        switch core.kind {
        case .orders: return try objects(core.orderPreparer)
        case .events: return try objects(core.eventPreparer)
        case .contacts: break
        }
        try core.feed { first in
            var next = first
            var sink = JobRowSink(core: core)
            while true {
                let count = try reader.readRows(firstRow: next, maxRows: 4096, preparer: core.preparer, into: &sink)
                if count == 0 { break }
                next += count
            }
        }
    }

    /// Stops the job: nothing more is sent, rows not sent become notSent. Any thread, any time.
    public func cancel() { core.cancel() }

    public func progress() -> UpsertProgress { core.progress() }

    /// Ends the input, waits for every row's outcome (and the imports with `wait`), returns the report.
    public func finish() throws(YespoError) -> UpsertReport { try core.finish() }
}
