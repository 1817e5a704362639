// Writing to the standard streams without Foundation, and the number formats every view shares.
import YespoCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum Terminal {
    static func isTTY(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Terminal width of stderr: the terminal's, else $COLUMNS, else 100.
    static func columns(_ fd: Int32 = 2) -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        if let env = getenv("COLUMNS"), let n = Int(String(cString: env)), n > 20 { return n }
        return 100
    }

    static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue } else { return } }
                off += n
            }
        }
    }

    static func out(_ text: String) { write(1, text) }
    static func err(_ text: String) { write(2, text) }

    /// One error line on stderr, in the `yespo: error: ...` shape every command uses.
    static func error(_ message: String) { err("yespo: error: \(message)\n") }
    static func warning(_ message: String) { err("yespo: warning: \(message)\n") }
}

enum Format {
    /// 1234567 → "1,234,567".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Seconds for humans: "0.4s", "12s", "3m05s", "1h02m".
    static func duration(seconds: Double) -> String {
        if !seconds.isFinite || seconds < 0 { return "?" }
        if seconds < 10 { return fixed(seconds, 1) + "s" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + pad2(s % 60) + "s" }
        return "\(s / 3600)h" + pad2((s % 3600) / 60) + "m"
    }

    static func rate(_ perSecond: Double) -> String {
        if !perSecond.isFinite || perSecond <= 0 { return "0" }
        if perSecond >= 1000 { return count(Int(perSecond.rounded())) }
        return fixed(perSecond, perSecond < 10 ? 1 : 0)
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : fixed(v, 1) + " " + units[u]
    }

    /// A fixed-point rendering without Foundation's String(format:).
    static func fixed(_ v: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((v * scale).rounded())
        if decimals == 0 { return String(scaled) }
        let whole = scaled / Int(scale)
        var frac = String(abs(scaled) % Int(scale))
        while frac.count < decimals { frac = "0" + frac }
        return (scaled < 0 && whole == 0 ? "-" : "") + "\(whole).\(frac)"
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func leftPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func rightPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// Monotonic seconds, for rates and ETAs: the library's one clock.
func monotonicSeconds() -> Double { Double(monotonicNs()) / 1e9 }
