// The client-side rules of issue 13's calls, without a server: the v2 URL derivation and override,
// the event body's checks and normalisation, and the orders-delete window.
import Testing
@testable import YespoCore

@Suite struct EventOrderRuleTests {
    @Test func theV2URLIsDerivedFromTheBaseURLOrSet() throws {
        var s = ClientSettings(apiKey: "k")
        #expect(try s.validated().v2BaseURL() == "https://api.yespo.io/api/v2")
        s.baseURL = "http://127.0.0.1:8080/api/v1/"
        #expect(try s.validated().v2BaseURL() == "http://127.0.0.1:8080/api/v2")
        s.baseURL = "https://proxy.example.com/yespo"
        #expect(throws: YespoError.self) { try s.validated().v2BaseURL() }
        s.baseURLV2 = "https://proxy.example.com/yespo-v2/"
        #expect(try s.validated().v2BaseURL() == "https://proxy.example.com/yespo-v2")
        s.baseURLV2 = "http://example.com/api/v2"          // plain http off loopback
        #expect(throws: YespoError.self) { try s.validated() }
    }

    @Test func eventsAreCheckedAndNormalised() throws {
        let body = try YespoClient.eventBody(#"{"eventTypeKey":"new_contact-2","params":[{"name":"email","value":"a@b.co"},{"name":"n","value":2},{"name":"ok","value":true}]}"#)
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"eventTypeKey":"new_contact-2","params":[{"name":"email","value":"a@b.co"},{"name":"n","value":"2"},{"name":"ok","value":"true"}]}"#)
        for bad in [#"{"eventTypeKey":"x"}"#, #"{"eventTypeKey":"x","keyValue":""}"#, #"{"eventTypeKey":"a?b","keyValue":"k"}"#,
                    #"{"keyValue":"k"}"#, #"{"eventTypeKey":"x","keyValue":"k","other":1}"#, "[]", "{",
                    #"{"eventTypeKey":"x","params":[{"name":"phone","value":null}]}"#] {
            #expect(throws: YespoError.self, "\(bad)") { try YespoClient.eventBody(bad) }
        }
    }

    @Test func orderWindowsAreAtMostADay() throws {
        #expect(try YespoClient.orderDeleteQuery(#"{"from":"2026-11-30T00:00:00","to":"2026-12-01T00:00:00"}"#).count == 2)
        #expect(try YespoClient.orderDeleteQuery(#"{"from":"2026-11-30T10:00:00+02:00","to":"2026-12-01T07:59:59Z"}"#).count == 2)
        for bad in [#"{"from":"2026-11-30T00:00:00","to":"2026-12-01T00:00:01"}"#, #"{"from":"2026-11-30","to":"2026-11-29"}"#,
                    #"{"from":"2026-13-01T00:00:00","to":"2026-13-01T01:00:00"}"#, #"{"externalOrderId":"a","to":"x"}"#, "{}"] {
            #expect(throws: YespoError.self, "\(bad)") { try YespoClient.orderDeleteQuery(bad) }
        }
        #expect(ISOTime.seconds("1970-01-02T00:00:00Z") == 86_400)
        #expect(ISOTime.seconds("2024-02-29") != nil && ISOTime.seconds("2023-02-29") == nil)
    }
}
