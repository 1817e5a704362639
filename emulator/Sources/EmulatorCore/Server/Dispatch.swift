import Foundation
import Hummingbird

// The public API's handlers, one per route. Each validates its input completely and answers
// 4xx with a plain-text reason; nothing here can crash on input.
extension Emulator {
    func dispatch(_ route: APIRoute, request: Request, body: [UInt8], fault: inout FiredFault?) async -> Reply {
        let query = QueryString(request.uri.query)
        switch route {
        case .bulk:
            return refusingDuplicates(route: "bulk", request: request, body: body) {
                let reply = bulkImport(body: body, fault: &fault)
                // An import the importError fault fails applies nothing: not remembered.
                return (reply, reply.status == 200 && fault?.rule.action != .importError)
            }
        case .importStatus(let id): return importStatus(id)
        case .subscribe: return subscribe(body)
        case .addContact:
            return refusingDuplicates(route: "contact", request: request, body: body) {
                let reply = addContact(body)
                return (reply, reply.status == 200)
            }
        case .getContact(let id):
            return withWorld { w in
                guard let c = w.store.liveContact(id) else { return .text(404, "Contact with id='\(id)' not found") }
                return .json(w.store.json(c, admin: false))
            }
        case .updateContact(let id): return updateContact(id, body)
        case .deleteContact(let id):
            let ok = withWorld { $0.store.markDeleted(id) }
            return ok ? .text(200, "Contact with id='\(id)' has been deleted") : .text(404, "Contact with id='\(id)' not found")
        case .deleteByExternalId: return deleteByExternalId(query)
        case .search: return search(query)
        case .upload: return await upload(body, fault: fault)
        case .attach(let id): return attachDetach(groupId: id, body, attach: true)
        case .detach(let id): return attachDetach(groupId: id, body, attach: false)
        case .groups: return groups(query)
        case .groupContacts(let id): return groupContacts(id, query)
        case .unsubscribedAdd, .unsubscribedDelete: return unsubscribed(body, add: route == .unsubscribedAdd)
        case .orders:
            // The Shopify app catches "Duplicated request" on /orders too.
            return refusingDuplicates(route: "orders", request: request, body: body) {
                let reply = addOrders(body: body, fault: &fault)
                return (reply, reply.status == 200)
            }
        case .deleteOrders: return deleteOrders(query)
        case .sendEmail: return sendEmail(body)
        case .sendSMS: return sendSMS(body)
        case .sendPrepared(let id): return sendPrepared(id, body)
        case .smartSend(let id): return smartSend(id, body)
        case .event: return generateEvent(body)
        }
    }

    func parseBody(_ body: [UInt8]) -> Result<JSONValue, RequestError> {
        if body.isEmpty { return .failure(.badRequest("request body is empty; a JSON object is required")) }
        do { return .success(try JSONParser.parse(body)) } catch { return .failure(.badRequest(error.description)) }
    }

    private func contactInput(_ v: JSONValue, requireChannel: Bool) -> Result<ContactInput, RequestError> {
        ContactValidation.parse(v, requireChannel: requireChannel).mapError { .badRequest($0.reason) }
    }

    func addContact(_ body: [UInt8]) -> Reply {
        let input: ContactInput
        switch parseBody(body).flatMap({ contactInput($0, requireChannel: true) }) {
        case .success(let c): input = c
        case .failure(let e): return .error(e)
        }
        let id = withWorld { $0.store.addOrUpdate(input) }
        return .json(JSONValue.object([("id", .int(id))]))
    }

    func subscribe(_ body: [UInt8]) -> Reply {
        let doc: JSONValue
        switch parseBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        guard doc.isObject, let contact = doc["contact"] else { return .text(400, "'contact' is required") }
        let input: ContactInput
        switch contactInput(contact, requireChannel: true) {
        case .success(let c): input = c
        case .failure(let e): return .error(e)
        }
        var groups: [String] = []
        if let g = doc["groups"], g != .null {
            guard let items = g.arrayValue else { return .text(400, "'groups' must be an array of segment names") }
            for item in items {
                guard let s = item.stringValue, !s.isEmpty else { return .text(400, "'groups' must be an array of segment names") }
                groups.append(s)
            }
        }
        var formType: String?
        if let f = doc["formType"], f != .null {
            guard let s = f.stringValue else { return .text(400, "'formType' must be a string") }
            formType = s
        }
        let id = withWorld { $0.store.subscribe(input, groups: groups, formType: formType) }
        return .json(JSONValue.object([("id", .int(id))]))
    }

