// Helpers for the job and client tests against the emulator: a client pointed at it, generated
// contacts, an outcome collector that proves "every row exactly once", emulator contents.
import Glibc
import Synchronization
import Testing
@testable import YespoCore

/// A client for `emu` with test-friendly timings (short backoff, fast import polling).
func jobClient(_ emu: EmulatorProcess, apiKey: String = "test-key",
               _ change: (inout ClientSettings) -> Void = { _ in }) throws -> YespoClient {
    var s = ClientSettings(apiKey: apiKey)
    s.baseURL = emu.baseURL
    s.requestsPerSecond = 0
    s.retryBaseMs = 10
    s.retryMaxMs = 200
    s.importPollMs = 30
    s.stallTimeoutMs = 1000
    s.timeoutMs = 20_000
    change(&s)
    return try YespoClient(settings: s)
}

func jobEmail(_ tag: String, _ n: Int) -> String { "\(tag)-\(n)@example.com" }

/// NDJSON of contacts `range` with emails from `jobEmail(tag, n)`.
func jobContacts(_ tag: String, _ range: Range<Int>, pad: Int = 0) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(range.count * (110 + pad))
    let filler = String(repeating: "z", count: pad)
    for n in range {
        let address = pad > 0 ? #","address":{"address":"\#(filler)"}"# : ""
        out.append(contentsOf: #"{"firstName":"Name\#(n)","lastName":"Test"\#(address),"channels":[{"type":"email","value":"\#(jobEmail(tag, n))"}]}"#.utf8)
        out.append(0x0A)
    }
    return out
}

extension UpsertJob {
    func feed(_ bytes: [UInt8]) throws(YespoError) {
        var failure: YespoError? = nil
        bytes.withUnsafeBytes { raw in
            do throws(YespoError) { try feedNDJSON(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func feed(_ text: String) throws(YespoError) { try feed(Array(text.utf8)) }
}

/// Counts how often the outcome handler announced each row.
final class OutcomeCollector: Sendable {
    private let seen = Mutex<[Int: RowOutcome]>([:])
    private let repeats = Mutex<[Int]>([])
    let batches = Atomic<Int>(0)

    func attach(_ job: UpsertJob) {
        job.setOutcomeHandler { batch in
            self.batches.add(1, ordering: .relaxed)
            self.seen.withLock { seen in
                for row in batch.rows {
                    if seen[row.row] != nil { self.repeats.withLock { $0.append(row.row) } }
                    seen[row.row] = row
                }
            }
        }
    }

    var outcomes: [Int: RowOutcome] { seen.withLock { $0 } }
    var repeatedRows: [Int] { repeats.withLock { $0 } }
}

/// Checks the report's promises: counts add up, each row announced exactly once, and the
/// announced outcome is the reported one.
func expectExact(_ report: UpsertReport, _ collector: OutcomeCollector, rows: Int,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.rows == rows, sourceLocation: sourceLocation)
    #expect(report.accepted + report.rejected + report.invalid + report.duplicates + report.notSent == rows,
            sourceLocation: sourceLocation)
    #expect(report.complete, sourceLocation: sourceLocation)
    #expect(collector.repeatedRows.isEmpty, "rows announced twice: \(collector.repeatedRows.prefix(10))",
            sourceLocation: sourceLocation)
    let seen = collector.outcomes
    #expect(seen.count == rows, "announced \(seen.count) of \(rows) rows", sourceLocation: sourceLocation)
    var mismatches = 0
    for row in 1...max(1, rows) where rows > 0 {
        if seen[row]?.kind != report.outcome(row: row)?.kind { mismatches += 1 }
    }
    #expect(mismatches == 0, "\(mismatches) rows announced with another outcome than reported", sourceLocation: sourceLocation)
}

/// Applies pending imports and returns the emails of the emulator's live contacts.
func emulatorEmails(_ emu: EmulatorProcess) throws -> [String: Int] {
    _ = try emu.adminText("POST", "/imports/flush")
    let text = try emu.adminText("GET", "/contacts")
    var emails: [String: Int] = [:]
    for line in text.split(separator: "\n") where !line.isEmpty {
        guard case .success(let doc) = JSONDocument.parse(String(line)) else { continue }
        if doc.root["deleted"]?.bool == true { continue }
        for channel in doc.root["channels"]?.elements ?? [] where channel["type"]?.string == "email" {
            if let value = channel["value"]?.string { emails[value, default: 0] += 1 }
        }
    }
    return emails
}

/// Peak resident set of this process in MiB.
func peakRSSMiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
}

/// Current resident set of this process in MiB (VmRSS of /proc/self/status).
func currentRSSMiB() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmRSS:") {
            let digits = text.unicodeScalars.filter { $0.value >= 0x30 && $0.value <= 0x39 }
            return (Int(String(String.UnicodeScalarView(digits))) ?? 0) / 1024
        }
    }
    return 0
}

/// User + system CPU of this process in microseconds.
func processCPUMicros() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec
}
