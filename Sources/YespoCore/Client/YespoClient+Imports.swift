// Import sessions and file imports: /importstatus (with `mapping` always an array), waiting for an
// import to end, and POST /contacts/upload.
import Glibc

extension YespoClient {
    /// GET /importstatus/{id} → {"status":str,"mapping":[{"dedupeValue":str,"contactId":N}],"description":str|null}.
    public func importStatus(_ sessionId: String) throws(YespoError) -> String {
        guard !sessionId.isEmpty else { throw YespoError(.invalidArgument, "the import session id is empty") }
        let what = "GET /importstatus/\(sessionId)"
        let response = try send("GET", "/importstatus/" + percentEncodedPathSegment(sessionId))
        return try importStatusAnswer(response, what)
    }

    /// The /importstatus answer in the shape of include/yespo.h (`mapping` always an array).
    /// Separate from the request so that fuzz/responses can feed it hostile bodies.
    func importStatusAnswer(_ response: HTTPResponse, _ what: String) throws(YespoError) -> String {
        let answer = try parseAnswer(response, what)
        guard answer.root.kind == .object, let status = answer.root["status"]?.string else {
            throw YespoError(.protocol, "\(what): the answer has no \"status\": \(serverMessage(response.body))")
        }
        var out = JSONOutput(capacity: response.body.count + 64)
        out.raw("{"); out.key("status"); out.string(status)
        out.raw(","); out.key("mapping"); out.raw("[")
        if let mapping = answer.root["mapping"] {
            let entries = mapping.kind == .array ? mapping.elements : (mapping.kind == .object ? [mapping] : [])
            for (i, entry) in entries.enumerated() {
                if i > 0 { out.raw(",") }
                out.raw(entry.compactBytes())
            }
        }
        out.raw("]")
        out.raw(","); out.key("description"); out.string(answer.root["description"]?.string)
        out.raw("}")
        return out.text
    }

    /// Polls /importstatus every importPollMs until FINISHED or ERROR; .timeout after timeoutMs
    /// (0 = settings.importTimeoutMs).
    public func waitForImport(_ sessionId: String, timeoutMs: Int) throws(YespoError) -> String {
        let settings = self.settings
        let limitMs = timeoutMs > 0 ? timeoutMs : settings.importTimeoutMs
        let deadline = monotonicNs() + UInt64(limitMs) * 1_000_000
        var lastStatus = "unknown"
        while true {
            let text = try importStatus(sessionId)
            if let status = ImportStatusText.status(text) {
                lastStatus = status
                let upper = status.uppercased()
                if upper == "FINISHED" || upper == "ERROR" || upper == "FAILED" { return text }
            }
            let now = monotonicNs()
            guard now < deadline else {
                throw YespoError(.timeout, "import \(sessionId) still \(lastStatus) after \(limitMs) ms")
            }
            let sleepNs = min(UInt64(settings.importPollMs) * 1_000_000, deadline - now)
            var ts = timespec(tv_sec: Int(sleepNs / 1_000_000_000), tv_nsec: Int(sleepNs % 1_000_000_000))
            var rest = timespec()
            while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
            guard !isClosed else { throw Self.closedError }
        }
    }

    /// POST /contacts/upload: Yespo fetches a CSV from `link` and imports it → {"asyncSessionId":...}.
    public func uploadContacts(_ requestJSON: String) throws(YespoError) -> String {
        let request = try parseObjectArgument(requestJSON, "upload request")
        guard let link = request.root["link"]?.string, !link.isEmpty else {
            throw YespoError(.invalidArgument, "upload request: \"link\" must be a non-empty string (the CSV file's URL)")
        }
        let response = try send("POST", "/contacts/upload", body: request.root.compactBytes())
        let answer = try parseAnswer(response, "POST /contacts/upload")
        guard answer.root.kind == .object else {
            throw YespoError(.protocol, "POST /contacts/upload: expected a JSON object, got \(answer.root.kindName)")
        }
        return String(decoding: answer.root.compactBytes(), as: UTF8.self)
    }
}

private enum ImportStatusText {
    static func status(_ json: String) -> String? {
        guard case .success(let document) = JSONDocument.parse(json) else { return nil }
        return document.root["status"]?.string
    }
}
