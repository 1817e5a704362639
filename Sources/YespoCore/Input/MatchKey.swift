// Which contacts are "the same" inside one chunk (matchKey) and which value Yespo will report back
// for a row in /importstatus `mapping` (dedupeValue), both per contracts §3.

extension ContactFacts {
    /// Why the row cannot be matched by Yespo, or nil when the dedupe key is present.
    /// An externalCustomerId always matches first, so it satisfies every dedupeOn.
    func missingDedupeKey(_ dedupeOn: DedupeKey, fieldId: Int?) -> String? {
        if externalCustomerId != nil { return nil }
        let has: Bool
        let what: String
        switch dedupeOn {
        case .email: has = email != nil; what = "email channel"
        case .sms: has = phone != nil; what = "sms channel"
        case .emailOrSms: has = email != nil || phone != nil; what = "email or sms channel"
        case .id: has = id != nil; what = "id"
        case .fieldId:
            guard let fieldId else { return "dedupeOn is fieldId but the job sets no fieldId" }
            has = dedupeFieldValue != nil; what = "value for custom field \(fieldId)"
        case .externalCustomerId:
            return "dedupeOn is externalCustomerId but the contact has no externalCustomerId"
        case .push: has = pushToken != nil; what = "mobilepush channel"
        case .webpush: has = webpushToken != nil; what = "webpush channel"
        }
        return has ? nil : "dedupeOn is \(dedupeOn.rawValue) but the contact has no \(what) (and no externalCustomerId)"
    }

    /// `ext:<id>` when the row has an externalCustomerId, else the dedupeOn value with its prefix.
    func matchKey(_ dedupeOn: DedupeKey, json: UnsafeRawBufferPointer) -> String? {
        var out = ByteWriter(capacity: 64)
        defer { out.free() }
        guard writeMatchKey(dedupeOn, json: json, into: &out) else { return nil }
        return String(decoding: out.all, as: UTF8.self)
    }

    /// The bytes of `matchKey` appended to `out` (no String built); false when the row has none.
    func writeMatchKey(_ dedupeOn: DedupeKey, json: UnsafeRawBufferPointer, into out: inout ByteWriter) -> Bool {
        func put(_ prefix: StaticString, _ r: Range<Int>?) -> Bool {
            guard let r else { return false }
            out.append(prefix)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: json[r]))
            return true
        }
        func put(_ prefix: StaticString, _ v: ValueBytes?) -> Bool {
            switch v {
            case nil: return false
            case .inOutput(let r)?: return put(prefix, r)
            case .owned(let b)?:
                out.append(prefix)
                out.append(contentsOf: b)
                return true
            }
        }
        if externalCustomerId != nil { return put("ext:", externalCustomerId) }
        switch dedupeOn {
        case .email: return put("email:", email)
        case .sms: return put("sms:", phone)
        case .emailOrSms: return put("email:", email) || put("sms:", phone)
        case .id:
            guard let id else { return false }
            out.append("id:")
            appendDecimal(id, into: &out)
            return true
        case .fieldId: return put("field:", dedupeFieldValue)
        case .externalCustomerId: return false
        case .push: return put("push:", pushToken)
        case .webpush: return put("webpush:", webpushToken)
        }
    }

    /// The row's identities for the write-order gate: the channels collected while writing, plus
    /// the external id and, for the dedupe modes that match on something else, that value.
    func completeOrderKeys(_ dedupeOn: DedupeKey, json: UnsafeRawBufferPointer) -> OrderKeys {
        var keys = orderKeys
        if let ext = externalCustomerId {
            switch ext {
            case .inOutput(let r): keys.insert(OrderKeys.hash(.externalCustomerId, UnsafeRawBufferPointer(rebasing: json[r])))
            case .owned(let b): b.withUnsafeBytes { keys.insert(OrderKeys.hash(.externalCustomerId, $0)) }
            }
        }
        switch dedupeOn {
        case .email, .sms, .emailOrSms, .externalCustomerId: break
        default:
            if let (prefix, value) = dedupeKeyValue(dedupeOn, json: json) {
                keys.insert(OrderKeys.hash(.dedupeValue, prefix + value))
            }
        }
        return keys
    }

    /// The value Yespo reports as `dedupeValue` for this row (by dedupeOn only).
    func dedupeValue(_ dedupeOn: DedupeKey, json: UnsafeRawBufferPointer) -> String? {
        if dedupeOn == .externalCustomerId { return externalCustomerId?.string(json) }
        return dedupeKeyValue(dedupeOn, json: json)?.value
    }

    private func dedupeKeyValue(_ dedupeOn: DedupeKey, json: UnsafeRawBufferPointer) -> (prefix: String, value: String)? {
        func text(_ r: Range<Int>?) -> String? { r.map { String(decoding: UnsafeRawBufferPointer(rebasing: json[$0]), as: UTF8.self) } }
        func text(_ b: ValueBytes?) -> String? { b?.string(json) }
        switch dedupeOn {
        case .email: return text(email).map { ("email:", $0) }
        case .sms: return text(phone).map { ("sms:", $0) }
        case .emailOrSms: return text(email).map { ("email:", $0) } ?? text(phone).map { ("sms:", $0) }
        case .id: return id.map { ("id:", String($0)) }
        case .fieldId: return text(dedupeFieldValue).map { ("field:", $0) }
        case .externalCustomerId: return nil
        case .push: return text(pushToken).map { ("push:", $0) }
        case .webpush: return text(webpushToken).map { ("webpush:", $0) }
        }
    }
}
