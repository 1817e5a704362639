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

    /// The union-find on folded keys joins exactly what a plain union-find on the full keys
    /// joins (these keys do not collide once folded), and keys that do fold alike only ever join.
    @Test func keyComponentsJoinLikeAPlainUnionFind() {
        var components = KeyComponents()
        var model: [UInt64: UInt64] = [:]   // full key → parent
        func modelRoot(_ k: UInt64) -> UInt64 {
            var r = k
            while let up = model[r] { r = up }
            return r
        }
        var rng = SplitMix64(seed: 11)
        let keys: [UInt64] = (0..<2000).map { _ in rng.next() } + [0, 1, 1 << 40]
        for _ in 0..<3000 {
            var row = OrderKeys()
            for _ in 0..<Int(rng.next() % 3 + 1) { row.insert(keys[Int(rng.next() % UInt64(keys.count))]) }
            _ = components.unite(row) { _, _ in }
            let a = modelRoot(row[0])
            for i in 1..<row.count {
                let b = modelRoot(row[i])
                if b != a { model[b] = a }
            }
        }
        for _ in 0..<20_000 {
            let x = keys[Int(rng.next() % UInt64(keys.count))], y = keys[Int(rng.next() % UInt64(keys.count))]
            #expect((components.find(x) == components.find(y)) == (modelRoot(x) == modelRoot(y)))
        }
        // Roots are folded keys, and folding them again changes nothing.
        for k in keys {
            let root = components.find(k)
            #expect(root != 0 && root <= 0xFFFF_FFFF && KeyComponents.fold(root) == root)
            #expect(components.find(root) == root)
        }
        // Two keys that fold alike (k and k with its halves swapped) are one component.
        let k: UInt64 = 0x1234_5678_9ABC_DEF0
        #expect(components.find(k) == components.find((k << 32) | (k >> 32)))
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
