/// A calendar date in Asia/Shanghai, stored as days since 1970-01-01 so that day arithmetic is integer arithmetic.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var dayNumber: Int32

    public init(dayNumber: Int32) { self.dayNumber = dayNumber }

    /// Creates a date from a proleptic Gregorian year, month and day; nil when the day does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        dayNumber = Int32(era * 146097 + doe - 719468)
    }

    /// Parses `YYYY-MM-DD`, years 0001 to 9999 (RFC 3339 `full-date`; year 0000 is refused with the rest of the
    /// instants that would fall before 0001 in +08:00).
    public init?(iso text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { let c = u[i]; guard c >= 48, c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        guard let y = num(0..<4), y >= 1, let m = num(5..<7), let d = num(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Year, month, day (civil_from_days).
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(dayNumber) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        let w = (Int(dayNumber) + 3) % 7
        return (w < 0 ? w + 7 : w) + 1
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + Int32(days)) }

    public var description: String {
        let (y, m, d) = components
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }
}

/// A time of day in minutes, 0 ... 1440 ("24:00" is 1440 and valid only as an interval end).
public struct LocalTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var minutes: Int
    public init(minutes: Int) { self.minutes = minutes }

    /// Parses `HH:MM` with 00 ≤ HH ≤ 24 and MM < 60; "24:00" is the only time with hour 24.
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 5, u[2] == UInt8(ascii: ":"), u.allSatisfy({ ($0 >= 48 && $0 <= 58) }) else { return nil }
        let h = Int(u[0] - 48) * 10 + Int(u[1] - 48)
        let m = Int(u[3] - 48) * 10 + Int(u[4] - 48)
        guard u[0] != 58, u[1] != 58, u[3] != 58, u[4] != 58, m < 60, h < 24 || (h == 24 && m == 0) else { return nil }
        minutes = h * 60 + m
    }

    public var description: String { "\(pad(minutes / 60, 2)):\(pad(minutes % 60, 2))" }
    public static func < (a: LocalTime, b: LocalTime) -> Bool { a.minutes < b.minutes }
}

@inline(__always)
func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// An instant, in whole seconds since the Unix epoch. Asia/Shanghai is UTC+8 all year (no DST since 1991).
public struct Instant: Hashable, Comparable, Sendable {
    public var seconds: Int64
    public init(seconds: Int64) { self.seconds = seconds }

    public static let shanghaiOffsetSeconds: Int64 = 8 * 3600

    /// The instants the API reads and writes: RFC 3339 has four-digit years and answers are written in +08:00, so
    /// from 0001-01-01T00:00:00+08:00 to 9999-12-31T23:59:59+08:00.
    public static let first = Instant(date: LocalDate(year: 1, month: 1, day: 1)!, time: LocalTime(minutes: 0))
    public static let last = Instant(date: LocalDate(year: 9999, month: 12, day: 31)!, time: LocalTime(minutes: 1439)).adding(seconds: 59)

    /// Local minutes since 1970-01-01T00:00 in Asia/Shanghai (floor).
    public var localMinute: Int64 {
        let s = seconds + Instant.shanghaiOffsetSeconds
        return s >= 0 ? s / 60 : (s - 59) / 60
    }

    public init(localMinute: Int64) { seconds = localMinute * 60 - Instant.shanghaiOffsetSeconds }

    public init(date: LocalDate, time: LocalTime) {
        self.init(localMinute: Int64(date.dayNumber) * 1440 + Int64(time.minutes))
    }

    public var localDate: LocalDate {
        let m = localMinute
        return LocalDate(dayNumber: Int32(m >= 0 ? m / 1440 : (m - 1439) / 1440))
    }

    public var localTimeMinutes: Int {
        let m = localMinute % 1440
        return Int(m < 0 ? m + 1440 : m)
    }

    public func adding(seconds s: Int64) -> Instant { Instant(seconds: seconds + s) }
    public func adding(minutes m: Int) -> Instant { Instant(seconds: seconds + Int64(m) * 60) }
    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }

    /// RFC 3339 with the Shanghai offset: `2026-02-24T08:30:00+08:00`.
    public var rfc3339: String {
        let local = seconds + Instant.shanghaiOffsetSeconds
        let day = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let sod = Int(local - day * 86400)
        let date = LocalDate(dayNumber: Int32(day))
        return "\(date)T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2))+08:00"
    }

    /// Parses RFC 3339 (`2026-02-14T10:00:00+08:00`, `...Z`, fractional seconds ignored) with any offset; nil
    /// outside ``first``...``last`` (a year that is not four digits once written in +08:00).
    public init?(rfc3339 text: String) {
        guard let s = Self.unboundedSeconds(rfc3339: text), s >= Instant.first.seconds, s <= Instant.last.seconds else { return nil }
        seconds = s
    }

    /// Whether `text` is an RFC 3339 date-time whose instant lies outside ``first``...``last`` (the reason to give).
    public static func isOutOfRange(rfc3339 text: String) -> Bool {
        guard let s = unboundedSeconds(rfc3339: text) else { return false }
        return s < Instant.first.seconds || s > Instant.last.seconds
    }

    static func unboundedSeconds(rfc3339 text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count >= 20, u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t") || u[10] == UInt8(ascii: " "),
              let date = LocalDate(iso: text.prefix(10)),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":") else { return nil }
        func two(_ i: Int) -> Int? {
            guard u[i] >= 48, u[i] <= 57, u[i + 1] >= 48, u[i + 1] <= 57 else { return nil }
            return Int(u[i] - 48) * 10 + Int(u[i + 1] - 48)
        }
        guard let h = two(11), let mi = two(14), let s = two(17), h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
            guard i > start else { return nil }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == UInt8(ascii: "Z") || u[i] == UInt8(ascii: "z") {
            guard i + 1 == u.count else { return nil }
        } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            guard i + 6 == u.count, u[i + 3] == UInt8(ascii: ":"), let oh = two(i + 1), let om = two(i + 4), oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * (u[i] == UInt8(ascii: "-") ? -1 : 1)
        } else { return nil }
        return Int64(date.dayNumber) * 86400 + Int64(h * 3600 + mi * 60 + min(s, 59)) - Int64(offset * 60)
    }
}
