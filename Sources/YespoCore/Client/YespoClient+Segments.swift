// Segments and the unsubscribed list: attach/detach (split into requests of at most 500 ids, the
// API's limit), list segments, one page of a segment's contacts, (un)unsubscribe emails.

extension YespoClient {
    static let idsPerSegmentRequest = 500

    /// POST /group/{id}/contacts/attach with {"contactIds":[...]} or {"externalCustomerIds":[...]}.
    public func attachToSegment(groupId: Int64, _ idsJSON: String) throws(YespoError) {
        try segmentMembers(groupId: groupId, idsJSON, action: "attach", allowEmpty: false)
    }

    /// POST /group/{id}/contacts/detach, same ids; "{}" removes every contact from the segment.
    public func detachFromSegment(groupId: Int64, _ idsJSON: String) throws(YespoError) {
        try segmentMembers(groupId: groupId, idsJSON, action: "detach", allowEmpty: true)
    }

    private func segmentMembers(groupId: Int64, _ idsJSON: String, action: String, allowEmpty: Bool) throws(YespoError) {
        try positive(groupId, "segment id")
        let request = try parseObjectArgument(idsJSON, "\(action) ids")
        let members = request.root.members
        let path = "/group/\(groupId)/contacts/\(action)"
        if members.isEmpty {
            guard allowEmpty else {
                throw YespoError(.invalidArgument, "\(action) ids: give \"contactIds\" or \"externalCustomerIds\"")
            }
            _ = try send("POST", path, body: Array("{}".utf8))
            return
        }
        guard members.count == 1, let (key, list) = members.first else {
            throw YespoError(.invalidArgument, "\(action) ids: give exactly one of \"contactIds\" or \"externalCustomerIds\"")
        }
        guard list.kind == .array else {
            throw YespoError(.invalidArgument, "\(action) ids: \"\(key)\" must be an array, got \(list.kindName)")
        }
        var encoded: [[UInt8]] = []
        for (i, element) in list.elements.enumerated() {
            var out = JSONOutput(capacity: 24)
            switch key {
            case "contactIds":
                guard element.kind == .integer, let id = element.int64, id > 0 else {
                    throw YespoError(.invalidArgument, "\(action) ids: \"contactIds\"[\(i)] must be a positive integer, got \(element.kindName)")
                }
                out.int(id)
            case "externalCustomerIds":
                if let text = element.string, !text.isEmpty { out.string(text) }
                else if element.kind == .integer, let n = element.int64 { out.string(String(n)) }
                else {
                    throw YespoError(.invalidArgument, "\(action) ids: \"externalCustomerIds\"[\(i)] must be a non-empty string")
                }
            default:
                throw YespoError(.invalidArgument, "\(action) ids: unknown key \"\(key)\" (use \"contactIds\" or \"externalCustomerIds\")")
            }
            encoded.append(out.bytes)
        }
        guard !encoded.isEmpty else {
            throw YespoError(.invalidArgument, "\(action) ids: \"\(key)\" is empty")
        }
        var start = 0
        while start < encoded.count {
            let end = min(encoded.count, start + Self.idsPerSegmentRequest)
            var body = JSONOutput(capacity: (end - start) * 12 + 32)
            body.raw("{"); body.string(key); body.raw(":[")
            for i in start..<end {
                if i > start { body.raw(",") }
                body.raw(encoded[i])
            }
            body.raw("]}")
            _ = try send("POST", path, body: body.bytes)
            start = end
        }
    }

    /// GET /groups?name=&startindex=&maxrows= → [{"id","name","type"}].
    public func listSegments(_ queryJSON: String?) throws(YespoError) -> String {
        let pairs = try pageQuery(queryJSON, what: "segments query", extraStringKeys: ["name"])
        let response = try send("GET", "/groups" + queryString(pairs))
        let answer = try parseAnswer(response, "GET /groups")
        guard answer.root.kind == .array else {
            throw YespoError(.protocol, "GET /groups: expected a JSON array, got \(answer.root.kindName)")
        }
        return String(decoding: answer.root.compactBytes(), as: UTF8.self)
    }

    /// GET /group/{id}/contacts, one page → {"totalCount":N,"contacts":[...]}.
    public func segmentContacts(groupId: Int64, _ queryJSON: String?) throws(YespoError) -> String {
        try positive(groupId, "segment id")
        let pairs = try pageQuery(queryJSON, what: "segment contacts query", extraStringKeys: [])
        let response = try send("GET", "/group/\(groupId)/contacts" + queryString(pairs))
        return try pageAnswer(response, "GET /group/\(groupId)/contacts")
    }

    /// POST /emails/unsubscribed/add (unsubscribe) or /delete; emailsJSON: ["a@b.c",...] or {"emails":[...]}.
    public func setUnsubscribed(_ emailsJSON: String, unsubscribe: Bool) throws(YespoError) {
        let document = try parseArgument(emailsJSON, "emails")
        var list = document.root
        if list.kind == .object, let emails = list["emails"] { list = emails }
        guard list.kind == .array, list.count > 0 else {
            throw YespoError(.invalidArgument, "emails: expected a non-empty JSON array of email strings")
        }
        var body = JSONOutput(capacity: 64 + list.count * 32)
        body.raw("{"); body.key("emails"); body.raw("[")
        for (i, element) in list.elements.enumerated() {
            guard let email = element.string, email.contains("@") else {
                throw YespoError(.invalidArgument, "emails[\(i)]: expected an email string")
            }
            if i > 0 { body.raw(",") }
            body.string(email)
        }
        body.raw("]}")
        _ = try send("POST", unsubscribe ? "/emails/unsubscribed/add" : "/emails/unsubscribed/delete", body: body.bytes)
    }

    /// startindex/maxrows (+ string keys) from optional JSON; unknown keys are errors.
    private func pageQuery(_ json: String?, what: String, extraStringKeys: Set<String>) throws(YespoError) -> [(String, String)] {
        guard let json, json.utf8.contains(where: { $0 > 0x20 }) else { return [] }
        let query = try parseObjectArgument(json, what)
        let reader = OptionReader(what: what)
        var pairs: [(String, String)] = []
        for (key, value) in query.root.members {
            if extraStringKeys.contains(key) {
                pairs.append((key, try reader.string(key, value)))
            } else if key == "startindex" || key == "maxrows" {
                let n = try reader.int(key, value)
                guard n >= 1, key == "startindex" || n <= 500 else {
                    throw YespoError(.invalidArgument, "\(what): \"\(key)\" out of range: \(n)")
                }
                pairs.append((key, String(n)))
            } else {
                throw YespoError(.invalidArgument, "\(what): unknown key \"\(key)\"")
            }
        }
        return pairs
    }
}
