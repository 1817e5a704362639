// The hot path's own tables against the obvious implementation: the gate's key table against a
// Dictionary, the report's run-length outcome store against one outcome per row, in any order.
import Testing
@testable import YespoCore

@Suite struct HotPathTables {
    @Test func keyTableCountsLikeADictionary() {
        var table = KeyTable()
        var model: [UInt64: Int] = [:]
        var rng = SplitMix64(seed: 7)
        // Few distinct keys (so entries come and go) and keys whose low bits collide on purpose.
        let keys: [UInt64] = (0..<300).map { $0 < 50 ? UInt64($0) << 40 : rng.next() % 4096 } + [0]
        for step in 0..<200_000 {
            let k = keys[Int(rng.next() % UInt64(keys.count))]
            switch rng.next() % 4 {
            case 0, 1: table.add(k, 1); model[k, default: 0] += 1
            case 2: if model[k] != nil { table.add(k, -1); model[k] = model[k]! > 1 ? model[k]! - 1 : nil }
            default: table.setIfAbsent(k, step); if model[k] == nil { model[k] = step }
            }
            if step % 997 == 0 {
                for key in keys { #expect(table.value(key) == model[key]) }
                #expect(table.count == model.count)
            }
        }
        table.removeAll()
        #expect(table.isEmpty && !table.contains(keys[0]))
    }

    @Test func outcomeStoreKeepsEveryRowInAnyOrderCompactly() {
        let rows = 20_000
        var store = OutcomeStore()
        var model: [Int: RowOutcome] = [:]
        var rng = SplitMix64(seed: 3)
        // Chunks of 300 rows finishing out of order, every 97th row invalid and recorded first.
        for row in stride(from: 97, through: rows, by: 97) {
            let o = RowOutcome(row: row, kind: .invalid, reason: "row \(row): bad")
            let fresh = store.record(o)
            #expect(fresh)
            model[row] = o
        }
        var chunks = Array(stride(from: 1, through: rows, by: 300))
        for i in chunks.indices.reversed() { chunks.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        for first in chunks {
            for row in first..<min(first + 300, rows + 1) where model[row] == nil {
                let o = RowOutcome(row: row, kind: .accepted, asyncSessionId: "s-\(first)")
                let fresh = store.record(o)
                #expect(fresh)
                model[row] = o
            }
        }
        let again = store.record(RowOutcome(row: 5, kind: .notSent))
        #expect(!again)
        #expect(store.count(.accepted) + store.count(.invalid) == rows)
        for row in 1...rows { #expect(store.outcome(row: row) == model[row]) }
        // Two runs per chunk at most (the runs around an invalid row), far fewer than rows.
        #expect(store.runCount < 3 * (rows / 300 + rows / 97))
        var seen: [Int] = []
        store.forEachOutcome(kinds: [.invalid]) { seen.append($0.row); return true }
        #expect(seen == Array(stride(from: 97, through: rows, by: 97)))
    }

    @Test func rangesAreRecordedLikeTheirRows() {
        var ranged = OutcomeStore()
        var single = OutcomeStore()
        var rng = SplitMix64(seed: 5)
        let rows = 30_000
        // Some rows recorded alone first (invalid ones), then ranges over them that must keep them.
        for row in stride(from: 13, through: rows, by: 251) {
            let o = RowOutcome(row: row, kind: .invalid, reason: "bad")
            ranged.record(o)
            single.record(o)
        }
        var first = 1
        while first <= rows {
            let count = 1 + Int(rng.next() % 5000)
            let session = "s-\(first)"
            let code = ranged.sessionCode(session)
            let n = ranged.recordRange(firstRow: first, count: min(count, rows - first + 1), kind: .accepted, session: code)
            var m = 0
            for row in first..<min(first + count, rows + 1) where single.record(RowOutcome(row: row, kind: .accepted, asyncSessionId: session)) {
                m += 1
            }
            #expect(n == m)
            first += count
        }
        #expect(ranged.count(.accepted) == single.count(.accepted))
        for row in 1...rows { #expect(ranged.outcome(row: row) == single.outcome(row: row)) }
        #expect(ranged.runCount == single.runCount)
    }
}
