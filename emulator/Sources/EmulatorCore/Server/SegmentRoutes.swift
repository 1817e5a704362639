// Segments (groups), attach/detach (≤ 500 ids, one kind of id per request) and the
// unsubscribed list.
extension Emulator {
    static let maxAttach = 500

    func attachDetach(groupId: Int64, _ body: [UInt8], attach: Bool) -> Reply {
        var doc = JSONValue.object([])
        if !body.isEmpty {
            switch parseBody(body) {
            case .success(let d): doc = d
            case .failure(let e): return .error(e)
            }
        }
        guard doc.isObject else { return .text(400, "request body must be a JSON object") }
        let byId = doc["contactIds"].flatMap { $0 == .null ? nil : $0 }
        let byExt = doc["externalCustomerIds"].flatMap { $0 == .null ? nil : $0 }
        if byId != nil && byExt != nil {
            return .text(400, "give contactIds or externalCustomerIds, not both")
        }
        var ids: [Int64]?
        var exts: [String]?
        if let byId {
            guard let items = byId.arrayValue else { return .text(400, "contactIds must be an array of integers") }
            var out: [Int64] = []
            for item in items {
                let n: Int64?
                if case .string(let s) = item { n = Int64(s) } else { n = item.int64Value }
                guard let n else { return .text(400, "contactIds must be an array of integers") }
                out.append(n)
            }
            ids = out
        }
        if let byExt {
            guard let items = byExt.arrayValue else { return .text(400, "externalCustomerIds must be an array of strings") }
            var out: [String] = []
            for item in items {
                switch item {
                case .string(let s): out.append(s)
                case .int(let n): out.append(String(n))
                default: return .text(400, "externalCustomerIds must be an array of strings")
                }
            }
            exts = out
        }
        let count = (ids?.count ?? 0) + (exts?.count ?? 0)
        if count > Self.maxAttach { return .text(400, "at most \(Self.maxAttach) contacts per request, got \(count)") }
        if attach && ids == nil && exts == nil { return .text(400, "contactIds or externalCustomerIds is required") }
        return withWorld { w -> Reply in
            guard w.store.segment(id: groupId) != nil else { return .text(404, "Group with id='\(groupId)' not found") }
            var targets: [Int64]? = ids?.filter { w.store.liveContact($0) != nil }
            if let exts { targets = exts.compactMap { w.store.contactId(externalCustomerId: $0) } }
            if attach {
                w.store.addMembers(targets ?? [], toSegmentId: groupId)
            } else {
                // No ids at all: detach every contact, as documented.
                w.store.removeMembers(ids == nil && exts == nil ? nil : (targets ?? []), fromSegmentId: groupId)
            }
            return .text(200, "")
        }
    }

    func groups(_ q: QueryString) -> Reply {
        let page: (start: Int, rows: Int)
        switch paging(q) {
        case .success(let p): page = p
        case .failure(let e): return .error(e)
        }
        let name = q["name"].flatMap { $0.isEmpty ? nil : $0 }
        return withWorld { w -> Reply in
            let needle = name?.lowercased()
            let all = w.store.segments.filter { s in needle.map { s.name.lowercased().contains($0) } ?? true }
            var out = JSONWriter()
            out.raw("[")
            for (i, s) in all.dropFirst(page.start - 1).prefix(page.rows).enumerated() {
                if i > 0 { out.raw(",") }
                out.raw("{\"id\":"); out.int(s.id)
                out.raw(",\"name\":"); out.string(s.name)
                out.raw(",\"type\":"); out.string(s.type)
                out.raw("}")
            }
            out.raw("]")
            var r = Reply.json(out.bytes)
            r.headers.append((Reply.totalCount, String(all.count)))
            return r
        }
    }

    func groupContacts(_ id: Int64, _ q: QueryString) -> Reply {
        let page: (start: Int, rows: Int)
        switch paging(q) {
        case .success(let p): page = p
        case .failure(let e): return .error(e)
        }
        return withWorld { w -> Reply in
            guard let seg = w.store.segment(id: id) else { return .text(404, "Group with id='\(id)' not found") }
            let members = seg.members.filter { w.store.liveContact($0) != nil }.sorted()
            var r = Reply.json(w.store.jsonArray(members.dropFirst(page.start - 1).prefix(page.rows)))
            r.headers.append((Reply.totalCount, String(members.count)))
            return r
        }
    }

    func unsubscribed(_ body: [UInt8], add: Bool) -> Reply {
        let doc: JSONValue
        switch parseBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        guard let items = doc["emails"]?.arrayValue else { return .text(400, "'emails' must be an array of email addresses") }
        var emails: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue, let e = ContactValidation.normaliseEmail(s) else {
                return .text(400, "emails[\(i)] is not a valid email address")
            }
            emails.append(e)
        }
        withWorld { $0.store.setUnsubscribed(emails, add) }
        return .text(200, "")
    }
}
