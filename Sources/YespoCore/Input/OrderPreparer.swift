// The input stage for orders: one order object in, one verdict out. A ready order carries its
// match key ("order:<externalOrderId>": a later order with the same id supersedes an earlier one
// in the same request) and one OrderKeys hash of the id, so the write-order gate sends a later
// order with that id only after the earlier one was answered — the later row wins, as for contacts.

struct OrderPreparer: RowPreparer {
    let validate: Bool

    init(options: UpsertOptions) { validate = options.validate }

    func prepareInPlace<S: RowSink>(json: UnsafeRawBufferPointer, row: Int, buffers: inout PrepareBuffers,
                                    into sink: inout S) throws(S.Failure) {
        buffers.contact.removeAll()
        var orderId: ValueBytes? = nil
        do throws(RowProblem) {
            guard let cursor = JSONCursor(json) else { throw RowProblem("empty row: expected a JSON object") }
            if validate {
                var writer = OrderWriter(cursor: cursor, out: buffers.contact)
                defer { buffers.contact = writer.w.out }
                try writer.writeOrder()
                orderId = writer.facts.externalOrderId
            } else {
                try compactObject(json, into: &buffers.contact)
                orderId = Self.bestEffortOrderId(cursor)
            }
        } catch {
            return try sink.invalid(row: row, reason: "row \(row): \(error.message)", raw: ContactPreparer.truncatedRaw(json))
        }
        let out = buffers.contact.all
        buffers.key.removeAll()
        var keys = OrderKeys()
        if let orderId {
            buffers.key.append("order:")
            switch orderId {
            case .inOutput(let r): buffers.key.append(contentsOf: UnsafeRawBufferPointer(rebasing: out[r]))
            case .owned(let b): b.withUnsafeBytes { buffers.key.append(contentsOf: $0) }
            }
            keys.insert(OrderKeys.hash(.orderId, UnsafeRawBufferPointer(rebasing: buffers.key.all.dropFirst(6))))
        }
        try sink.ready(ReadyRow(row: row, json: out, matchKey: orderId == nil ? nil : buffers.key.all,
                                dedupeValue: nil, orderKeys: keys))
    }

    /// validate=false: the id when the order passes the checks anyway (else it is never de-duplicated).
    private static func bestEffortOrderId(_ cursor: JSONCursor) -> ValueBytes? {
        var writer = OrderWriter(cursor: cursor, out: ByteWriter(capacity: 256))
        defer { writer.w.out.free() }
        guard (try? writer.writeOrder()) != nil, let id = writer.facts.externalOrderId else { return nil }
        switch id {
        case .inOutput(let r): return .owned(Array(writer.w.out.bytes(r)))
        case .owned: return id
        }
    }
}
