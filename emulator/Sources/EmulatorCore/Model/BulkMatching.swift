// The seed guide's matching rules for bulk and file imports, and how an imported row is written.
//   1. externalCustomerId first: a known one is that contact (deleted: skipped, or restored with
//      restoreDeleted).
//   2. an unknown externalCustomerId falls back to dedupeOn, but only onto contacts without an
//      externalCustomerId of their own (most recently updated first); if every candidate carries
//      another externalCustomerId, a new contact is created.
//   3. no externalCustomerId: dedupeOn, most recently updated live contact wins; with
//      restoreDeleted a deleted match is restored when no live one exists.
enum BulkResolution {
    case update(StoredContact, restore: Bool)
    case create
    case skip(String)
}

extension ContactStore {
    func dedupeCandidates(_ c: ContactInput, _ o: ImportOptions) -> [Int64] {
        switch o.dedupeOn {
        case .email: return c.values(of: .email).flatMap { ids(email: $0) }
        case .sms: return c.values(of: .sms).flatMap { ids(phone: $0) }
        case .email_or_sms:
            let byEmail = c.values(of: .email).flatMap { ids(email: $0) }
            return byEmail.isEmpty ? c.values(of: .sms).flatMap { ids(phone: $0) } : byEmail
        case .id:
            guard let id = c.id, contact(id) != nil else { return [] }
            return [id]
        case .fieldId:
            guard let fid = o.fieldId, let v = o.dedupeValue(c) else { return [] }
            return ids(field: fid, value: v)
        case .externalCustomerId: return []
        case .push: return c.values(of: .mobilepush).flatMap { ids(token: .mobilepush, $0) }
        case .webpush: return c.values(of: .webpush).flatMap { ids(token: .webpush, $0) }
        }
    }

    func resolve(_ c: ContactInput, _ o: ImportOptions) -> BulkResolution {
        if let ext = c.externalCustomerId {
            if let id = byExt[ext], let existing = contact(id) {
                if existing.deleted {
                    return o.restoreDeleted
                        ? .update(existing, restore: true)
                        : .skip("contact with externalCustomerId '\(ext)' is deleted and restoreDeleted is false")
                }
                return .update(existing, restore: false)
            }
            let candidates = dedupeCandidates(c, o)
            if let best = mostRecent(candidates, where: { !$0.deleted && $0.externalCustomerId == nil }) {
                return .update(best, restore: false)
            }
            return .create
        }
        let candidates = dedupeCandidates(c, o)
        if let best = mostRecent(candidates, where: { !$0.deleted }) { return .update(best, restore: false) }
        if o.restoreDeleted, let best = mostRecent(candidates, where: { $0.deleted }) {
            return .update(best, restore: true)
        }
        return .create
    }

    /// Imports one validated row; returns the contact id, or the reason it was skipped.
    mutating func importRow(_ input: ContactInput, _ o: ImportOptions) -> Result<Int64, ValidationFailure> {
        var c: StoredContact
        var isNew = false
        switch resolve(input, o) {
        case .skip(let reason): return .failure(.init(reason))
        case .create:
            c = create(source: o.source, confirmed: true)
            isNew = true
        case .update(let existing, let restore):
            c = existing
            if restore { c.deleted = false }
        }
        writeImported(input, into: &c, o, isNew: isNew)
        c.updatedAt = tick()
        put(c)
        join(c.id, groups: o.groupNames)
        leave(c.id, groups: o.groupNamesExclude)
        if isNew, let key = o.eventKeyForNewContacts {
            let email = c.firstEmail ?? ""
            let sms = c.firstPhone ?? ""
            record(EmulatorEvent(type: key, key: email.isEmpty ? sms : email,
                                 params: [("contactId", String(c.id)), ("EmailAddress", email), ("SMS", sms)]))
        }
        return .success(c.id)
    }

    /// A full write: with no `contactFields` every standard field is written and what the
    /// request lacks becomes empty; with `contactFields` only the listed ones. New contacts take
    /// everything sent. Channels and externalCustomerId are never emptied (they identify the
    /// contact). Custom fields merge, limited to `customFieldsIDs` if given.
    func writeImported(_ input: ContactInput, into c: inout StoredContact, _ o: ImportOptions, isNew: Bool) {
        func written(_ name: String) -> Bool { isNew || (o.contactFields?.contains(name) ?? true) }
        if written("firstName") { c.firstName = input.firstName }
        if written("lastName") { c.lastName = input.lastName }
        if written("languageCode") { c.languageCode = input.languageCode }
        if written("timeZone") { c.timeZone = input.timeZone }
        if written("contactKey") { c.contactKey = input.contactKey }
        var address = c.address ?? Address()
        if written("address") { address.address = input.address?.address }
        if written("town") { address.town = input.address?.town }
        if written("region") { address.region = input.address?.region }
        if written("postcode") { address.postcode = input.address?.postcode }
        c.address = address.isEmpty ? nil : address
        if let ext = input.externalCustomerId { c.externalCustomerId = ext }
        // Channels are identities more than data: a kind the request sends replaces that kind
        // (when contactFields allows it); a kind it does not send is kept.
        for kind in ChannelKind.allCases where written(kind.name) {
            let sent = input.values(of: kind)
            if sent.isEmpty { continue }
            c.channels.removeAll { $0.kind == kind }
            c.channels.append(contentsOf: sent.map { ContactChannel(kind: kind, value: $0) })
        }
        mergeFields(input.fields, into: &c, only: o.customFieldsIDs)
    }

    /// A merge: only what the request carries is written (single add, subscribe, PUT).
    func writeMerged(_ input: ContactInput, into c: inout StoredContact) {
        if let v = input.firstName { c.firstName = v }
        if let v = input.lastName { c.lastName = v }
        if let v = input.languageCode { c.languageCode = v }
        if let v = input.timeZone { c.timeZone = v }
        if let v = input.contactKey { c.contactKey = v }
        if let v = input.externalCustomerId { c.externalCustomerId = v }
        if let a = input.address {
            var address = c.address ?? Address()
            if let v = a.address { address.address = v }
            if let v = a.town { address.town = v }
            if let v = a.region { address.region = v }
            if let v = a.postcode { address.postcode = v }
            c.address = address.isEmpty ? nil : address
        }
        for kind in ChannelKind.allCases {
            let sent = input.values(of: kind)
            if sent.isEmpty { continue }
            c.channels.removeAll { $0.kind == kind }
            c.channels.append(contentsOf: sent.map { ContactChannel(kind: kind, value: $0) })
        }
        mergeFields(input.fields, into: &c, only: nil)
    }

    func mergeFields(_ fields: [CustomField], into c: inout StoredContact, only: Set<Int64>?) {
        for f in fields {
            if let only, !only.contains(f.id) { continue }
            if let i = c.fields.firstIndex(where: { $0.id == f.id }) { c.fields[i].value = f.value } else { c.fields.append(f) }
        }
    }
}
