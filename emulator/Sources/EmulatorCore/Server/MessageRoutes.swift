// The message sends that create contacts (the guide: "send email message", "send SMS message",
// /v1/message/{id}/send, "send prepared message" = smartsend). Nothing is sent: each recipient
// is logged, and an unknown address or phone becomes a confirmed contact with only that channel,
// in no segment, with no event, source `singleMessage`. A known contact is never touched.
//
// Request fields: sendemail-1 (from, subject, htmlText, plainText, emails, … as Pipedream's Yespo
// action sends them) and the smartsend guide (recipients[{contactId, locator, jsonParam,
// languageCode}], email, fromName, externalRequestId) are confirmed; the SMS and /send bodies
// and the per-recipient result fields besides `locator` are emulator choices.
extension Emulator {
    static let maxSmartSendRecipients = 1000

    /// One recipient to deliver to: an address/phone as sent, and which channel it is.
    struct Recipient {
        var locator: String
        var isEmail: Bool
        var contactId: Int64? = nil
        var details: [(String, JSONValue)] = []
    }

    func sendEmail(_ body: [UInt8]) -> Reply {
        let doc: JSONValue
        switch messageBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        for key in ["from", "subject"] {
            guard let s = doc[key]?.stringValue, !s.isEmpty else { return .text(400, "'\(key)' is required (a non-empty string)") }
        }
        let html = doc["htmlText"]?.stringValue ?? ""
        let plain = doc["plainText"]?.stringValue ?? ""
        guard !html.isEmpty || !plain.isEmpty else { return .text(400, "'htmlText' or 'plainText' is required") }
        let emails: [String]
        switch stringList(doc["emails"], "emails") {
        case .success(let l): emails = l
        case .failure(let e): return .error(e)
        }
        let details = pick(doc, ["from", "subject", "externalRequestId", "tags"])
        let results = deliver(.email, messageId: nil,
                              emails.map { Recipient(locator: $0, isEmail: true, details: details) })
        return .json(.object([("results", .array(results))]))
    }

    func sendSMS(_ body: [UInt8]) -> Reply {
        let doc: JSONValue
        switch messageBody(body) {
        case .success(let d): doc = d
        case .failure(let e): return .error(e)
        }
        for key in ["from", "text"] {
            guard let s = doc[key]?.stringValue, !s.isEmpty else { return .text(400, "'\(key)' is required (a non-empty string)") }
        }
        let phones: [String]
        switch stringList(doc["phoneNumbers"], "phoneNumbers") {
        case .success(let l): phones = l
        case .failure(let e): return .error(e)
        }
        let details = pick(doc, ["from", "text", "externalRequestId", "tags"])
        let results = deliver(.sms, messageId: nil, phones.map { Recipient(locator: $0, isEmail: false, details: details) })
        return .json(.object([("results", .array(results))]))
    }

    /// POST /message/{id}/send: `recipients` are addresses or phones (strings, or objects with a
    /// `locator`); `email` says which, and without it a locator with '@' is an email.
    func sendPrepared(_ messageId: Int64, _ body: [UInt8]) -> Reply {
        let doc: JSONValue, email: Bool?
        switch preparedRequest(body) {
        case .success(let r): (doc, email) = r
        case .failure(let e): return .error(e)
        }
        guard let items = doc["recipients"]?.arrayValue, !items.isEmpty else {
            return .text(400, "'recipients' must be a non-empty array")
        }
        let details = pick(doc, ["fromName", "externalRequestId", "params"])
        var recipients: [Recipient] = []
        for (i, item) in items.enumerated() {
            guard let locator = item.stringValue ?? item["locator"]?.stringValue, !locator.isEmpty else {
                return .text(400, "recipients[\(i)] must be an email or phone (or an object with a 'locator')")
            }
            recipients.append(Recipient(locator: locator, isEmail: email ?? locator.contains("@"), details: details))
        }
        return .json(.object([("results", .array(deliver(.prepared, messageId: messageId, recipients)))]))
    }

