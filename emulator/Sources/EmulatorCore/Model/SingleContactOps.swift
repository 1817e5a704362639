// The one-contact methods: add (POST /contact), subscribe, update by id (PUT), and segment
// attach/detach by ids.
extension ContactStore {
    /// POST /contact: an existing contact (same externalCustomerId, else email/phone) is updated,
    /// otherwise a confirmed contact is created. No events.
    mutating func addOrUpdate(_ input: ContactInput) -> Int64 {
        var c: StoredContact
        if let ext = input.externalCustomerId, let id = byExt[ext], let existing = liveContact(id) {
            c = existing
        } else if let existing = matchByChannels(input) {
            c = existing
        } else {
            c = create(source: .api, confirmed: true)
        }
        writeMerged(input, into: &c)
        c.updatedAt = tick()
        put(c)
        return c.id
    }

    /// POST /contact/subscribe: new contacts are unconfirmed (double opt-in); an event
    /// `subscribeFromApi` or `subscribeUpdateFromApi`, suffixed `-formType`, keyed by contact id.
    mutating func subscribe(_ input: ContactInput, groups: [String], formType: String?) -> Int64 {
        var c: StoredContact
        let isNew: Bool
        if let existing = matchByChannels(input) {
            c = existing
            isNew = false
        } else {
            c = create(source: .subscriptionForm, confirmed: false)
            isNew = true
        }
        writeMerged(input, into: &c)
        c.updatedAt = tick()
        put(c)
        join(c.id, groups: groups)
        var type = isNew ? "subscribeFromApi" : "subscribeUpdateFromApi"
        if let formType, !formType.isEmpty { type += "-" + formType }
        var params = [("ContactId", String(c.id))]
        if let email = c.firstEmail { params.append(("EmailAddress", email)) }
        record(EmulatorEvent(type: type, key: String(c.id), params: params))
        return c.id
    }

    /// PUT /contact/{id}: never creates. false when there is no such live contact.
    mutating func update(id: Int64, _ input: ContactInput) -> Bool {
        guard var c = liveContact(id) else { return false }
        writeMerged(input, into: &c)
        c.updatedAt = tick()
        put(c)
        return true
    }
}