    func updateContact(_ id: Int64, _ body: [UInt8]) -> Reply {
        let input: ContactInput
        switch parseBody(body).flatMap({ contactInput($0, requireChannel: false) }) {
        case .success(let c): input = c
        case .failure(let e): return .error(e)
        }
        let ok = withWorld { $0.store.update(id: id, input) }
        return ok ? .text(200, "Contact with id='\(id)' has been updated") : .text(404, "Contact with id='\(id)' not found")
    }

    func deleteByExternalId(_ q: QueryString) -> Reply {
        guard let ext = q["externalCustomerId"], !ext.isEmpty else {
            return .text(400, "query parameter 'externalCustomerId' is required")
        }
        var erase = false
        if let e = q["erase"] {
            guard let b = Bool(e.lowercased()) else { return .text(400, "query parameter 'erase' must be true or false") }
            erase = b
        }
        let ok = withWorld { w -> Bool in
            guard let id = w.store.contactId(externalCustomerId: ext) else { return false }
            if erase { return w.store.erase(id) }
            return w.store.markDeleted(id)
        }
        return ok ? .text(200, "Contact with externalCustomerId='\(ext)' has been \(erase ? "erased" : "deleted")")
                  : .text(404, "Contact with externalCustomerId='\(ext)' not found")
    }

    /// Reads startindex (from 1) and maxrows (≤ 500).
    func paging(_ q: QueryString) -> Result<(start: Int, rows: Int), RequestError> {
        var start = 1, rows = 500
        if let s = q["startindex"] {
            guard let n = Int(s), n >= 1 else { return .failure(.badRequest("startindex must be an integer ≥ 1")) }
            start = n
        }
        if let s = q["maxrows"] {
            guard let n = Int(s), (1...500).contains(n) else { return .failure(.badRequest("maxrows must be an integer from 1 to 500")) }
            rows = n
        }
        return .success((start, rows))
    }

    func search(_ q: QueryString) -> Reply {
        let page: (start: Int, rows: Int)
        switch paging(q) {
        case .success(let p): page = p
        case .failure(let e): return .error(e)
        }
        let email = q["email"].flatMap { $0.isEmpty ? nil : $0.trimmingWhitespace().lowercased() }
        let sms = q["sms"].flatMap { $0.isEmpty ? nil : (ContactValidation.normalisePhone($0) ?? $0) }
        let ext = q["externalCustomerId"].flatMap { $0.isEmpty ? nil : $0 }
        let first = q["firstname"].flatMap { $0.isEmpty ? nil : $0 }
        let last = q["lastname"].flatMap { $0.isEmpty ? nil : $0 }
        return withWorld { w -> Reply in
            let s = w.store
            var sets: [Set<Int64>] = []
            if let email { sets.append(Set(s.ids(email: email))) }
            if let sms { sets.append(Set(s.ids(phone: sms))) }
            if let ext { sets.append(Set(s.contactId(externalCustomerId: ext).map { [$0] } ?? [])) }
            let pool: [Int64]
            if let firstSet = sets.first {
                pool = sets.dropFirst().reduce(firstSet) { $0.intersection($1) }.sorted()
            } else {
                pool = s.allContacts.map(\.id)
            }
            let hits = pool.filter { id in
                guard let c = s.liveContact(id) else { return false }
                if let first, c.firstName != first { return false }
                if let last, c.lastName != last { return false }
                return true
            }
            let pageIds = hits.dropFirst(page.start - 1).prefix(page.rows)
            var r = Reply.json(s.jsonArray(pageIds))
            r.headers.append((Reply.totalCount, String(hits.count)))
            return r
        }
    }
}

/// Query parameters, percent-decoded ("+" is a space).
struct QueryString {
    var items: [(String, String)] = []

    init(_ query: String?) {
        guard let query else { return }
        for part in query.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let plus = s.replacingOccurrences(of: "+", with: " ")
                return plus.removingPercentEncoding ?? plus
            }
            items.append((decode(kv[0]), kv.count > 1 ? decode(kv[1]) : ""))
        }
    }

    subscript(_ key: String) -> String? { items.last { $0.0 == key }?.1 }
}
