// Reads the date-times of orders and of DELETE /orders?from=&to=. The real format is not stated
// beyond "date", so the emulator accepts the ISO-8601 forms clients send: `2025-06-01`,
// `2025-06-01T12:00:00`, with `.fff`, with `Z` or `±hh:mm`, and a space instead of `T`. A time
// without a zone is read as UTC (an emulator choice).
enum ISODateTime {
    /// Seconds since 1970 (UTC), or nil when the text is not such a date-time.
    static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              (1...12).contains(month), (1...daysIn(month, year)).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86_400
        if i == b.count { return seconds }
        guard expect("T") || expect(" ") else { return nil }
        guard let h = digits(2), expect(":"), let m = digits(2), h < 24, m < 60 else { return nil }
        var s = 0
        if expect(":") {
            guard let v = digits(2), v < 61 else { return nil }
            s = v
        }
        seconds += Double(h * 3600 + m * 60 + s)
        if expect(".") {
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                seconds += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        if i == b.count { return seconds }
        if expect("Z") { return i == b.count ? seconds : nil }
        guard i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign: Double = b[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let oh = digits(2), oh < 24 else { return nil }
        _ = expect(":")
        guard let om = digits(2), om < 60, i == b.count else { return nil }
        return seconds - sign * Double(oh * 3600 + om * 60)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
