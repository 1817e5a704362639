// Single-contact calls: subscribe, add, update, get, delete, search — JSON text in and out in the
// shapes of include/yespo.h.

extension YespoClient {
    /// POST /contact/subscribe → {"id":N}.
    public func subscribe(_ requestJSON: String) throws(YespoError) -> String {
        let request = try parseObjectArgument(requestJSON, "subscribe request")
        guard let contact = request.root["contact"], contact.kind == .object else {
            throw YespoError(.invalidArgument, "subscribe request: \"contact\" must be an object")
        }
        let response = try send("POST", "/contact/subscribe", body: request.root.compactBytes())
        return try idAnswer(response, "POST /contact/subscribe")
    }

    /// POST /contact (adds, or updates the contact with the same email/phone) → {"id":N}.
    public func addContact(_ contactJSON: String) throws(YespoError) -> String {
        let contact = try parseObjectArgument(contactJSON, "contact")
        let response = try send("POST", "/contact", body: contact.root.compactBytes())
        return try idAnswer(response, "POST /contact")
    }

    /// PUT /contact/{id}; never creates (.notFound when there is no such contact).
    public func updateContact(id: Int64, _ contactJSON: String) throws(YespoError) {
        try positive(id, "contact id")
        let contact = try parseObjectArgument(contactJSON, "contact")
        _ = try send("PUT", "/contact/\(id)", body: contact.root.compactBytes())
    }

    /// GET /contact/{id} → the contact object.
    public func getContact(id: Int64) throws(YespoError) -> String {
        try positive(id, "contact id")
        let response = try send("GET", "/contact/\(id)")
        let answer = try parseAnswer(response, "GET /contact/\(id)")
        guard answer.root.kind == .object else {
            throw YespoError(.protocol, "GET /contact/\(id): expected a contact object, got \(answer.root.kindName)")
        }
        return String(decoding: answer.root.compactBytes(), as: UTF8.self)
    }

    public func deleteContact(id: Int64) throws(YespoError) {
        try positive(id, "contact id")
        _ = try send("DELETE", "/contact/\(id)")
    }

    /// DELETE /contact?externalCustomerId=X&erase=true|false (erase: GDPR, no restore).
    public func deleteContact(externalCustomerId: String, erase: Bool) throws(YespoError) {
        guard !externalCustomerId.isEmpty else {
            throw YespoError(.invalidArgument, "externalCustomerId is empty")
        }
        _ = try send("DELETE", "/contact" + queryString([("externalCustomerId", externalCustomerId),
                                                         ("erase", erase ? "true" : "false")]))
    }

    /// GET /contacts, one page → {"totalCount":N,"contacts":[...]}; the total comes from the
    /// TotalCount header (the page's length when the header is missing).
    public func searchContacts(_ queryJSON: String) throws(YespoError) -> String {
        let query = try parseObjectArgument(queryJSON, "search query")
        var pairs: [(String, String)] = []
        let reader = OptionReader(what: "search query")
        for (key, value) in query.root.members {
            switch key {
            case "email", "sms", "firstname", "lastname", "externalCustomerId":
                if let number = value.int64, value.kind == .integer { pairs.append((key, String(number))) }
                else { pairs.append((key, try reader.string(key, value))) }
            case "startindex":
                let n = try reader.int(key, value)
                guard n >= 1 else { throw YespoError(.invalidArgument, "search query: \"startindex\" starts at 1, got \(n)") }
                pairs.append((key, String(n)))
            case "maxrows":
                let n = try reader.int(key, value)
                guard (1...500).contains(n) else { throw YespoError(.invalidArgument, "search query: \"maxrows\" must be 1..500, got \(n)") }
                pairs.append((key, String(n)))
            default:
                throw YespoError(.invalidArgument, "search query: unknown key \"\(key)\"")
            }
        }
        let response = try send("GET", "/contacts" + queryString(pairs))
        return try pageAnswer(response, "GET /contacts")
    }

    // MARK: helpers shared with the segment calls

    func positive(_ id: Int64, _ name: String) throws(YespoError) {
        guard id > 0 else { throw YespoError(.invalidArgument, "\(name) must be positive, got \(id)") }
    }

    /// {"id":N} from an answer whose id may be a number or a digit string.
    func idAnswer(_ response: HTTPResponse, _ what: String) throws(YespoError) -> String {
        let answer = try parseAnswer(response, what)
        var id: Int64? = nil
        if let node = answer.root["id"] { id = node.int64 ?? node.string.flatMap { Int64($0) } }
        if id == nil, let number = answer.root.int64 { id = number }
        guard let id else {
            throw YespoError(.protocol, "\(what): the answer names no contact id: \(serverMessage(response.body))")
        }
        var out = JSONOutput(capacity: 32)
        out.raw("{"); out.key("id"); out.int(id); out.raw("}")
        return out.text
    }

    /// {"totalCount":N,"contacts":[...]} from a JSON array page and its TotalCount header.
    func pageAnswer(_ response: HTTPResponse, _ what: String) throws(YespoError) -> String {
        let answer = try parseAnswer(response, what)
        var items = answer.root
        if answer.root.kind == .object, let contacts = answer.root["contacts"], contacts.kind == .array { items = contacts }
        guard items.kind == .array else {
            throw YespoError(.protocol, "\(what): expected a JSON array, got \(answer.root.kindName)")
        }
        var total = items.count
        if let header = response.headers["totalcount"], let n = Int(header.filter { $0 != " " }) { total = n }
        else if let n = answer.root["totalCount"]?.int64 { total = Int(n) }
        var out = JSONOutput(capacity: response.body.count + 32)
        out.raw("{"); out.key("totalCount"); out.int(total)
        out.raw(","); out.key("contacts"); out.raw(items.compactBytes()); out.raw("}")
        return out.text
    }
}
