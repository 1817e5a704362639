// How a stored contact reads as JSON: the public form (GET /contact/{id}, search) and the admin
// form, which adds `deleted` and is also used for deleted contacts.
extension JSONWriter {
    mutating func contact(_ c: StoredContact, segments: [Segment], admin: Bool) {
        raw("{\"id\":"); int(c.id)
        if let v = c.externalCustomerId { raw(",\"externalCustomerId\":"); string(v) }
        if let v = c.firstName { raw(",\"firstName\":"); string(v) }
        if let v = c.lastName { raw(",\"lastName\":"); string(v) }
        raw(",\"channels\":[")
        for (i, ch) in c.channels.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"type\":"); string(ch.kind.name)
            raw(",\"value\":"); string(ch.value)
            raw("}")
        }
        raw("]")
        if let a = c.address {
            raw(",\"address\":{")
            var first = true
            for (k, v) in [("region", a.region), ("town", a.town), ("address", a.address), ("postcode", a.postcode)] {
                guard let v else { continue }
                if !first { raw(",") }
                first = false
                key(k); string(v)
            }
            raw("}")
        }
        raw(",\"fields\":[")
        for (i, f) in c.fields.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"id\":"); int(f.id)
            raw(",\"value\":"); string(f.value)
            raw("}")
        }
        raw("]")
        if let v = c.languageCode { raw(",\"languageCode\":"); string(v) }
        if let v = c.timeZone { raw(",\"timeZone\":"); string(v) }
        if let v = c.contactKey { raw(",\"contactKey\":"); string(v) }
        raw(",\"groups\":[")
        for (i, s) in segments.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"id\":"); int(s.id)
            raw(",\"name\":"); string(s.name)
            raw(",\"type\":"); string(s.type)
            raw("}")
        }
        raw("],\"source\":"); string(c.source.name)
        raw(",\"confirmed\":"); bool(c.confirmed)
        if admin { raw(",\"deleted\":"); bool(c.deleted) }
        raw(",\"updatedAt\":"); int(Int64(c.updatedAt))
        raw("}")
    }
}

extension ContactStore {
    func json(_ c: StoredContact, admin: Bool) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.contact(c, segments: segments(of: c.id), admin: admin)
        return w.bytes
    }

    /// A JSON array of contacts, for search and segment listings.
    func jsonArray(_ ids: some Sequence<Int64>) -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.raw("[")
        var first = true
        for id in ids {
            guard let c = contact(id) else { continue }
            if !first { w.raw(",") }
            first = false
            w.contact(c, segments: segments(of: c.id), admin: false)
        }
        w.raw("]")
        return w.bytes
    }
}
