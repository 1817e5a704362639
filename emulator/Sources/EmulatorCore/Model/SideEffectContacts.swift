// Contacts that other methods create as a side effect (the guide's "Other API methods which may
// result in contact creation"): orders and message sends. They look a contact up by email, then
// phone; when none is live they create a confirmed one in no segment and with no event. An
// existing contact is never written: its name stays whatever it was.
extension ContactStore {
    /// The live contact with this email (first) or phone, or a new one. `created` says which.
    mutating func contactForChannels(email: String?, phone: String?, firstName: String? = nil,
                                     lastName: String? = nil, source: ContactSource) -> (id: Int64, created: Bool) {
        if let email, let c = mostRecent(ids(email: email), where: { !$0.deleted }) { return (c.id, false) }
        if let phone, let c = mostRecent(ids(phone: phone), where: { !$0.deleted }) { return (c.id, false) }
        var c = create(source: source, confirmed: true)
        if let email { c.channels.append(ContactChannel(kind: .email, value: email)) }
        if let phone { c.channels.append(ContactChannel(kind: .sms, value: phone)) }
        c.firstName = firstName
        c.lastName = lastName
        put(c)
        return (c.id, true)
    }
}
