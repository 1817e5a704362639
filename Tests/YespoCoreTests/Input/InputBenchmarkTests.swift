// Prints the input stage's CPU cost per contact (no assertion on speed: timings are not stable on a
// shared machine). Meaningful in release: swift test -c release --filter InputBenchmark
import Testing
import Glibc
@testable import YespoCore

/// CPU time of this thread: what the input stage costs, unaffected by other processes on the machine.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A typical contact of ~340 bytes, varied by `n`.
func sampleContactJSON(_ n: Int) -> String {
    #"{"externalCustomerId":"crm-\#(n)","firstName":"Olena","lastName":"Kovalenko-\#(n % 97)","channels":[{"type":"email","value":"Olena.Kovalenko\#(n)@Example.com"},{"type":"sms","value":"+380 (94) 258-\#(1000 + n % 9000)"}],"address":{"region":"Kyiv oblast","town":"Kyiv","address":"Khreshchatyk str. 1","postcode":"01001"},"fields":[{"id":12345,"value":"gold"},{"id":777,"value":42}],"languageCode":"uk","timeZone":"Europe/Kyiv"}"#
}

@Suite struct InputBenchmark {
    #if DEBUG
    let rows = 5_000  // debug builds are ~10x slower: keep the plain test run fast
    #else
    let rows = 100_000
    #endif

    @Test func ndjsonMicrosecondsPerContact() {
        var text = ""
        text.reserveCapacity(rows * 360)
        for n in 0..<rows { text += sampleContactJSON(n); text += "\n" }
        let bytes = Array(text.utf8)
        let p = preparer()
        var ready = 0
        var outBytes = 0
        var count = 0
        var dt = Double.infinity
        // Best of three passes: the machine is shared, the fastest pass is the least disturbed one.
        for _ in 0..<3 {
            ready = 0
            outBytes = 0
            let t0 = threadCPUSeconds()
            count = bytes.withUnsafeBytes { buf in
                forEachNDJSONRow(buf, firstRow: 1, preparer: p) { v in
                    if case .ready(let r) = v { ready += 1; outBytes += r.json.count }
                }
            }
            dt = min(dt, threadCPUSeconds() - t0)
        }
        #expect(count == rows && ready == rows)
        print("input bench: NDJSON prepare: \(fmt(dt * 1e6 / Double(rows))) µs CPU/contact, "
            + "\(fmt(Double(bytes.count) / dt / 1e6)) MB/s in, \(bytes.count / rows) B/contact in, \(outBytes / rows) B out")
    }

    @Test func csvMicrosecondsPerContact() throws {
        var text = "External customer id,First name,Last name,Email,Sms,Region,City,Address,Postcode,12345,777,Language code,Timezone\n"
        for n in 0..<rows {
            text += "crm-\(n),Olena,Kovalenko-\(n % 97),Olena.Kovalenko\(n)@Example.com,+380 (94) 258-\(1000 + n % 9000),"
                + "Kyiv oblast,Kyiv,\"Khreshchatyk str. 1\",01001,gold,42,uk,Europe/Kyiv\n"
        }
        let f = TempFile(text, suffix: ".csv")
        defer { f.remove() }
        var dt = Double.infinity
        for _ in 0..<3 {
            let reader = try FileRowReader(path: f.path, options: FileOptions())
            defer { reader.close() }
            var ready = 0
            var total = 0
            let t0 = threadCPUSeconds()
            while true {
                let n = try reader.read(firstRow: total + 1, maxRows: 3000, preparer: preparer()) { v in
                    if case .ready = v { ready += 1 }
                }
                if n == 0 { break }
                total += n
            }
            dt = min(dt, threadCPUSeconds() - t0)
            #expect(total == rows && ready == rows)
        }
        print("input bench: CSV read+prepare: \(fmt(dt * 1e6 / Double(rows))) µs CPU/contact, "
            + "\(fmt(Double(text.utf8.count) / dt / 1e6)) MB/s in")
    }
}

func fmt(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return "\(r)"
}
