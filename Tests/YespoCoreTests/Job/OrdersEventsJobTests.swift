// Orders and events jobs end to end against the emulator over real HTTP: volume from a CSV of
// item lines, the 1000-orders-a-request limit, the later of two writes of one order winning
// (also under faults), and events one a request with the right keys.
import Glibc
import Testing
@testable import YespoCore

private func orderOptions(_ kind: JobKind = .orders) -> UpsertOptions {
    var o = UpsertOptions()
    o.kind = kind
    return o
}

private func writeFile(_ name: String, _ body: (UnsafeMutablePointer<FILE>) -> Void) -> String {
    let path = "/tmp/yespo-orders-\(getpid())-\(name)"
    let f = fopen(path, "w")!
    body(f)
    fclose(f)
    return path
}

/// One NDJSON order.
private func orderLine(_ id: String, status: String = "DELIVERED", email: String, total: Int = 10) -> String {
    #"{"externalOrderId":"\#(id)","externalCustomerId":"c-\#(id)","totalCost":\#(total),"status":"\#(status)","date":"2025-01-01T00:00:00","currency":"UAH","email":"\#(email)","items":[{"externalItemId":"i","name":"Mug","quantity":1,"cost":\#(total)}]}"# + "\n"
}

/// What the emulator stored of each order (read while its document is alive).
private struct StoredOrder { var id: String; var status: String; var items: Int }

private func storedOrders(_ emu: EmulatorProcess, _ query: String = "") throws -> [StoredOrder] {
    let text = try emu.adminText("GET", "/orders" + query)
    guard case .success(let doc) = JSONDocument.parse(text) else { return [] }
    return doc.root.elements.map {
        StoredOrder(id: $0["externalOrderId"]?.string ?? "", status: $0["status"]?.string ?? "",
                    items: $0["order"]?["items"]?.elements.count ?? 0)
    }
}

private func orderRequests(_ emu: EmulatorProcess) throws -> Int {
    let stats = try emu.adminText("GET", "/stats")
    return jsonInt(stats, "POST /api/v1/orders") ?? 0
}

