// Live progress of an upsert on stderr: a redrawn bar when stderr is a terminal, plain periodic
// lines when it is a pipe or a file (logs, CI), nothing with --quiet. Fed the engine's typed progress
// on the job's callback thread, so it only formats and writes — never blocks on anything else.
import Synchronization
import YespoCore

struct ProgressSnapshot {
    var rowsRead = 0, rowsSent = 0, accepted = 0, rejected = 0, invalid = 0, duplicates = 0, notSent = 0
    var requests = 0, retries = 0, throttled = 0, inFlight = 0, concurrency = 0, bytesSent = 0
    var elapsedMs = 0
    var done = false

    init() {}

    init(_ p: UpsertProgress) {
        rowsRead = p.rowsRead; rowsSent = p.rowsSent
        accepted = p.accepted; rejected = p.rejected; invalid = p.invalid
        duplicates = p.duplicates; notSent = p.notSent
        requests = p.requests; retries = p.retries; throttled = p.throttled
        inFlight = p.inFlight; concurrency = p.concurrency
        bytesSent = p.bytesSent; elapsedMs = p.elapsedMs
        done = p.done
    }

    var failed: Int { rejected + invalid + duplicates + notSent }
    var finished: Int { accepted + failed }
}

final class ProgressView: Sendable {
    enum Mode: Sendable { case bar, lines, off }

    let mode: Mode
    /// Rows expected in total (an estimate from counting lines), nil for stdin.
    let expectedRows: Int?
    let lineInterval: Double
    let barInterval = 0.1

    private struct State {
        var lastDraw = -1.0
        var samples: [(t: Double, rows: Int)] = []
        var drewBar = false
        var last = ProgressSnapshot()
    }
    private let state: Mutex<State>

    init(mode: Mode, expectedRows: Int?, lineInterval: Double) {
        // Plain lines start one interval in, so a short job prints only its final line.
        var initial = State()
        if mode == .lines { initial.lastDraw = monotonicSeconds() }
        state = Mutex(initial)
        self.mode = mode
        self.expectedRows = expectedRows
        self.lineInterval = lineInterval
    }

    /// The engine's progress callback.
    func update(_ progress: UpsertProgress) {
        guard mode != .off else { return }
        show(ProgressSnapshot(progress), force: false)
    }

    /// The last state, drawn once more so the final numbers stay on screen, and the bar ended.
    func finish(_ final: ProgressSnapshot?) {
        guard mode != .off else { return }
        var snapshot = final ?? state.withLock { $0.last }
        snapshot.done = true
        show(snapshot, force: true)
        if mode == .bar { Terminal.err("\n") }
    }

    /// A message that must not be overwritten by the next redraw (e.g. "stopping…").
    func note(_ message: String) {
        let prefix = mode == .bar ? "\r\u{1B}[K" : ""
        Terminal.err(prefix + message + "\n")
        state.withLock { $0.lastDraw = -1 }
    }

    private func show(_ p: ProgressSnapshot, force: Bool) {
        let now = monotonicSeconds()
        let line: String? = state.withLock { s in
            s.last = p
            s.samples.append((now, p.finished))
            while let first = s.samples.first, now - first.t > 5, s.samples.count > 2 { s.samples.removeFirst() }
            let interval = mode == .bar ? barInterval : lineInterval
            if !force && s.lastDraw >= 0 && now - s.lastDraw < interval { return nil }
            s.lastDraw = now
            let rate = Self.rate(s.samples, elapsedMs: p.elapsedMs, finished: p.finished, done: p.done)
            return mode == .bar ? barLine(p, rate: rate) : plainLine(p, rate: rate)
        }
        guard let line else { return }
        Terminal.err(mode == .bar ? "\r" + line + "\u{1B}[K" : line + "\n")
    }

    /// Rows per second over the last few seconds; over the whole run once it is done.
    private static func rate(_ samples: [(t: Double, rows: Int)], elapsedMs: Int, finished: Int, done: Bool) -> Double {
        if done || samples.count < 2 {
            return elapsedMs > 0 ? Double(finished) * 1000 / Double(elapsedMs) : 0
        }
        guard let first = samples.first, let last = samples.last, last.t > first.t else { return 0 }
        return Double(last.rows - first.rows) / (last.t - first.t)
    }

    private func total(_ p: ProgressSnapshot) -> Int? {
        if p.done { return p.finished }
        guard let expected = expectedRows else { return nil }
        return max(expected, p.rowsRead)
    }

    private func eta(_ p: ProgressSnapshot, rate: Double) -> String {
        if p.done { return "done" }
        guard let total = total(p), rate > 0 else { return "ETA ?" }
        return "ETA " + Format.duration(seconds: Double(max(0, total - p.finished)) / rate)
    }

    private func fraction(_ p: ProgressSnapshot) -> Double? {
        guard let total = total(p), total > 0 else { return p.done ? 1 : nil }
        return p.done ? 1 : min(0.99, Double(p.finished) / Double(total))
    }

    func plainLine(_ p: ProgressSnapshot, rate: Double) -> String {
        var text = "progress: " + Format.count(p.finished)
        if let total = total(p) { text += "/" + Format.count(total) }
        text += " rows"
        if let f = fraction(p) { text += " (\(Int(f * 100))%)" }
        text += ", \(Format.rate(rate)) rows/s, sent \(Format.count(p.rowsSent)), accepted \(Format.count(p.accepted))"
        text += ", failed \(Format.count(p.failed)), retries \(Format.count(p.retries)), 429s \(Format.count(p.throttled))"
        text += ", elapsed \(Format.duration(seconds: Double(p.elapsedMs) / 1000)), \(eta(p, rate: rate))"
        return text
    }

    func barLine(_ p: ProgressSnapshot, rate: Double) -> String {
        let f = fraction(p)
        let percent = f.map { Format.leftPad("\(Int($0 * 100))%", 4) } ?? "   ?"
        var counts = Format.count(p.finished)
        if let total = total(p) { counts += "/" + Format.count(total) }
        // Shown in this order; when the terminal is narrow, `dropOrder` says which go first.
        var fields: [(name: String, text: String)] = [
            ("sent", "sent \(Format.count(p.rowsSent))"),
            ("ok", "ok \(Format.count(p.accepted))"),
            ("failed", "failed \(Format.count(p.failed))"),
            ("retries", "retries \(Format.count(p.retries))"),
            ("429s", "429s \(Format.count(p.throttled))"),
        ]
        var dropOrder = ["sent"]
        if p.retries == 0 { dropOrder.append("retries") }
        if p.throttled == 0 { dropOrder.append("429s") }
        let width = Terminal.columns() - 1
        func stats() -> String {
            " \(percent) \(counts) rows  \(Format.rate(rate)) rows/s  "
                + fields.map(\.text).joined(separator: "  ") + "  \(eta(p, rate: rate))"
        }
        var text = stats()
        while text.count + 12 > width, !dropOrder.isEmpty {
            let name = dropOrder.removeFirst()
            fields.removeAll { $0.name == name }
            text = stats()
        }
        let barWidth = min(30, width - text.count - 2)
        guard barWidth >= 5 else { return String(text.prefix(width)) }
        var bar: String
        if let f {
            let filled = Int(f * Double(barWidth))
            bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        } else {
            // No total (stdin): a block sweeping back and forth still shows that work goes on.
            let pos = Int(monotonicSeconds() * 8) % (2 * barWidth - 2)
            let at = pos < barWidth ? pos : 2 * barWidth - 2 - pos
            bar = String(repeating: "░", count: at) + "█" + String(repeating: "░", count: barWidth - at - 1)
        }
        return "[" + bar + "]" + text
    }
}
