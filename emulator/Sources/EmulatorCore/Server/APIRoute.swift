// The public API's routes under /api/v1 (and the one under /api/v2), recognised from method and
// path. Ids in paths become `{id}` in the route names that stats report.
enum APIRoute: Equatable {
    case bulk, importStatus(String), subscribe, addContact
    case getContact(Int64), updateContact(Int64), deleteContact(Int64), deleteByExternalId
    case search, upload, attach(Int64), detach(Int64), groups, groupContacts(Int64)
    case unsubscribedAdd, unsubscribedDelete
    case orders, deleteOrders
    case sendEmail, sendSMS, sendPrepared(Int64), smartSend(Int64)
    /// POST /api/v2/event
    case event

    var isBulk: Bool { self == .bulk }

    static let prefix = "/api/v1"
    static let prefixV2 = "/api/v2"

    /// Whether a request spends the bulk rate-limit bucket: bulk contacts, and bulk orders (the
    /// other method Yespo sizes in batches). Every other route spends the "other" bucket.
    static func usesBulkBucket(method: String, path: String) -> Bool {
        method == "POST" && (path == prefix + "/contacts" || path == prefix + "/orders")
    }

    /// The route's name for stats, e.g. "GET /api/v1/contact/{id}".
    static func template(method: String, path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { part -> Substring in
            part.allSatisfy(\.isNumber) ? "{id}" : part
        }
        var p = "/" + parts.joined(separator: "/")
        if parts.count == 4, parts[2] == "importstatus" { p = "/api/v1/importstatus/{id}" }
        return method + " " + p
    }

    /// Matches a path below /api/v1 or /api/v2 (without trailing slash). 404 for unknown paths,
    /// 405 for a known path with another method.
    static func match(method: String, path: String) -> Result<APIRoute, RequestError> {
        if path.hasPrefix(prefixV2 + "/") {
            if path == prefixV2 + "/event" {
                guard method == "POST" else {
                    return .failure(RequestError(status: 405, reason: "Request method '\(method)' not supported"))
                }
                return .success(.event)
            }
            return .failure(.notFound("No handler found for \(method) \(path)"))
        }
        guard path.hasPrefix(prefix + "/") || path == prefix else {
            return .failure(.notFound("No handler found for \(method) \(path)"))
        }
        let segs = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        func id(_ s: String, _ what: String) -> Result<Int64, RequestError> {
            guard let n = Int64(s), n > 0 else { return .failure(.badRequest("\(what) id '\(s)' is not a positive integer")) }
            return .success(n)
        }
        func only(_ allowed: [String: () -> Result<APIRoute, RequestError>]) -> Result<APIRoute, RequestError> {
            guard let make = allowed[method] else {
                return .failure(RequestError(status: 405, reason: "Request method '\(method)' not supported"))
            }
            return make()
        }
        switch segs.count {
        case 1:
            switch segs[0] {
            case "contacts": return only(["POST": { .success(.bulk) }, "GET": { .success(.search) }])
            case "contact": return only(["POST": { .success(.addContact) }, "DELETE": { .success(.deleteByExternalId) }])
            case "groups": return only(["GET": { .success(.groups) }])
            case "orders": return only(["POST": { .success(.orders) }, "DELETE": { .success(.deleteOrders) }])
            default: break
            }
        case 2:
            switch segs[0] {
            case "importstatus": return only(["GET": { .success(.importStatus(segs[1])) }])
            case "contacts" where segs[1] == "upload": return only(["POST": { .success(.upload) }])
            case "contact" where segs[1] == "subscribe": return only(["POST": { .success(.subscribe) }])
            case "message" where segs[1] == "email": return only(["POST": { .success(.sendEmail) }])
            case "message" where segs[1] == "sms": return only(["POST": { .success(.sendSMS) }])
            case "contact":
                return only([
                    "GET": { id(segs[1], "contact").map { .getContact($0) } },
                    "PUT": { id(segs[1], "contact").map { .updateContact($0) } },
                    "DELETE": { id(segs[1], "contact").map { .deleteContact($0) } },
                ])
            default: break
            }
        case 3:
            if segs[0] == "group" && segs[2] == "contacts" {
                return only(["GET": { id(segs[1], "group").map { .groupContacts($0) } }])
            }
            if segs[0] == "message" && segs[2] == "send" {
                return only(["POST": { id(segs[1], "message").map { .sendPrepared($0) } }])
            }
            if segs[0] == "message" && segs[2] == "smartsend" {
                return only(["POST": { id(segs[1], "message").map { .smartSend($0) } }])
            }
            if segs[0] == "emails" && segs[1] == "unsubscribed" {
                if segs[2] == "add" { return only(["POST": { .success(.unsubscribedAdd) }]) }
                if segs[2] == "delete" { return only(["POST": { .success(.unsubscribedDelete) }]) }
            }
        case 4:
            if segs[0] == "group" && segs[2] == "contacts" && (segs[3] == "attach" || segs[3] == "detach") {
                let attach = segs[3] == "attach"
                return only(["POST": { id(segs[1], "group").map { attach ? .attach($0) : .detach($0) } }])
            }
        default: break
        }
        return .failure(.notFound("No handler found for \(method) \(path)"))
    }
}
