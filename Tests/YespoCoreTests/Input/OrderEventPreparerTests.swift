// Orders and events through their preparers and the CSV assembly, without a server: what is
// checked, how it is normalised, and the reason a refused row gets.
import Glibc
import Testing
@testable import YespoCore

func kindVerdict<P: RowPreparer>(_ json: String, _ p: P, row: Int = 1) -> RowVerdict {
    var capture = VerdictCapture()
    var buffers = PrepareBuffers()
    defer { buffers.free() }
    Array(json.utf8).withUnsafeBytes { p.prepareInPlace(json: $0, row: row, buffers: &buffers, into: &capture) }
    return capture.take(row: row)
}

let goodOrder = #"{"externalOrderId":"o-1","externalCustomerId":"c-1","totalCost":12.5,"status":"DELIVERED","date":"2025-01-02T10:00:00","currency":"UAH","email":" Ann@Example.COM ","items":[{"externalItemId":"i-1","name":"Mug","quantity":"2","cost":6.25}],"custom":{"a":1}}"#

@Suite struct OrderPreparerRules {
    let p = OrderPreparer(options: UpsertOptions())

    @Test func normalisesAndKeysByOrderId() {
        let v = kindVerdict(goodOrder, p)
        #expect(v.output == #"{"externalOrderId":"o-1","externalCustomerId":"c-1","totalCost":12.5,"status":"DELIVERED","date":"2025-01-02T10:00:00","currency":"UAH","email":"ann@example.com","items":[{"externalItemId":"i-1","name":"Mug","quantity":2,"cost":6.25}],"custom":{"a":1}}"#)
        #expect(v.prepared?.matchKey == "order:o-1")
        #expect(v.prepared?.orderKeys.count == 2)
        #expect(v.prepared?.orderKeys.contains { $0 == OrderKeys.hash(.orderId, "o-1") } == true)
        #expect(v.prepared?.orderKeys.contains { $0 == OrderKeys.hash(.email, "ann@example.com") } == true)
    }