@Suite("Orders and events jobs against the emulator", .serialized)
struct OrdersEventsJobTests {
    @Test func hundredThousandOrdersStreamFromACSVOfItemLines() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let bad: Set<Int> = [10, 5000, 99_999]
            let path = writeFile("big.csv") { f in
                fputs("externalOrderId,externalCustomerId,status,date,currency,totalCost,email,firstName,item.externalItemId,item.name,item.quantity,item.cost\n", f)
                for n in 1...100_000 {
                    let status = bad.contains(n) ? "LOST" : "DELIVERED"
                    for k in 1...3 {
                        fputs("o-\(n),c-\(n % 1000),\(status),2025-01-01,UAH,30,buyer-\(n % 1000)@example.com,New,i-\(k),Item \(k),1,10\n", f)
                    }
                }
            }
            defer { unlink(path) }
            let client = try jobClient(emu) { $0.concurrency = 8 }
            defer { client.close() }
            // An existing contact, which orders must not update.
            _ = try client.addContact(#"{"firstName":"Kept","channels":[{"type":"email","value":"buyer-7@example.com"}]}"#)
            let job = try client.beginUpsert(orderOptions())
            let collector = OutcomeCollector()
            collector.attach(job)
            try job.feedFile(path: path, options: FileOptions())
            let report = try job.finish()
            expectExact(report, collector, rows: 100_000)
            #expect(report.invalid == 3)
            #expect(report.accepted == 99_997)
            for n in bad.sorted() {
                let line = 2 + (n - 1) * 3
                #expect(report.outcome(row: n)?.reason == #"row \#(n) (CSV lines \#(line)-\#(line + 2)): status: "LOST" is not one of INITIALIZED, IN_PROGRESS, DELIVERED, CANCELLED, ABANDONED_SHOPPING_CART"#)
            }
            #expect(try orderRequests(emu) == 100)
            #expect(try storedOrders(emu).count == 99_997)
            let one = try storedOrders(emu, "?externalOrderId=o-2")
            #expect(one.count == 1)
            #expect(one.first?.items == 3)
            // 1000 buyers: one existed, 999 were created by their orders; the existing one kept its name.
            let emails = try emulatorEmails(emu)
            #expect(emails.count == 1000)
            let contacts = try emu.adminText("GET", "/contacts")
            #expect(contacts.contains(#""firstName":"Kept""#))
            #expect(contacts.split(separator: "\n").filter { $0.contains("buyer-7@example.com") }.allSatisfy { $0.contains("Kept") })
        }
    }

    @Test func thousandAndOneOrdersNeverGoInOneRequest() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(orderOptions())
            try job.feed((0..<1001).map { orderLine("o-\($0)", email: "b\($0)@example.com") }.joined())
            let report = try job.finish()
            #expect(report.accepted == 1001)
            #expect(try orderRequests(emu) == 2)
            #expect(chunkRows(report).sorted() == [1, 1000])
            #expect(try storedOrders(emu).count == 1001)
        }
    }

    @Test(arguments: [false, true])
    func theLaterWriteOfAnOrderWinsAcrossChunks(_ faults: Bool) throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--seed", "7"]) { emu in
            if faults {
                _ = try emu.adminText("POST", "/faults", body: #"{"seed":7,"rules":[{"method":"POST","path":"/api/v1/orders","probability":0.3,"action":"status","status":503},{"method":"POST","path":"/api/v1/orders","probability":0.2,"action":"dropMidResponse"}]}"#)
            }
            let client = try jobClient(emu) { $0.concurrency = 8; $0.chunkSize = 100; $0.maxRetries = 30 }
            defer { client.close() }
            let job = try client.beginUpsert(orderOptions())
            // Each order written three times, far apart (different chunks): INITIALIZED, IN_PROGRESS, DELIVERED.
            var text = ""
            for status in ["INITIALIZED", "IN_PROGRESS", "DELIVERED"] {
                for n in 0..<500 { text += orderLine("o-\(n)", status: status, email: "w\(n)@example.com") }
            }
            try job.feed(text)
            let report = try job.finish()
            #expect(report.accepted == 1500, "\(report.summaryJSON())")
            let orders = try storedOrders(emu)
            #expect(orders.count == 500)
            #expect(orders.allSatisfy { $0.status == "DELIVERED" })
        }
    }

    @Test func inChunkDuplicatesKeepTheLaterOrder() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(orderOptions())
            try job.feed(orderLine("o-1", status: "INITIALIZED", email: "a@example.com") + orderLine("o-1", status: "CANCELLED", email: "a@example.com"))
            let report = try job.finish()
            #expect(report.duplicates == 1)
            #expect(report.outcome(row: 1)?.reason == "superseded by row 2")
            #expect(try storedOrders(emu).first?.status == "CANCELLED")
        }
    }

    @Test func failedOrdersAreTiedToTheirRows() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            _ = try emu.adminText("POST", "/faults", body: #"{"rules":[{"method":"POST","path":"/api/v1/orders","count":1,"action":"rejectRows","match":["r3@example.com"]}]}"#)
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(orderOptions())
            try job.feed((0..<5).map { orderLine("o-\($0)", email: "r\($0)@example.com") }.joined())
            let report = try job.finish()
            #expect(report.accepted == 4)
            #expect(report.rejected == 1)
            #expect(report.outcome(row: 4)?.kind == .rejected)
            #expect(report.outcome(row: 1)?.asyncSessionId != nil)
        }
    }

    @Test func thousandEventsArriveWithTheirKeys() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-other", "0"]) { emu in
            let client = try jobClient(emu) { $0.concurrency = 8 }
            defer { client.close() }
            let job = try client.beginUpsert(orderOptions(.events))
            let collector = OutcomeCollector()
            collector.attach(job)
            var text = ""
            for n in 0..<1000 {
                text += #"{"eventTypeKey":"viewed","keyValue":"k-\#(n)","params":[{"name":"n","value":"\#(n)"}]}"# + "\n"
            }
            text += #"{"eventTypeKey":"viewed"}"# + "\n"          // no key: refused before sending
            text += #"{"eventTypeKey":"a|b","keyValue":"x"}"# + "\n"
            try job.feed(text)
            let report = try job.finish()
            expectExact(report, collector, rows: 1002)
            #expect(report.accepted == 1000)
            #expect(report.invalid == 2)
            #expect(report.outcome(row: 1001)?.reason?.contains("the event has no key") == true)
            #expect(report.outcome(row: 1)?.asyncSessionId == nil)
            let events = try emu.adminText("GET", "/events?type=viewed")
            guard case .success(let doc) = JSONDocument.parse(events) else { Issue.record("events: \(events)"); return }
            let keys = Set(doc.root.elements.compactMap { $0["key"]?.string })
            #expect(keys == Set((0..<1000).map { "k-\($0)" }))
            #expect(try emu.stat("requests") >= 1000)
        }
    }

    @Test func anEventTheServerRefusesIsRejectedWithItsText() throws {
        try EmulatorProcess.with(["--quiet", "--event-required-params", "paid=sum"]) { emu in
            let client = try jobClient(emu)
            defer { client.close() }
            let job = try client.beginUpsert(orderOptions(.events))
            try job.feed(#"{"eventTypeKey":"paid","keyValue":"1"}"# + "\n" + #"{"eventTypeKey":"paid","keyValue":"2","params":[{"name":"sum","value":"5"}]}"# + "\n")
            let report = try job.finish()
            #expect(report.rejected == 1)
            #expect(report.accepted == 1)
            #expect(report.outcome(row: 1)?.reason?.contains("The event should have the following params") == true)
        }
    }
}
