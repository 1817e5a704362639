// Single-call exports: one synchronous API request each, JSON text in and out.
import YespoCore

public typealias COut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
public typealias CErr = UnsafeMutablePointer<OpaquePointer?>

/// The common shape: JSON text in (required), JSON text out.
private func jsonCall(_ client: OpaquePointer?, _ input: UnsafePointer<CChar>?, _ inputName: String,
                      _ out: COut?, _ err: CErr?,
                      _ call: (YespoClient, String) throws(YespoError) -> String) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        let text = try stringArgument(input, inputName)
        try copyOut(call(box.open(), text), to: out)
    }
}

private func positiveId(_ value: Int64, _ name: String) throws(YespoError) {
    guard value > 0 else { throw invalidArgument("\(name) must be a positive id, got \(value)") }
}

@_cdecl("yespo_subscribe")
public func yespo_subscribe(_ client: OpaquePointer?, _ requestJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, requestJSON, "request_json", out, err) { c, json throws(YespoError) in try c.subscribe(json) }
}

@_cdecl("yespo_contact_add")
public func yespo_contact_add(_ client: OpaquePointer?, _ contactJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, contactJSON, "contact_json", out, err) { c, json throws(YespoError) in try c.addContact(json) }
}

@_cdecl("yespo_contact_update")
public func yespo_contact_update(_ client: OpaquePointer?, _ contactId: Int64, _ contactJSON: UnsafePointer<CChar>?,
                                 _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        try positiveId(contactId, "contact_id")
        let json = try stringArgument(contactJSON, "contact_json")
        try box.open().updateContact(id: contactId, json)
    }
}

@_cdecl("yespo_contact_get")
public func yespo_contact_get(_ client: OpaquePointer?, _ contactId: Int64, _ out: COut?, _ err: CErr?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try positiveId(contactId, "contact_id")
        try copyOut(box.open().getContact(id: contactId), to: out)
    }
}

@_cdecl("yespo_contact_delete")
public func yespo_contact_delete(_ client: OpaquePointer?, _ contactId: Int64, _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        try positiveId(contactId, "contact_id")
        try box.open().deleteContact(id: contactId)
    }
}

@_cdecl("yespo_contact_delete_external")
public func yespo_contact_delete_external(_ client: OpaquePointer?, _ externalCustomerId: UnsafePointer<CChar>?,
                                          _ erase: Int32, _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let id = try stringArgument(externalCustomerId, "external_customer_id")
        guard !id.isEmpty else { throw invalidArgument("external_customer_id is empty") }
        let erase = try boolOption("erase", Int64(erase))
        try box.open().deleteContact(externalCustomerId: id, erase: erase)
    }
}

@_cdecl("yespo_contacts_search")
public func yespo_contacts_search(_ client: OpaquePointer?, _ queryJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, queryJSON, "query_json", out, err) { c, json throws(YespoError) in try c.searchContacts(json) }
}

@_cdecl("yespo_import_status")
public func yespo_import_status(_ client: OpaquePointer?, _ sessionId: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, sessionId, "async_session_id", out, err) { c, id throws(YespoError) in
        guard !id.isEmpty else { throw invalidArgument("async_session_id is empty") }
        return try c.importStatus(id)
    }
}

@_cdecl("yespo_import_wait")
public func yespo_import_wait(_ client: OpaquePointer?, _ sessionId: UnsafePointer<CChar>?, _ timeoutMs: Int64,
                              _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, sessionId, "async_session_id", out, err) { c, id throws(YespoError) in
        guard !id.isEmpty else { throw invalidArgument("async_session_id is empty") }
        guard timeoutMs >= 0 else { throw invalidArgument("timeout_ms must be >= 0 (0 = the client's default), got \(timeoutMs)") }
        let timeout = timeoutMs == 0 ? c.settings.importTimeoutMs : Int(timeoutMs)
        return try c.waitForImport(id, timeoutMs: timeout)
    }
}

@_cdecl("yespo_contacts_upload")
public func yespo_contacts_upload(_ client: OpaquePointer?, _ requestJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, requestJSON, "request_json", out, err) { c, json throws(YespoError) in try c.uploadContacts(json) }
}

@_cdecl("yespo_segment_attach")
public func yespo_segment_attach(_ client: OpaquePointer?, _ groupId: Int64, _ idsJSON: UnsafePointer<CChar>?, _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        try positiveId(groupId, "group_id")
        let json = try stringArgument(idsJSON, "ids_json")
        try box.open().attachToSegment(groupId: groupId, json)
    }
}

@_cdecl("yespo_segment_detach")
public func yespo_segment_detach(_ client: OpaquePointer?, _ groupId: Int64, _ idsJSON: UnsafePointer<CChar>?, _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        try positiveId(groupId, "group_id")
        let json = try stringArgument(idsJSON, "ids_json")
        try box.open().detachFromSegment(groupId: groupId, json)
    }
}

@_cdecl("yespo_segments_list")
public func yespo_segments_list(_ client: OpaquePointer?, _ queryJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        let query = try optionalStringArgument(queryJSON, "query_json")
        try copyOut(box.open().listSegments(query), to: out)
    }
}

@_cdecl("yespo_segment_contacts")
public func yespo_segment_contacts(_ client: OpaquePointer?, _ groupId: Int64, _ queryJSON: UnsafePointer<CChar>?,
                                   _ out: COut?, _ err: CErr?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try positiveId(groupId, "group_id")
        let query = try optionalStringArgument(queryJSON, "query_json")
        try copyOut(box.open().segmentContacts(groupId: groupId, query), to: out)
    }
}

@_cdecl("yespo_emails_unsubscribed")
public func yespo_emails_unsubscribed(_ client: OpaquePointer?, _ emailsJSON: UnsafePointer<CChar>?, _ unsubscribe: Int32,
                                      _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let json = try stringArgument(emailsJSON, "emails_json")
        let add = try boolOption("unsubscribe", Int64(unsubscribe))
        try box.open().setUnsubscribed(json, unsubscribe: add)
    }
}

// MARK: events, orders, messages (issue 13)

@_cdecl("yespo_event_send")
public func yespo_event_send(_ client: OpaquePointer?, _ eventJSON: UnsafePointer<CChar>?, _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let json = try stringArgument(eventJSON, "event_json")
        try box.open().sendEvent(json)
    }
}

@_cdecl("yespo_orders_delete")
public func yespo_orders_delete(_ client: OpaquePointer?, _ queryJSON: UnsafePointer<CChar>?, _ err: CErr?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let json = try stringArgument(queryJSON, "query_json")
        try box.open().deleteOrders(json)
    }
}

@_cdecl("yespo_message_email")
public func yespo_message_email(_ client: OpaquePointer?, _ requestJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, requestJSON, "request_json", out, err) { c, json throws(YespoError) in try c.sendEmailMessage(json) }
}

@_cdecl("yespo_message_sms")
public func yespo_message_sms(_ client: OpaquePointer?, _ requestJSON: UnsafePointer<CChar>?, _ out: COut?, _ err: CErr?) -> Int32 {
    jsonCall(client, requestJSON, "request_json", out, err) { c, json throws(YespoError) in try c.sendSMSMessage(json) }
}

@_cdecl("yespo_message_send")
public func yespo_message_send(_ client: OpaquePointer?, _ messageId: Int64, _ requestJSON: UnsafePointer<CChar>?,
                               _ out: COut?, _ err: CErr?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try positiveId(messageId, "message_id")
        let json = try stringArgument(requestJSON, "request_json")
        try copyOut(box.open().sendPreparedMessage(id: messageId, json), to: out)
    }
}