    /// POST /message/{id}/smartsend: up to 1000 recipients, each a `locator` or a `contactId`.
    /// Answers `{"id": 0, "results": [...]}` (the guide: id is always 0).
    func smartSend(_ messageId: Int64, _ body: [UInt8]) -> Reply {
        let doc: JSONValue, email: Bool?
        switch preparedRequest(body) {
        case .success(let r): (doc, email) = r
        case .failure(let e): return .error(e)
        }
        guard let items = doc["recipients"]?.arrayValue, (1...Self.maxSmartSendRecipients).contains(items.count) else {
            return .text(400, "'recipients' must be an array of 1 to \(Self.maxSmartSendRecipients) recipients")
        }
        let shared = pick(doc, ["fromName", "externalRequestId"])
        var recipients: [Recipient] = []
        for (i, item) in items.enumerated() {
            guard item.isObject else { return .text(400, "recipients[\(i)] must be an object") }
            let locator = item["locator"]?.stringValue ?? ""
            var contactId: Int64?
            if let c = item["contactId"], c != .null {
                guard let n = c.int64Value ?? c.stringValue.flatMap({ Int64($0) }), n > 0 else {
                    return .text(400, "recipients[\(i)].contactId must be a positive integer")
                }
                contactId = n
            }
            guard !locator.isEmpty || contactId != nil else {
                return .text(400, "recipients[\(i)] needs a 'locator' or a 'contactId'")
            }
            if let j = item["jsonParam"], j != .null, j.stringValue == nil, !j.isObject {
                return .text(400, "recipients[\(i)].jsonParam must be a JSON string")
            }
            recipients.append(Recipient(locator: locator, isEmail: email ?? locator.contains("@"), contactId: contactId,
                                        details: shared + pick(item, ["jsonParam", "languageCode", "externalRequestId"])))
        }
        let results = deliver(.smartsend, messageId: messageId, recipients)
        return .json(.object([("id", .int(0)), ("results", .array(results))]))
    }

    // MARK: shared

    /// Logs every recipient, creating channel-only contacts for unknown ones, and answers one
    /// result per recipient in request order.
    private func deliver(_ kind: MessageKind, messageId: Int64?, _ recipients: [Recipient]) -> [JSONValue] {
        withWorld { w in
            recipients.map { r -> JSONValue in
                let requestId = UUIDText.make()
                var send = MessageSend(kind: kind, messageId: messageId, locator: r.locator, status: "OK", error: nil,
                                       contactId: nil, contactCreated: false, requestId: requestId, details: r.details)
                if r.locator.isEmpty, let id = r.contactId {
                    // A recipient by contact id only: that contact must exist; nothing is created.
                    if w.store.liveContact(id) != nil { send.contactId = id } else { send.error = "contact \(id) not found" }
                } else if r.isEmail {
                    if let e = ContactValidation.normaliseEmail(r.locator) {
                        (send.contactId, send.contactCreated) = w.store.contactForChannels(email: e, phone: nil, source: .singleMessage)
                    } else {
                        send.error = "invalid email '\(r.locator)'"
                    }
                } else if let p = ContactValidation.normalisePhone(r.locator) {
                    (send.contactId, send.contactCreated) = w.store.contactForChannels(email: nil, phone: p, source: .singleMessage)
                } else {
                    send.error = "invalid phone number '\(r.locator)'"
                }
                if send.error != nil { send.status = "ERROR" }
                w.messages.append(send)
                var out: [(String, JSONValue)] = [("locator", .string(r.locator)), ("status", .string(send.status))]
                if let e = send.error { out.append(("message", .string(e))) }
                out.append(("requestId", .string(requestId)))
                return .object(out)
            }
        }
    }

    private func messageBody(_ body: [UInt8]) -> Result<JSONValue, RequestError> {
        parseBody(body).flatMap { doc in
            doc.isObject ? .success(doc) : .failure(.badRequest("request body must be a JSON object, got \(doc.kindName)"))
        }
    }

    /// A required, non-empty array of non-empty strings.
    private func stringList(_ v: JSONValue?, _ key: String) -> Result<[String], RequestError> {
        guard let items = v?.arrayValue, !items.isEmpty else { return .failure(.badRequest("'\(key)' must be a non-empty array")) }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue, !s.isEmpty else { return .failure(.badRequest("\(key)[\(i)] must be a non-empty string")) }
            out.append(s)
        }
        return .success(out)
    }

    /// The body of a prepared-message send (/send, /smartsend) and its optional `email` flag.
    private func preparedRequest(_ body: [UInt8]) -> Result<(JSONValue, Bool?), RequestError> {
        messageBody(body).flatMap { doc in flag(doc["email"]).map { (doc, $0) } }
    }

    private func flag(_ v: JSONValue?) -> Result<Bool?, RequestError> {
        switch v {
        case nil, .null?: return .success(nil)
        case .bool(let b)?: return .success(b)
        default: return .failure(.badRequest("'email' must be true or false"))
        }
    }

    /// The members of `doc` named in `keys` that are present, for the message log.
    private func pick(_ doc: JSONValue, _ keys: [String]) -> [(String, JSONValue)] {
        keys.compactMap { k in doc[k].flatMap { $0 == .null ? nil : (k, $0) } }
    }
}
