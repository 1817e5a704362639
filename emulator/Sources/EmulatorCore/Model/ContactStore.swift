// All contacts, their indexes, segments and events. Lookups go through dictionaries
// (email → ids, phone → ids, token → ids, externalCustomerId → id) so a bulk import is O(n).
// Deleted contacts stay indexed (restoreDeleted must find them); erased ones are gone.
public struct ContactStore: Sendable {
    public static let firstId: Int64 = 100_000_001

    var slots: [StoredContact?] = []
    var byEmail: [String: IDList] = [:]
    var byPhone: [String: IDList] = [:]
    var byToken: [String: [Int64]] = [:]
    var byExt: [String: Int64] = [:]
    /// Custom-field indexes exist only for field ids some import deduplicated on (built on first
    /// use): indexing every field of a million contacts would cost memory for nothing.
    var byField: [Int64: [String: [Int64]]] = [:]
    public internal(set) var segments: [Segment] = []
    var segmentByName: [String: Int] = [:]
    var segmentById: [Int64: Int] = [:]
    var nextSegmentId: Int64 = 1001
    public internal(set) var events: [EmulatorEvent] = []
    public internal(set) var unsubscribed: Set<String> = []
    var clock: UInt64 = 0
    public internal(set) var liveCount = 0
    public internal(set) var deletedCount = 0

    public init() {}

    // MARK: access

    public func contact(_ id: Int64) -> StoredContact? {
        guard id >= Self.firstId else { return nil }
        let i = id - Self.firstId
        guard i < Int64(slots.count) else { return nil }
        return slots[Int(i)]
    }

    /// A contact the public API may see (not deleted).
    public func liveContact(_ id: Int64) -> StoredContact? {
        guard let c = contact(id), !c.deleted else { return nil }
        return c
    }

    public func contactId(externalCustomerId ext: String) -> Int64? { byExt[ext] }

    public var allContacts: some Sequence<StoredContact> { slots.lazy.compactMap { $0 } }

    // MARK: indexes

    private static func tokenKey(_ ch: ContactChannel) -> String { "\(ch.kind.name):\(ch.value)" }

    private mutating func index(_ c: StoredContact) {
        for ch in c.channels {
            switch ch.kind {
            case .email: byEmail[ch.value] = byEmail[ch.value]?.adding(c.id) ?? .one(c.id)
            case .sms: byPhone[ch.value] = byPhone[ch.value]?.adding(c.id) ?? .one(c.id)
            default: byToken[Self.tokenKey(ch), default: []].append(c.id)
            }
        }
        if let ext = c.externalCustomerId { byExt[ext] = c.id }
        for f in c.fields where byField[f.id] != nil { byField[f.id]?[f.value, default: []].append(c.id) }
    }

    private mutating func unindex(_ c: StoredContact) {
        func drop(_ dict: inout [String: [Int64]], _ key: String) {
            guard var ids = dict[key] else { return }
            ids.removeAll { $0 == c.id }
            dict[key] = ids.isEmpty ? nil : ids
        }
        for ch in c.channels {
            switch ch.kind {
            case .email: if let l = byEmail[ch.value] { byEmail[ch.value] = l.removing(c.id) }
            case .sms: if let l = byPhone[ch.value] { byPhone[ch.value] = l.removing(c.id) }
            default: drop(&byToken, Self.tokenKey(ch))
            }
        }
        if let ext = c.externalCustomerId, byExt[ext] == c.id { byExt[ext] = nil }
        for f in c.fields where byField[f.id] != nil {
            guard var ids = byField[f.id]?[f.value] else { continue }
            ids.removeAll { $0 == c.id }
            byField[f.id]?[f.value] = ids.isEmpty ? nil : ids
        }
    }

    /// Replaces a stored contact, keeping the indexes and counters right.
    mutating func put(_ c: StoredContact) {
        let i = Int(c.id - Self.firstId)
        if let old = slots[i] {
            unindex(old)
            if old.deleted { deletedCount -= 1 } else { liveCount -= 1 }
        }
        slots[i] = c
        index(c)
        if c.deleted { deletedCount += 1 } else { liveCount += 1 }
    }

    mutating func tick() -> UInt64 { clock += 1; return clock }

    mutating func create(source: ContactSource, confirmed: Bool) -> StoredContact {
        let id = Self.firstId + Int64(slots.count)
        slots.append(nil)
        return StoredContact(id: id, source: source, confirmed: confirmed, updatedAt: tick())
    }

    // MARK: lookups by channel

