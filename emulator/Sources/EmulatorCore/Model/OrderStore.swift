// Stored orders, upserted by externalOrderId: the same id again replaces the order (last write
// wins, in the order requests are processed). Orders are applied when POST /orders is
// processed, not through an import session: Yespo says nothing of an order being delayed, and
// applying at once keeps "last write wins" equal to arrival order.
public struct StoredOrder: Sendable {
    public var input: OrderInput
    /// The contact the order was linked to (found by email, then phone, or created).
    public var contactId: Int64
    /// 1 for the first write, 2 for the next…: the order writes happened in.
    public var writeSeq: Int
}

public struct OrderStore: Sendable {
    /// In first-write order; a replaced order keeps its place.
    public private(set) var orders: [StoredOrder] = []
    private var position: [String: Int] = [:]
    private var writes = 0

    public init() {}

    public var count: Int { orders.count }

    public func order(_ externalOrderId: String) -> StoredOrder? {
        position[externalOrderId].map { orders[$0] }
    }

    mutating func upsert(_ input: OrderInput, contactId: Int64) {
        writes += 1
        let stored = StoredOrder(input: input, contactId: contactId, writeSeq: writes)
        if let i = position[input.externalOrderId] {
            orders[i] = stored
        } else {
            position[input.externalOrderId] = orders.count
            orders.append(stored)
        }
    }

    /// Removes the orders that pass the filter; how many went.
    @discardableResult
    mutating func remove(where gone: (StoredOrder) -> Bool) -> Int {
        let before = orders.count
        orders.removeAll(where: gone)
        position = Dictionary(uniqueKeysWithValues: orders.enumerated().map { ($1.input.externalOrderId, $0) })
        return before - orders.count
    }
}

extension EmulatorWorld {
    /// Stores one valid order: links it to a contact (creating a confirmed one, source `orders`,
    /// when its email/phone is unknown; never updating one that exists) and records its event.
    mutating func applyOrder(_ o: OrderInput) {
        let contact = store.contactForChannels(email: o.email, phone: o.phone, firstName: o.firstName,
                                               lastName: o.lastName, source: .orders)
        orders.upsert(o, contactId: contact.id)
        store.record(EmulatorEvent(type: Self.orderEventType(o.status), key: o.externalOrderId, params: [
            ("orderId", o.externalOrderId), ("contactId", String(contact.id)),
            ("EmailAddress", o.email ?? ""), ("SMS", o.phone ?? ""),
        ]))
    }

    /// The real type name is unknown ("order<STATUS>"-like): the emulator uses `order` followed
    /// by the status as sent, e.g. `orderDELIVERED`.
    static func orderEventType(_ status: OrderStatus) -> String { "order" + status.rawValue }
}