    /// Issue 13: an order whose email/phone is unknown creates a contact with the order's name, so
    /// two orders of one new email (other ids) must be ordered like two rows of one contact: they
    /// share an OrderKeys hash of the normalised email (and of the phone digits).
    @Test func ordersOfOneEmailOrPhoneShareAnOrderKey() {
        func keys(_ json: String, _ p: OrderPreparer = OrderPreparer(options: UpsertOptions())) -> [UInt64] {
            guard let k = kindVerdict(json, p).prepared?.orderKeys else { return [] }
            return (0..<k.count).map { k[$0] }
        }
        let first = keys(#"{"externalOrderId":"o-1","externalCustomerId":"c-1","totalCost":1,"status":"DELIVERED","date":"d","currency":"U","email":"ann@example.com","phone":"380501112233","firstName":"Ann"}"#)
        let sameEmail = keys(#"{"externalOrderId":"o-2","externalCustomerId":"c-2","totalCost":2,"status":"DELIVERED","date":"d","currency":"U","email":" ANN@example.com","firstName":"Bob"}"#)
        let samePhone = keys(#"{"externalOrderId":"o-3","externalCustomerId":"c-3","totalCost":3,"status":"DELIVERED","date":"d","currency":"U","email":"cy@example.com","phone":"+380 50 111-22-33"}"#)
        let other = keys(#"{"externalOrderId":"o-4","externalCustomerId":"c-4","totalCost":4,"status":"DELIVERED","date":"d","currency":"U","email":"dee@example.com"}"#)
        #expect(first.count == 3 && sameEmail.count == 2 && samePhone.count == 3 && other.count == 2)
        #expect(Set(first).intersection(sameEmail) == [OrderKeys.hash(.email, "ann@example.com")])
        #expect(Set(first).intersection(samePhone) == [OrderKeys.hash(.phone, "380501112233")])
        #expect(Set(first).isDisjoint(with: other))
        var o = UpsertOptions()
        o.validate = false      // sent as given, still ordered by its (normalised) email
        #expect(Set(keys(#"{"externalOrderId":"o-5","externalCustomerId":"c-5","totalCost":5,"status":"DELIVERED","date":"d","currency":"U","email":"Ann@Example.com"}"#, OrderPreparer(options: o))).contains(OrderKeys.hash(.email, "ann@example.com")))
    }

    @Test func integerIdsBecomeStrings() {
        let v = kindVerdict(#"{"externalOrderId":42,"externalCustomerId":7,"totalCost":1,"status":"INITIALIZED","date":"d","currency":"USD","phone":"+380 (94) 258-36-91"}"#, p)
        #expect(v.output == #"{"externalOrderId":"42","externalCustomerId":"7","totalCost":1,"status":"INITIALIZED","date":"d","currency":"USD","phone":"380942583691"}"#)
        #expect(v.prepared?.matchKey == "order:42")
    }

    @Test(arguments: [
        (#"{"externalCustomerId":"c","totalCost":1,"status":"DELIVERED","date":"d","currency":"U","email":"a@b.co"}"#,
         "row 1: externalOrderId is missing; an order needs externalOrderId, externalCustomerId, totalCost, status, date, currency and an email or a phone"),
        (#"{"externalOrderId":"o","externalCustomerId":"c","totalCost":1,"status":"DELIVERED","date":"d","currency":"U"}"#,
         "row 1: an order needs an email or a phone"),
        (#"{"externalOrderId":"o","externalCustomerId":"c","totalCost":"abc","status":"DELIVERED","date":"d","currency":"U","email":"a@b.co"}"#,
         #"row 1: totalCost: "abc" is not a number"#),
        (#"{"externalOrderId":"o","externalCustomerId":"c","totalCost":1,"status":"SHIPPED","date":"d","currency":"U","email":"a@b.co"}"#,
         #"row 1: status: "SHIPPED" is not one of INITIALIZED, IN_PROGRESS, DELIVERED, CANCELLED, ABANDONED_SHOPPING_CART"#),
        (#"{"externalOrderId":"o","externalCustomerId":"c","totalCost":1,"status":"DELIVERED","date":"d","currency":"U","email":"bob@"}"#,
         #"row 1: email: "bob@" is not a valid email"#),
        (#"{"externalOrderId":"o","externalCustomerId":"c","totalCost":1,"status":"DELIVERED","date":"d","currency":"U","email":"a@b.co","items":[{"name":"x"}]}"#,
         "row 1: items[0].externalItemId is missing"),
        (#"{"externalOrderId":"o","externalCustomerId":"c","totalCost":1,"status":"DELIVERED","date":"d","currency":"U","email":"a@b.co","items":[{"externalItemId":"i","name":"x","cost":"free"}]}"#,
         #"row 1: items[0].cost: "free" is not a number"#),
        (#"{"externalOrderId":"o","externalOrderId":"p"}"#, #"row 1: key "externalOrderId" appears twice"#),
        (#"[1]"#, "row 1: order: expected a JSON object, got an array"),
    ])
    func refusedWithAReason(_ json: String, _ reason: String) {
        #expect(kindVerdict(json, p).reason == reason)
    }

    @Test func unvalidatedPassesAnObjectAndStillKeysIt() {
        var o = UpsertOptions()
        o.validate = false
        let v = kindVerdict(goodOrder, OrderPreparer(options: o))
        #expect(v.prepared?.matchKey == "order:o-1")
        #expect(kindVerdict("[1]", OrderPreparer(options: o)).reason == "row 1: expected a JSON object, got an array")
    }
}

@Suite struct EventPreparerRules {
    let p = EventPreparer(options: UpsertOptions())

    @Test func keyValueOrAKeyParam() {
        let v = kindVerdict(#"{"eventTypeKey":"cart_abandoned","keyValue":123,"params":[{"name":"sum","value":10.5},{"name":"ok","value":true}]}"#, p)
        #expect(v.output == #"{"eventTypeKey":"cart_abandoned","keyValue":"123","params":[{"name":"sum","value":"10.5"},{"name":"ok","value":"true"}]}"#)
        #expect(v.prepared?.matchKey == nil)
        #expect(v.prepared?.orderKeys.isEmpty == true)
        #expect(kindVerdict(#"{"eventTypeKey":"x","params":[{"name":"email","value":"a@b.co"}]}"#, p).prepared != nil)
    }

    @Test(arguments: [
        (#"{"keyValue":"k"}"#, "row 1: eventTypeKey is missing"),
        (#"{"eventTypeKey":"a,b","keyValue":"k"}"#, #"row 1: eventTypeKey contains ","; any character is allowed except ‹ ; ’ \ / | " ' ^ ? ! , >"#),
        (#"{"eventTypeKey":"x"}"#, "row 1: the event has no key: give keyValue, or a parameter named contactId, externalCustomerId, email, phone, pushToken"),
        (#"{"eventTypeKey":"x","keyValue":"k","params":[{"value":"1"}]}"#, "row 1: params[0].name is missing"),
        (#"{"eventTypeKey":"x","keyValue":"k","params":{}}"#, "row 1: params: expected an array, got an object"),
    ])
    func refusedWithAReason(_ json: String, _ reason: String) {
        #expect(kindVerdict(json, p).reason == reason)
    }

    @Test func longTypeKeyRefused() {
        let key = String(repeating: "k", count: 101)
        #expect(kindVerdict(#"{"eventTypeKey":"\#(key)","keyValue":"1"}"#, p).reason == "row 1: eventTypeKey has 101 characters; at most 100 are allowed")
    }
}

@Suite struct KindOptionRules {
    @Test func kindParsesAndDefaultsToContacts() throws {
        #expect(try UpsertOptions.parse(json: nil).kind == .contacts)
        #expect(try UpsertOptions.parse(json: #"{"kind":"orders"}"#).kind == .orders)
        #expect(throws: YespoError.self) { try UpsertOptions.parse(json: #"{"kind":"invoices"}"#) }
    }

    @Test(arguments: ["dedupeOn\":\"email\"", "groupNames\":[\"A\"]", "eventKeyForNewContacts\":\"k\"", "restoreDeleted\":true", "wait\":true", "ackOn\":\"finished\""])
    func contactOnlyOptionsAreRefusedForOrdersAndEvents(_ member: String) {
        for kind in ["orders", "events"] {
            let key = String(member.prefix { $0 != "\"" })
            do {
                _ = try UpsertOptions.parse(json: #"{"kind":"\#(kind)","\#(member)}"#)
                Issue.record("\(key) accepted with \(kind)")
            } catch {
                #expect(error.message.contains("\"\(key)\" cannot be used with \"kind\": \"\(kind)\""), "\(error.message)")
            }
        }
    }

    @Test func theSwiftAPIRefusesThemToo() throws {
        var o = UpsertOptions()
        o.kind = .orders
        o.groupNames = ["A"]
        #expect(throws: YespoError.self) { try o.validated() }
        o.groupNames = nil
        _ = try o.validated()
    }

}

/// The rows a file of `kind` reads into (CSV orders grouped by externalOrderId).
func kindFileVerdicts(_ text: String, kind: JobKind, name: String = "rows.csv") throws -> [RowVerdict] {
    try kindFileVerdicts(bytes: Array(text.utf8), kind: kind, name: name)
}

func kindFileVerdicts(bytes: [UInt8], kind: JobKind, name: String = "rows.csv") throws -> [RowVerdict] {
    let path = "/tmp/yespo-kind-\(getpid())-\(name)"
    let f = fopen(path, "w")
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
    defer { unlink(path) }
    let reader = try FileRowReader(path: path, options: FileOptions(), bufferSize: 1 << 16, kind: kind)
    defer { reader.close() }
    var verdicts: [RowVerdict] = []
    var sink = VerdictSink { verdicts.append($0) }
    var next = 1
    while true {
        let n: Int
        if kind == .orders {
            n = try reader.readObjectRows(firstRow: next, maxRows: 2, preparer: OrderPreparer(options: UpsertOptions()), into: &sink)
        } else {
            n = try reader.readObjectRows(firstRow: next, maxRows: 2, preparer: EventPreparer(options: UpsertOptions()), into: &sink)
        }
        if n == 0 { break }
        next += n
    }
    return verdicts
}

@Suite struct OrdersCSV {
    let header = "externalOrderId,externalCustomerId,status,date,currency,totalCost,email,item.externalItemId,item.name,item.quantity,item.cost\n"

    @Test func consecutiveLinesOfAnOrderAreOneOrderWithItems() throws {
        let csv = header
            + "o-1,c-1,DELIVERED,2025-01-01,UAH,30,a@b.co,i-1,Mug,2,10\n"
            + "o-1,c-1,DELIVERED,2025-01-01,UAH,30,a@b.co,i-2,Cup,1,10\n"
            + "o-2,c-2,INITIALIZED,2025-01-02,UAH,5,c@d.co,i-3,Pen,1,5\n"
            + "o-1,c-1,CANCELLED,2025-01-03,UAH,30,a@b.co,i-1,Mug,2,10\n"
        let v = try kindFileVerdicts(csv, kind: .orders)
        #expect(v.count == 3)
        #expect(v.map(\.row) == [1, 2, 3])
        #expect(v[0].output == #"{"externalOrderId":"o-1","externalCustomerId":"c-1","status":"DELIVERED","date":"2025-01-01","currency":"UAH","totalCost":30,"email":"a@b.co","items":[{"externalItemId":"i-1","name":"Mug","quantity":2,"cost":10},{"externalItemId":"i-2","name":"Cup","quantity":1,"cost":10}]}"#)
        #expect(v[2].prepared?.matchKey == "order:o-1")
        #expect(v[2].output?.contains("CANCELLED") == true)
    }

    @Test func differingOrderColumnsAndBadValuesNameTheLine() throws {
        let csv = header
            + "o-1,c-1,DELIVERED,2025-01-01,UAH,30,a@b.co,i-1,Mug,2,10\n"
            + "o-1,c-1,DELIVERED,2025-01-01,UAH,31,a@b.co,i-2,Cup,1,10\n"
            + "o-2,c-2,SHIPPED,2025-01-02,UAH,5,c@d.co,i-3,Pen,1,5\n"
        let v = try kindFileVerdicts(csv, kind: .orders)
        #expect(v.count == 2)
        #expect(v[0].reason == #"row 1 (CSV lines 2-3): the order's lines differ: CSV line 3: totalCost is "31" but the order's first line (2) has "30""#)
        #expect(v[1].reason == #"row 2 (CSV line 4): status: "SHIPPED" is not one of INITIALIZED, IN_PROGRESS, DELIVERED, CANCELLED, ABANDONED_SHOPPING_CART"#)
    }

    @Test func aCellThatIsNotUTF8MakesItsWholeOrderInvalid() throws {
        // Latin-1 "é" (0xE9) in the second item's name: never replaced silently.
        var bytes = Array((header + "o-1,c-1,DELIVERED,2025-01-01,UAH,30,a@b.co,i-1,Mug,2,10\n").utf8)
        bytes += Array("o-1,c-1,DELIVERED,2025-01-01,UAH,30,a@b.co,i-2,Caf".utf8) + [0xE9] + Array(",1,10\n".utf8)
        bytes += Array("o-2,c-2,DELIVERED,2025-01-02,UAH,5,c@d.co,i-3,Pen,1,5\n".utf8)
        let v = try kindFileVerdicts(bytes: bytes, kind: .orders)
        #expect(v.count == 2)
        #expect(v[0].reason?.hasPrefix("row 1 (CSV lines 2-3): CSV line 3: column 9 (name) is not valid UTF-8") == true)
        #expect(v[1].output != nil)
    }
}

@Suite struct EventsCSV {
    @Test func otherColumnsBecomeParams() throws {
        let v = try kindFileVerdicts("eventTypeKey,keyValue,email,sum\nviewed,k-1,a@b.co,10\nviewed,,b@c.co,\nbad!,k,,\n", kind: .events)
        #expect(v.count == 3)
        #expect(v[0].output == #"{"eventTypeKey":"viewed","keyValue":"k-1","params":[{"name":"email","value":"a@b.co"},{"name":"sum","value":"10"}]}"#)
        #expect(v[1].output == #"{"eventTypeKey":"viewed","params":[{"name":"email","value":"b@c.co"}]}"#)
        #expect(v[2].reason?.hasPrefix("row 3 (CSV line 4): eventTypeKey contains \"!\"") == true)
    }

    @Test func aCellThatIsNotUTF8MakesTheEventInvalid() throws {
        let bytes = Array("eventTypeKey,keyValue,city\nviewed,k-1,Kyiv\nviewed,k-2,".utf8) + [0xFF] + Array("\n".utf8)
        let v = try kindFileVerdicts(bytes: bytes, kind: .events)
        #expect(v.count == 2)
        #expect(v[0].output != nil)
        #expect(v[1].reason?.hasPrefix("row 2 (CSV line 3): CSV line 3: column 3 (city) is not valid UTF-8") == true)
    }
}
