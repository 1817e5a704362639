// Incremental sync end to end against the emulator: first run sends all, the second only new and
// changed rows, the third nothing; rejected rows are sent again; deletions with their cap; dry
// runs; the state holds neither the API key nor a contact's email; SQLite and PostgreSQL.
import Glibc
import Testing
@testable import YespoCore

@Suite("Incremental sync", .serialized)
struct SyncTests {
    @Test func murmur3MatchesTheReferenceVectors() {
        // From the reference implementation (Python mmh3.hash_bytes, x64, little-endian h1 h2).
        #expect(Murmur3.hash128("").hex == "00000000000000000000000000000000")
        #expect(Murmur3.hash128("a").hex == "897859f6655555855a890e51483ab5e6")
        #expect(Murmur3.hash128("hello").hex == "029bbd41b3a7d8cb191dae486a901e5b")
        #expect(Murmur3.hash128("The quick brown fox jumps over the lazy dog").hex == "6c1b07bc7bbc4be347939ac4a93c437a")
        #expect(Murmur3.hash128(Array(0..<33), seed: 42).hex == "5ef21d9e1f1493d6c83597ea936145af")
        #expect(Murmur3.hash128("hello", seed: 42).hex == "086faf60c9b3b8c47abcefb075b83423")
    }

    @Test func optionsParseAndRefuseUnknownKeys() throws {
        let o = try SyncOptions.parse(json: #"{"dedupeOn":"email","full":true,"missing":"detach:Gone","maxDeletes":"2.5%"}"#)
        #expect(o.full)
        #expect(o.missing == .detach(segment: "Gone"))
        #expect(o.maxDeletes == .percent(2.5))
        #expect(try SyncOptions.parse(json: #"{"maxDeletes":7}"#).maxDeletes == .count(7))
        #expect(throws: YespoError.self) { try SyncOptions.parse(json: #"{"ful":true}"#) }
        #expect(throws: YespoError.self) { try SyncOptions.parse(json: #"{"missing":"erase"}"#) }
        #expect(throws: YespoError.self) { try SyncOptions.parse(json: #"{"validate":false}"#) }
        #expect(DeleteCap.percent(5).limit(total: 1000) == 50)
    }

    @Test func firstRunSendsAllSecondOnlyChangesThirdNothing() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu) { $0.chunkSize = 100 }
            defer { client.close() }
            let state = dir.file("state.db"), source = dir.file("crm.ndjson")

            var rows = sourceRows("s", 0..<500)
            writeSource(source, rows)
            let first = try runSync(client, state: state, source: source)
            #expect(first.counts.new == 500 && first.counts.sent == 500)
            #expect(first.accepted == 500 && first.committed == 500)
            #expect(first.clean)
            #expect(try contactsReceived(emu) == 500)

            // 10 changed, 5 new, 3 removed (nothing deleted: no missing action).
            for i in 0..<10 { rows[i * 7].firstName = "v2-\(i)" }
            rows.removeLast(3)
            rows += sourceRows("s", 500..<505)
            writeSource(source, rows)
            _ = try emu.adminText("POST", "/stats/reset")
            let second = try runSync(client, state: state, source: source)
            #expect(second.counts.changed == 10)
            #expect(second.counts.new == 5)
            #expect(second.counts.unchanged == 487)
            #expect(second.counts.sent == 15)
            #expect(second.missing == nil)   // not looked for without a missing action
            #expect(try contactsReceived(emu) == 15)

            _ = try emu.adminText("POST", "/stats/reset")
            let third = try runSync(client, state: state, source: source)
            #expect(third.counts.sent == 0 && third.counts.unchanged == 502)
            #expect(try contactsReceived(emu) == 0)
            #expect(try emu.stat("bulkRequests") == 0)

