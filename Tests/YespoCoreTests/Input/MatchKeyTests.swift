// matchKey / dedupeValue per dedupeOn, and the "dedupe key must be present" rule.
import Testing
@testable import YespoCore

@Suite struct InputMatchKeys {
    let full = #"{"id":77,"channels":[{"type":"sms","value":"+380 94 258 3691"},{"type":"email","value":"A@B.co"},{"type":"mobilepush","value":"ptok"},{"type":"webpush","value":"wtok"}],"fields":[{"id":5,"value":"v5"},{"id":6,"value":66}]}"#

    @Test(arguments: [
        (DedupeKey.email, nil as Int?, "email:a@b.co", "a@b.co"),
        (.sms, nil, "sms:380942583691", "380942583691"),
        (.emailOrSms, nil, "email:a@b.co", "a@b.co"),
        (.id, nil, "id:77", "77"),
        (.fieldId, 6, "field:66", "66"),
        (.fieldId, 5, "field:v5", "v5"),
        (.push, nil, "push:ptok", "ptok"),
        (.webpush, nil, "webpush:wtok", "wtok"),
    ])
    func keysPerDedupeOn(_ on: DedupeKey, _ fieldId: Int?, _ key: String, _ value: String) {
        let v = verdict(full, preparer(on, fieldId: fieldId))
        #expect(v.prepared?.matchKey == key)
        #expect(v.prepared?.dedupeValue == value)
    }

    @Test func externalCustomerIdMatchesFirst() {
        let json = #"{"externalCustomerId":"crm-\"1\"","channels":[{"type":"sms","value":"1234567"}]}"#
        for on in DedupeKey.allCases where on != .fieldId {
            let v = verdict(json, preparer(on))
            #expect(v.prepared?.matchKey == #"ext:crm-"1""#, "\(on)")
        }
        #expect(verdict(json, preparer(.externalCustomerId)).prepared?.dedupeValue == #"crm-"1""#)
        #expect(verdict(json, preparer(.email)).prepared?.dedupeValue == nil)
        #expect(verdict(json, preparer(.sms)).prepared?.dedupeValue == "1234567")
    }

    @Test func emailOrSmsFallsBackToPhone() {
        let v = verdict(#"{"channels":[{"type":"sms","value":"1234567"}]}"#, preparer(.emailOrSms))
        #expect(v.prepared?.matchKey == "sms:1234567")
    }

    @Test(arguments: [
        (DedupeKey.email, nil as Int?, "row 1: dedupeOn is email but the contact has no email channel (and no externalCustomerId)"),
        (.sms, nil, "row 1: dedupeOn is sms but the contact has no sms channel (and no externalCustomerId)"),
        (.id, nil, "row 1: dedupeOn is id but the contact has no id (and no externalCustomerId)"),
        (.fieldId, 9, "row 1: dedupeOn is fieldId but the contact has no value for custom field 9 (and no externalCustomerId)"),
        (.fieldId, nil, "row 1: dedupeOn is fieldId but the job sets no fieldId"),
        (.externalCustomerId, nil, "row 1: dedupeOn is externalCustomerId but the contact has no externalCustomerId"),
        (.push, nil, "row 1: dedupeOn is push but the contact has no mobilepush channel (and no externalCustomerId)"),
        (.webpush, nil, "row 1: dedupeOn is webpush but the contact has no webpush channel (and no externalCustomerId)"),
    ])
    func dedupeKeyMustBePresent(_ on: DedupeKey, _ fieldId: Int?, _ reason: String) {
        let v = verdict(#"{"channels":[{"type":"viber","value":"v"}],"fields":[{"id":9,"value":""}]}"#, preparer(on, fieldId: fieldId))
        #expect(v.reason == reason)
    }
}
