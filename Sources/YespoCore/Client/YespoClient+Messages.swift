// Message sends that create contacts: POST /message/email, /message/sms and /message/{id}/send.
// The bodies pass through as the caller wrote them (the API has more fields than we could confirm,
// docs/events-and-messages.md); only what every send needs is checked, so a typo fails here with
// a clear message instead of as a 400. The answer comes back as JSON.

extension YespoClient {
    /// POST /message/email: {"from","subject","htmlText"|"plainText","emails":[...], ...}.
    public func sendEmailMessage(_ requestJSON: String) throws(YespoError) -> String {
        let request = try parseObjectArgument(requestJSON, "email message")
        let root = request.root
        try requireText(root, "from", "email message")
        try requireText(root, "subject", "email message")
        guard root["htmlText"]?.string?.isEmpty == false || root["plainText"]?.string?.isEmpty == false else {
            throw YespoError(.invalidArgument, "email message: give \"htmlText\" or \"plainText\" (the message body)")
        }
        let emails = try requireList(root, "emails", "email message")
        for (i, e) in emails.enumerated() {
            guard let text = e.string, text.contains("@"), !text.contains(" ") else {
                throw YespoError(.invalidArgument, "email message: \"emails\"[\(i)] must be an email address")
            }
        }
        let response = try send("POST", "/message/email", body: root.compactBytes())
        return messageAnswer(response)
    }

    /// POST /message/sms: {"from","text","phoneNumbers":[...], ...}.
    public func sendSMSMessage(_ requestJSON: String) throws(YespoError) -> String {
        let request = try parseObjectArgument(requestJSON, "sms message")
        let root = request.root
        try requireText(root, "from", "sms message")
        try requireText(root, "text", "sms message")
        let phones = try requireList(root, "phoneNumbers", "sms message")
        for (i, p) in phones.enumerated() {
            let digits = (scalarText(p) ?? "").filter { $0.isASCII && $0.isNumber }
            guard p.kind == .string || p.kind == .integer, (7...15).contains(digits.count) else {
                throw YespoError(.invalidArgument, "sms message: \"phoneNumbers\"[\(i)] must be a phone number (7 to 15 digits)")
            }
        }
        let response = try send("POST", "/message/sms", body: root.compactBytes())
        return messageAnswer(response)
    }

    /// POST /message/{id}/send: a prepared message to {"recipients":[...], "params"?, "email"?, ...}.
    public func sendPreparedMessage(id: Int64, _ requestJSON: String) throws(YespoError) -> String {
        try positive(id, "message id")
        let request = try parseObjectArgument(requestJSON, "prepared message request")
        let recipients = try requireList(request.root, "recipients", "prepared message request")
        for (i, r) in recipients.enumerated() {
            let ok = (r.kind == .string && r.string?.isEmpty == false) || r.kind == .object || r.kind == .integer
            guard ok else {
                throw YespoError(.invalidArgument, "prepared message request: \"recipients\"[\(i)] must be an email, a phone or an object")
            }
        }
        let response = try send("POST", "/message/\(id)/send", body: request.root.compactBytes())
        return messageAnswer(response)
    }

    private func requireText(_ root: JSONNode, _ key: String, _ what: String) throws(YespoError) {
        guard let node = root[key] else { throw YespoError(.invalidArgument, "\(what): \"\(key)\" is missing") }
        guard let text = node.string, !text.isEmpty else {
            throw YespoError(.invalidArgument, "\(what): \"\(key)\" must be a non-empty string, got \(node.kindName)")
        }
    }

    private func requireList(_ root: JSONNode, _ key: String, _ what: String) throws(YespoError) -> [JSONNode] {
        guard let node = root[key], node.kind == .array, node.count > 0 else {
            throw YespoError(.invalidArgument, "\(what): \"\(key)\" must be a non-empty array")
        }
        return node.elements
    }

    /// The 2xx answer as JSON: a JSON body as it is, an empty body as {}, text as {"message":text}.
    func messageAnswer(_ response: HTTPResponse) -> String {
        if case .success(let document) = JSONDocument.parse(response.body) {
            return String(decoding: document.root.compactBytes(), as: UTF8.self)
        }
        let text = serverMessage(response.body)
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return "{}" }
        var out = JSONOutput(capacity: text.utf8.count + 16)
        out.raw("{"); out.key("message"); out.string(redactingSecret(text, settings.apiKey)); out.raw("}")
        return out.text
    }
}