    public func ids(email: String) -> [Int64] { byEmail[email]?.array ?? [] }
    public func ids(phone: String) -> [Int64] { byPhone[phone]?.array ?? [] }
    func ids(token kind: ChannelKind, _ value: String) -> [Int64] {
        byToken[Self.tokenKey(ContactChannel(kind: kind, value: value))] ?? []
    }
    func ids(field: Int64, value: String) -> [Int64] { byField[field]?[value] ?? [] }

    /// Builds the index of one custom field, once, before an import deduplicates on it.
    mutating func ensureFieldIndex(_ fieldId: Int64) {
        guard byField[fieldId] == nil else { return }
        var index: [String: [Int64]] = [:]
        for case let c? in slots {
            for f in c.fields where f.id == fieldId { index[f.value, default: []].append(c.id) }
        }
        byField[fieldId] = index
    }

    /// The most recently updated of these contacts that passes the filter.
    func mostRecent(_ ids: [Int64], where ok: (StoredContact) -> Bool) -> StoredContact? {
        var best: StoredContact?
        for id in ids {
            guard let c = contact(id), ok(c) else { continue }
            if c.updatedAt > (best?.updatedAt ?? 0) { best = c }
        }
        return best
    }

    /// A live contact sharing an email (first) or phone with the input: how single adds and
    /// subscriptions find "the existing contact".
    func matchByChannels(_ input: ContactInput) -> StoredContact? {
        for e in input.values(of: .email) {
            if let c = mostRecent(ids(email: e), where: { !$0.deleted }) { return c }
        }
        for p in input.values(of: .sms) {
            if let c = mostRecent(ids(phone: p), where: { !$0.deleted }) { return c }
        }
        return nil
    }

    // MARK: deletion

    /// Marks deleted (restorable). false when there is no live contact with this id.
    mutating func markDeleted(_ id: Int64) -> Bool {
        guard var c = liveContact(id) else { return false }
        c.deleted = true
        c.updatedAt = tick()
        put(c)
        return true
    }

    /// GDPR erase: the contact, its indexes and its memberships are gone for good.
    mutating func erase(_ id: Int64) -> Bool {
        guard let c = contact(id) else { return false }
        unindex(c)
        if c.deleted { deletedCount -= 1 } else { liveCount -= 1 }
        slots[Int(id - Self.firstId)] = nil
        for i in segments.indices { segments[i].members.remove(id) }
        return true
    }

    // MARK: segments

    /// The static segment with this name, created when missing.
    mutating func segmentIndex(named name: String) -> Int {
        if let i = segmentByName[name] { return i }
        let seg = Segment(id: nextSegmentId, name: name, type: "Static")
        nextSegmentId += 1
        segments.append(seg)
        segmentByName[name] = segments.count - 1
        segmentById[seg.id] = segments.count - 1
        return segments.count - 1
    }

    public func segment(id: Int64) -> Segment? { segmentById[id].map { segments[$0] } }

    mutating func addMembers(_ ids: [Int64], toSegmentId id: Int64) {
        guard let i = segmentById[id] else { return }
        segments[i].members.formUnion(ids)
    }

    mutating func removeMembers(_ ids: [Int64]?, fromSegmentId id: Int64) {
        guard let i = segmentById[id] else { return }
        if let ids { segments[i].members.subtract(ids) } else { segments[i].members.removeAll() }
    }

    mutating func join(_ contactId: Int64, groups: [String]) {
        for name in groups { segments[segmentIndex(named: name)].members.insert(contactId) }
    }

    mutating func leave(_ contactId: Int64, groups: [String]) {
        for name in groups { if let i = segmentByName[name] { segments[i].members.remove(contactId) } }
    }

    public func segments(of contactId: Int64) -> [Segment] {
        segments.filter { $0.members.contains(contactId) }
    }

    // MARK: events, unsubscribed

    mutating func record(_ e: EmulatorEvent) { events.append(e) }
    mutating func setUnsubscribed(_ emails: [String], _ on: Bool) {
        if on { unsubscribed.formUnion(emails) } else { unsubscribed.subtract(emails) }
    }
}

/// The ids under one email or phone: nearly always one, kept inline so that a million contacts
/// do not cost a million small arrays.
enum IDList: Sendable {
    case one(Int64)
    case many([Int64])

    var array: [Int64] {
        switch self {
        case .one(let id): return [id]
        case .many(let ids): return ids
        }
    }

    func adding(_ id: Int64) -> IDList {
        switch self {
        case .one(let first): return .many([first, id])
        case .many(let ids): return .many(ids + [id])
        }
    }

    /// nil when no id is left.
    func removing(_ id: Int64) -> IDList? {
        switch self {
        case .one(let only): return only == id ? nil : self
        case .many(let ids):
            let rest = ids.filter { $0 != id }
            if rest.count > 1 { return .many(rest) }
            return rest.first.map { .one($0) }
        }
    }
}
