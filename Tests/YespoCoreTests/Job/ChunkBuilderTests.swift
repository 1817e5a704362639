// The chunk planner on its own: count and byte caps, spliced bodies that are valid JSON, in-chunk
// de-duplication (last write wins), and bodies rebuilt for halves of a chunk.
import Testing
@testable import YespoCore

@Suite struct ChunkBuilderTests {
    static func row(_ n: Int, email: String? = nil, pad: Int = 0) -> PreparedRow {
        let address = email ?? "user\(n)@example.com"
        let filler = String(repeating: "x", count: pad)
        let json = #"{"firstName":"F\#(filler)","channels":[{"type":"email","value":"\#(address)"}]}"#
        return PreparedRow(row: n, json: Array(json.utf8), matchKey: "email:" + address, dedupeValue: address)
    }

    func plan(_ rows: [PreparedRow], maxRows: Int, maxBytes: Int, options: UpsertOptions = UpsertOptions())
        -> (chunks: [Chunk], dropped: [RowOutcome]) {
        var builder = ChunkBuilder(template: BodyTemplate(options: options), maxRows: maxRows, maxBytes: maxBytes,
                                   keepDedupeValues: true)
        defer { builder.free() }
        var chunks: [Chunk] = [], dropped: [RowOutcome] = []
        for r in rows {
            if let c = builder.add(r, superseded: { o, _ in dropped.append(o) }, tooLarge: { dropped.append($0) }) {
                chunks.append(c)
            }
        }
        if let c = builder.close() { chunks.append(c) }
        return (chunks, dropped)
    }

    @Test func splitsAtTheRowCap() throws {
        let (chunks, dropped) = plan((1...7000).map { Self.row($0) }, maxRows: 3000, maxBytes: 8 << 20)
        #expect(chunks.map(\.count) == [3000, 3000, 1000])
        #expect(dropped.isEmpty)
        #expect(chunks.map(\.index) == [0, 1, 2])
        for chunk in chunks {
            guard case .success(let doc) = JSONDocument.parse(chunk.body) else { Issue.record("body is not JSON"); return }
            #expect(doc.root["contacts"]?.count == chunk.count)
            #expect(doc.root["dedupeOn"]?.string == "email")
        }
    }

    @Test func splitsAtTheByteCap() throws {
        let rows = (1...500).map { Self.row($0, pad: 900) }
        let cap = 64 << 10
        let (chunks, _) = plan(rows, maxRows: 3000, maxBytes: cap)
        #expect(chunks.count > 5)
        #expect(chunks.allSatisfy { $0.body.count <= cap })
        #expect(chunks.reduce(0) { $0 + $1.count } == 500)
        let tooBig = PreparedRow(row: 501, json: Array(("{\"a\":\"" + String(repeating: "y", count: cap) + "\"}").utf8),
                                 matchKey: nil, dedupeValue: nil)
        let (_, dropped) = plan([tooBig], maxRows: 3000, maxBytes: cap)
        #expect(dropped.first?.kind == .invalid)
        #expect(dropped.first?.reason?.contains("chunkBytes") == true)
    }

    @Test func lastWriteWinsInsideAChunk() throws {
        let rows = [Self.row(1, email: "a@x.io"), Self.row(2, email: "b@x.io"), Self.row(3, email: "a@x.io"),
                    Self.row(4, email: "a@x.io")]
        let (chunks, dropped) = plan(rows, maxRows: 3000, maxBytes: 8 << 20)
        #expect(chunks.count == 1)
        #expect(chunks[0].rows == [2, 4])
        #expect(dropped.map(\.row) == [1, 3])
        #expect(dropped.map(\.reason) == ["superseded by row 3", "superseded by row 4"])
        guard case .success(let doc) = JSONDocument.parse(chunks[0].body) else { Issue.record("not JSON"); return }
        #expect(doc.root["contacts"]?.count == 2)
    }

    @Test func optionsGoIntoTheBodyAndHalvesRebuild() throws {
        var options = UpsertOptions()
        options.groupNames = ["VIP \"gold\""]
        options.restoreDeleted = false
        options.customFieldsIDs = [7]
        let (chunks, _) = plan((1...5).map { Self.row($0) }, maxRows: 10, maxBytes: 1 << 20, options: options)
        let chunk = chunks[0]
        let template = BodyTemplate(options: options)
        let half = template.body(from: chunk.body, starts: chunk.starts, ends: chunk.ends, lo: 2, hi: 5)
        guard case .success(let doc) = JSONDocument.parse(half) else { Issue.record("half is not JSON"); return }
        #expect(doc.root["contacts"]?.count == 3)
        #expect(doc.root["groupNames"]?.elements.first?.string == "VIP \"gold\"")
        #expect(doc.root["restoreDeleted"]?.bool == false)
        #expect(doc.root["contacts"]?.elements.first?["channels"]?.elements.first?["value"]?.string == "user3@example.com")
    }
}
