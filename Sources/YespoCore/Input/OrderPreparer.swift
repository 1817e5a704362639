// The input stage for orders: one order object in, one verdict out. A ready order carries its
// match key ("order:<externalOrderId>": a later order with the same id supersedes an earlier one
// in the same request) and OrderKeys hashes of the id, its email and its phone, so the write-order
// gate sends a later order with that id only after the earlier one was answered — the later row
// wins, as for contacts — and a later order of the same email or phone likewise: an order whose
// email/phone matches no contact creates one with the order's name, and that must be the first
// order's in input order (chaos issue 13 found the later one's otherwise).

struct OrderPreparer: RowPreparer {
    let validate: Bool

    init(options: UpsertOptions) { validate = options.validate }

    func prepareInPlace<S: RowSink>(json: UnsafeRawBufferPointer, row: Int, buffers: inout PrepareBuffers,
                                    into sink: inout S) throws(S.Failure) {
        buffers.contact.removeAll()
        var orderId: ValueBytes? = nil
        var keys = OrderKeys()
        do throws(RowProblem) {
            guard let cursor = JSONCursor(json) else { throw RowProblem("empty row: expected a JSON object") }
            if validate {
                var writer = OrderWriter(cursor: cursor, out: buffers.contact)
                defer { buffers.contact = writer.w.out }
                try writer.writeOrder()
                orderId = writer.facts.externalOrderId
                keys = writer.facts.orderKeys
            } else {
                try compactObject(json, into: &buffers.contact)
                (orderId, keys) = Self.bestEffortFacts(cursor)
            }
        } catch {
            return try sink.invalid(row: row, reason: "row \(row): \(error.message)", raw: ContactPreparer.truncatedRaw(json))
        }
        let out = buffers.contact.all
        buffers.key.removeAll()
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

    /// validate=false: the id and the email/phone keys when the order passes the checks anyway
    /// (else it is never de-duplicated nor ordered).
    private static func bestEffortFacts(_ cursor: JSONCursor) -> (ValueBytes?, OrderKeys) {
        var writer = OrderWriter(cursor: cursor, out: ByteWriter(capacity: 256))
        defer { writer.w.out.free() }
        guard (try? writer.writeOrder()) != nil else { return (nil, OrderKeys()) }
        let keys = writer.facts.orderKeys
        switch writer.facts.externalOrderId {
        case .inOutput(let r)?: return (.owned(Array(writer.w.out.bytes(r))), keys)
        case let id: return (id, keys)
        }
    }
}