            let names = try emulatorNames(emu)
            for row in rows { #expect(names[row.email] == row.firstName) }

            // The state: 505 entries (the removed rows stay until a missing action), no email, no key.
            #expect(third.stateEntries == 505)
            let bytes = fileBytes(state)
            #expect(!contains(bytes, "test-key"))
            #expect(!contains(bytes, "@example.com"))
            #expect(!contains(bytes, "s-1@"))
            let status = try JSONValue.parse(try SyncStatus.json(state: state))
            #expect(status["entries"]?.int == 505)
            #expect(status["runs"]?.array?.first?["status"]?.string == "complete")
            #expect(status["runs"]?.array?.count == 3)
        }
    }

    @Test func rejectedRowsAreNotCommittedAndGoAgain() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu) { $0.chunkSize = 50 }
            defer { client.close() }
            let state = dir.file("state.db"), source = dir.file("crm.ndjson")
            writeSource(source, sourceRows("r", 0..<120))
            _ = try emu.adminText("POST", "/faults", body: #"{"rules":[{"method":"POST","path":"/api/v1/contacts","probability":1,"action":"rejectRows","match":["r-7@example.com","r-99@example.com"]}]}"#)
            let first = try runSync(client, state: state, source: source)
            #expect(first.accepted == 118 && first.rejected == 2 && first.committed == 118)
            #expect(first.failures.map(\.row) == [8, 100])   // source row numbers
            _ = try emu.adminText("DELETE", "/faults")
            _ = try emu.adminText("POST", "/stats/reset")
            let second = try runSync(client, state: state, source: source)
            #expect(second.counts.new == 2 && second.counts.sent == 2 && second.committed == 2)
            #expect(try contactsReceived(emu) == 2)
        }
    }

    @Test func dryRunCountsAndSendsNothing() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu)
            defer { client.close() }
            let state = dir.file("state.db"), source = dir.file("crm.ndjson")
            var rows = sourceRows("d", 0..<40)
            writeSource(source, rows)
            let empty = try runSync(client, state: state, source: source) { $0.upsert.dryRun = true }
            #expect(empty.counts.new == 40 && empty.dryRun)
            #expect(access(state, F_OK) != 0)   // a dry run creates no state
            _ = try runSync(client, state: state, source: source)
            rows[0].firstName = "other"
            rows.removeLast(4)
            writeSource(source, rows)
            _ = try emu.adminText("POST", "/stats/reset")
            let dry = try runSync(client, state: state, source: source) { $0.upsert.dryRun = true; $0.missing = .delete }
            // Unchanged rows synced without a contact id would be sent to learn it (a missing action needs it).
            #expect(dry.counts.changed == 1 && dry.counts.noContactId == 35 && dry.counts.sent == 36)
            #expect(dry.missing?.count == 4 && dry.missing?.withoutContactId == 4)
            #expect(dry.missing?.refused != nil)   // 4 of 40 is over the default 5%
            #expect(try emu.stat("requests") == 0)
        }
    }

    @Test func deleteMissingActsByContactIdWithinTheCap() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu)
            defer { client.close() }
            let state = dir.file("state.db"), source = dir.file("crm.ndjson")
            var rows = sourceRows("x", 0..<60)
            writeSource(source, rows)
            let first = try runSync(client, state: state, source: source) { $0.missing = .delete }
            #expect(first.committed == 60 && first.unconfirmed == 0)

            // A truncated export: 40 of 60 missing is over --max-deletes 10%: nothing deleted.
            writeSource(source, Array(rows.prefix(20)))
            let refused = try runSync(client, state: state, source: source) { $0.missing = .delete; $0.maxDeletes = .percent(10) }
            #expect(refused.missing?.count == 40)
            #expect(refused.missing?.refused?.contains("refusing") == true)
            #expect(refused.missing?.acted == 0)
            #expect(try emulatorNames(emu).count == 60)

            // Two really gone: deleted, and forgotten by the state.
            rows.removeLast(2)
            writeSource(source, rows)
            let deleting = try runSync(client, state: state, source: source) { $0.missing = .delete; $0.maxDeletes = .count(2) }
            #expect(deleting.missing?.count == 2 && deleting.missing?.acted == 2 && deleting.missing?.failed == 0)
            let names = try emulatorNames(emu)
            #expect(names.count == 58 && names["x-59@example.com"] == nil)
            #expect(deleting.stateEntries == 58)
            let again = try runSync(client, state: state, source: source) { $0.missing = .delete }
            #expect(again.missing?.count == 0 && again.counts.sent == 0)
        }
    }

    @Test func detachAndUnsubscribeMissing() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu)
            defer { client.close() }
            let state = dir.file("state.db"), source = dir.file("crm.ndjson")
            let rows = sourceRows("g", 0..<30)
            writeSource(source, rows)
            _ = try runSync(client, state: state, source: source) { $0.upsert.groupNames = ["Members"]; $0.missing = .detach(segment: "Members") }
            writeSource(source, Array(rows.dropLast()))
            let detached = try runSync(client, state: state, source: source) {
                $0.upsert.groupNames = ["Members"]; $0.missing = .detach(segment: "Members"); $0.maxDeletes = .count(1)
            }
            #expect(detached.missing?.acted == 1)
            let groups = try JSONValue.parse(try emu.adminText("GET", "/groups"))
            #expect(groups.array?.first(where: { $0["name"]?.string == "Members" })?["size"]?.int == 29)

            writeSource(source, Array(rows.dropLast(2)))
            let unsubscribed = try runSync(client, state: state, source: source) {
                $0.upsert.groupNames = ["Members"]; $0.missing = .unsubscribe; $0.maxDeletes = .count(1)
            }
            #expect(unsubscribed.missing?.acted == 1)
        }
    }

    @Test func changedOptionsResendEverythingAndOtherMatchingIsRefused() throws {
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu)
            defer { client.close() }
            let state = dir.file("state.db"), source = dir.file("crm.ndjson")
            writeSource(source, sourceRows("o", 0..<20))
            _ = try runSync(client, state: state, source: source)
            let regrouped = try runSync(client, state: state, source: source) { $0.upsert.groupNames = ["New"] }
            #expect(regrouped.optionsChanged && regrouped.counts.changed == 20)
            let full = try runSync(client, state: state, source: source) { $0.upsert.groupNames = ["New"]; $0.full = true }
            #expect(full.counts.unchanged == 20 && full.counts.sent == 20 && full.counts.forced == 20)
            #expect(throws: YespoError.self) {
                _ = try runSync(client, state: state, source: source) { $0.upsert.dedupeOn = .sms }
            }
        }
    }

    @Test func anotherDatabaseOrFileIsNotTakenForAState() throws {
        let dir = TempDir()
        let foreign = dir.file("app.db")
        #expect(system("python3 -c \"import sqlite3; c = sqlite3.connect('\(foreign)'); c.execute('CREATE TABLE users(id INTEGER)'); c.commit()\"") == 0)
        let before = fileBytes(foreign)
        #expect(throws: YespoError.self) { _ = try SQLiteState(path: foreign, create: true) }
        #expect(throws: YespoError.self) { _ = try SyncStatus.json(state: foreign) }
        #expect(fileBytes(foreign) == before)
        let csv = dir.file("crm.csv")
        writeSource(csv, sourceRows("f", 0..<3))
        #expect(throws: YespoError.self) { _ = try SQLiteState(path: csv, create: true) }
        #expect(throws: YespoError.self) { _ = try SyncStatus.json(state: dir.file("none.db")) }
        #expect(access(dir.file("none.db"), F_OK) != 0)
    }

    @Test func oneRunAtATimePerState() throws {
        try EmulatorProcess.with(["--quiet"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu)
            defer { client.close() }
            let state = dir.file("state.db")
            let running = try client.beginSync(state: state, options: SyncOptions())
            #expect(throws: YespoError.self) { _ = try client.beginSync(state: state, options: SyncOptions()) }
            let status = try JSONValue.parse(try SyncStatus.json(state: state))
            #expect(status["runs"]?.array?.first?["status"]?.string == "running")
            _ = try running.finish()
            _ = try client.beginSync(state: state, options: SyncOptions()).finish()
        }
    }

    @Test func postgresStateBehavesLikeSQLite() throws {
        guard let pg = try TempPostgres.start() else {
            Issue.record("PostgreSQL is not installed (scripts/deps.sh installs it)")
            return
        }
        defer { pg.stop() }
        try EmulatorProcess.with(["--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "0"]) { emu in
            let dir = TempDir()
            let client = try jobClient(emu) { $0.chunkSize = 100 }
            defer { client.close() }
            let source = dir.file("crm.ndjson")
            var rows = sourceRows("p", 0..<300)
            writeSource(source, rows)
            let first = try runSync(client, state: pg.url, source: source) { $0.missing = .delete }
            #expect(first.committed == 300 && first.store == "postgres")
            rows[3].firstName = "changed"
            rows.removeLast()
            writeSource(source, rows)
            _ = try emu.adminText("POST", "/stats/reset")
            let second = try runSync(client, state: pg.url, source: source) { $0.missing = .delete; $0.maxDeletes = .count(1) }
            #expect(second.counts.changed == 1 && second.counts.sent == 1)
            #expect(second.missing?.count == 1 && second.missing?.acted == 1)
            #expect(try contactsReceived(emu) == 1)
            let third = try runSync(client, state: pg.url, source: source) { $0.missing = .delete }
            #expect(third.counts.sent == 0 && third.missing?.count == 0 && third.stateEntries == 299)
            // Several machines share one state, one run at a time: the advisory lock refuses a second.
            let holding = try client.beginSync(state: pg.url, options: SyncOptions())
            #expect(throws: YespoError.self) { _ = try client.beginSync(state: pg.url, options: SyncOptions()) }
            _ = try holding.finish()
            let status = try JSONValue.parse(try SyncStatus.json(state: pg.url))
            #expect(status["entries"]?.int == 299)
            #expect(status["store"]?.string == "postgres")
            let names = try emulatorNames(emu)
            #expect(names.count == 299 && names["p-3@example.com"] == "changed")
        }
    }
}
