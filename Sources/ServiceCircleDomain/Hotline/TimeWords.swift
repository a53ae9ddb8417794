import Foundation

/// The visit instant a caller's time words name (明天上午, 后天, 周六, 下周一, 晚上8点, 中午12点15分, 国庆期间, 春节后…),
/// read against `now` and the holiday calendar. The conventions (docs/hotline.md, "Time words"):
/// - no time word, 现在, 这个点, 今天 alone → `now`;
/// - a date word alone → 09:00 that day; a part of the day → its default start (早上 08:00, 上午 09:00, 中午 12:00,
///   下午 14:00, 傍晚 17:00, 下班后 17:30, 晚上 19:00) on the date said, today when none;
/// - a clock time → that time; a bare hour reads 7–11 as morning, 12 as noon, 1–6 as afternoon;
/// - weeks run Monday–Sunday: 周六 → the Saturday of this week (next week's when it has passed), 下周一 → Monday of
///   the next calendar week, 这周末 → this Saturday;
/// - a holiday word → the first day of the next block of consecutive holidays named so that starts after today
///   (国庆期间, 春节期间); with 后/之后/过完 → the first workday after that block; 中秋节那天 → the day itself;
///   beyond the loaded calendar, the fixed date (元旦 1-1, 五一 5-1, 国庆 10-1) or the lunar date of
///   ``lunarDates``, flagged `beyondCalendar`.
public struct TimeReading: Sendable {
    public var at: Instant
    /// The words read, as said (`后天`, `下午`, `三点`).
    public var words: [String]
    /// Scalar ranges of the folded sentence the words took.
    public var spans: [Range<Int>]
    /// The visit date is beyond the loaded holiday calendar (its holidays are not published yet).
    public var beyondCalendar: Bool
}

public enum TimeWords {
    enum Part: String {
        case early, morning, noon, afternoon, dusk, afterWork, evening
        var defaultMinute: Int {
            switch self {
            case .early: 8 * 60
            case .morning: 9 * 60
            case .noon: 12 * 60
            case .afternoon: 14 * 60
            case .dusk: 17 * 60
            case .afterWork: 17 * 60 + 30
            case .evening: 19 * 60
            }
        }
        var isPM: Bool { self == .afternoon || self == .dusk || self == .afterWork || self == .evening }
    }

    static let partWords: [(String, Part, Int?)] = [
        ("下班后", .afterWork, nil), ("下班以后", .afterWork, nil), ("今天晚上", .evening, 0), ("明天晚上", .evening, 1),
        ("明天早上", .early, 1), ("明天上午", .morning, 1), ("明天下午", .afternoon, 1), ("明天中午", .noon, 1),
        ("早上", .early, nil), ("早晨", .early, nil), ("一早", .early, nil), ("清早", .early, nil), ("大早", .early, nil),
        ("上午", .morning, nil), ("中午", .noon, nil), ("下午", .afternoon, nil), ("傍晚", .dusk, nil),
        ("晚上", .evening, nil), ("夜里", .evening, nil), ("晚间", .evening, nil),
        ("今晚", .evening, 0), ("今早", .early, 0), ("明早", .early, 1), ("明晚", .evening, 1),
    ]
    static let relativeDays: [(String, Int)] = [
        ("大后天", 3), ("后天", 2), ("明天", 1), ("明日", 1), ("明儿", 1), ("今天", 0), ("今日", 0), ("今儿", 0),
    ]
    static let nowWords = ["现在", "这个点", "马上", "立刻", "眼下"]

    enum Holiday: String, CaseIterable {
        case newYear = "元旦", spring = "春节", qingming = "清明节", labour = "劳动节", dragonBoat = "端午节", midAutumn = "中秋节", national = "国庆节"
        var fixed: (month: Int, day: Int, days: Int)? {
            switch self {
            case .newYear: (1, 1, 1)
            case .labour: (5, 1, 5)
            case .national: (10, 1, 7)
            default: nil
            }
        }
    }
    static let holidayWords: [(String, Holiday)] = [
        ("国庆节", .national), ("国庆", .national), ("十一", .national), ("春节", .spring), ("过年", .spring), ("大年初一", .spring),
        ("五一", .labour), ("劳动节", .labour), ("端午节", .dragonBoat), ("端午", .dragonBoat), ("中秋节", .midAutumn),
        ("中秋", .midAutumn), ("元旦", .newYear), ("清明节", .qingming), ("清明", .qingming),
    ]
    static let dayOfWords = ["那天", "当天", "那一天", "当日"]
    static let duringWords = ["期间", "假期", "放假", "长假", "的时候", "那几天"]
    static let afterWords = ["结束后", "收假后", "过后", "之后", "以后", "后"]
    static let firstDayWords = ["第一天", "头一天", "第一个工作日"]
    /// The first day of the lunar holidays for the years after the bundled calendar (Purple Mountain Observatory
    /// almanac dates); used only when the loaded calendar does not reach the year.
    public static let lunarDates: [String: [Int: (Int, Int)]] = [
        "春节": [2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3)],
        "端午节": [2027: (6, 9), 2028: (5, 28), 2029: (6, 16), 2030: (6, 5)],
        "中秋节": [2027: (9, 15), 2028: (10, 3), 2029: (9, 22), 2030: (9, 12)],
        "清明节": [2027: (4, 5), 2028: (4, 4), 2029: (4, 4), 2030: (4, 5)],
    ]

    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    static func has(_ t: [Unicode.Scalar], _ i: Int, _ word: String) -> Bool {
        let w = scalars(word)
        return i + w.count <= t.count && t[i..<(i + w.count)].elementsEqual(w)
    }

    static let digitValues: [Unicode.Scalar: Int] = ["零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                                                     "六": 6, "七": 7, "八": 8, "九": 9]

    /// A number at `i`, Arabic or Chinese (一…九十九): its value and length.
    static func number(_ t: [Unicode.Scalar], _ i: Int) -> (Int, Int)? {
        var j = i
        var v = 0
        while j < t.count, t[j].value >= 0x30, t[j].value <= 0x39, j - i < 4 { v = v * 10 + Int(t[j].value - 0x30); j += 1 }
        if j > i { return (v, j - i) }
        // Chinese: [d]十[d] or d
        var tens = 0, units = 0, seen = false
        if j < t.count, let d = digitValues[t[j]], j + 1 < t.count, t[j + 1] == "十" { tens = d; j += 2; seen = true }
        else if j < t.count, t[j] == "十" { tens = 1; j += 1; seen = true }
        if j < t.count, let d = digitValues[t[j]] { units = d; j += 1; seen = true }
        return seen ? (tens * 10 + units, j - i) : nil
    }

    /// Reads the time words of a folded sentence.
    public static func read(_ t: [Unicode.Scalar], now: Instant, calendar: HolidayCalendar) -> TimeReading {
        let today = now.localDate
        var date: LocalDate?
        var holidayDate: LocalDate?
        var part: Part?
        var clock: (hour: Int, minute: Int)?
        var words: [String] = []
        var spans: [Range<Int>] = []
        var beyond = false
        var i = 0
        func take(_ len: Int) {
            words.append(String(String.UnicodeScalarView(t[i..<(i + len)])))
            spans.append(i..<(i + len))
            i += len
        }
        scan: while i < t.count {
            // Holidays (十一 only when no 点/号/月/日/分 follows: 十一点 is a clock time).
            for (w, h) in holidayWords where has(t, i, w) {
                var len = w.count
                if w == "十一", i + 2 < t.count, "点号月日分时:".unicodeScalars.contains(t[i + 2]) { continue }
                var mode = 0 // 0 during, 1 day itself, 2 after
                for d in dayOfWords where has(t, i + len, d) { len += d.count; mode = 1; break }
                if mode == 0 { for d in duringWords where has(t, i + len, d) { len += d.count; break } }
                for a in afterWords where has(t, i + len, a) { len += a.count; mode = 2; break }
                if mode == 2 { for f in firstDayWords where has(t, i + len, f) { len += f.count; break } }
                let (d, b) = holiday(h, mode: mode, after: today, calendar: calendar)
                holidayDate = d
                beyond = beyond || b
                take(len)
                continue scan
            }
            for w in ["过完年", "过了年", "年后", "年过完"] where has(t, i, w) {
                let (d, b) = holiday(.spring, mode: 2, after: today, calendar: calendar)
                holidayDate = d
                beyond = beyond || b
                take(w.unicodeScalars.count)
                continue scan
            }
            for (w, p, off) in partWords where has(t, i, w) {
                part = p
                if let off { date = today.adding(days: off) }
                take(w.unicodeScalars.count)
                continue scan
            }
            for (w, off) in relativeDays where has(t, i, w) {
                date = today.adding(days: off)
                take(w.unicodeScalars.count)
                continue scan
            }
            for w in nowWords where has(t, i, w) { take(w.unicodeScalars.count); continue scan }
            if let (d, len) = weekday(t, i, today: today) { date = d; take(len); continue scan }
            if let (d, len) = monthDay(t, i, today: today) { date = d; take(len); continue scan }
            if let (h, m, len) = clockTime(t, i) { clock = (h, m); take(len); continue scan }
            i += 1
        }
        let day = holidayDate ?? date ?? today
        var minute: Int?
        if var c = clock {
            if let part {
                if part.isPM && c.hour < 12 { c.hour += 12 }
                if part == .noon && c.hour >= 1 && c.hour <= 2 { c.hour += 12 }
            } else if c.hour >= 1 && c.hour <= 6 { c.hour += 12 }
            minute = min(c.hour, 23) * 60 + c.minute
        } else if let part {
            minute = part.defaultMinute
        } else if day != today {
            minute = 9 * 60
        }
        let at = minute.map { Instant(date: day, time: LocalTime(minutes: $0)) } ?? now
        return TimeReading(at: at, words: words, spans: spans, beyondCalendar: beyond || !calendar.isKnown(at.localDate))
    }

    static let weekdayPrefixes: [(String, Int)] = [("下下个", 2), ("下下", 2), ("下个", 1), ("下", 1), ("这个", 0), ("这", 0), ("本", 0)]
    static let weekWords = ["星期", "礼拜", "周"]
    static let weekdayChars: [Unicode.Scalar: Int] = ["一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7,
                                                      "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7]

    static func weekday(_ t: [Unicode.Scalar], _ i: Int, today: LocalDate) -> (LocalDate, Int)? {
        var j = i
        var weeks = 0
        var prefixed = false
        for (p, w) in weekdayPrefixes where has(t, j, p) { j += p.unicodeScalars.count; weeks = w; prefixed = true; break }
        for w in weekWords where has(t, j, w) {
            let k = j + w.unicodeScalars.count
            var target: Int?
            var len = k - i
            if w == "周" && has(t, k, "末") { target = 6; len += 1 }
            else if k < t.count, let d = weekdayChars[t[k]] { target = d; len += 1 }
            guard let target else { return nil }
            let monday = today.adding(days: 1 - today.isoWeekday)
            var d = monday.adding(days: weeks * 7 + target - 1)
            if !prefixed && d < today { d = d.adding(days: 7) }
            return (d, len)
        }
        return nil
    }

    static func monthDay(_ t: [Unicode.Scalar], _ i: Int, today: LocalDate) -> (LocalDate, Int)? {
        guard let (a, la) = number(t, i) else { return nil }
        var j = i + la
        let c = today.components
        if j < t.count, t[j] == "月", let (d, ld) = number(t, j + 1), a >= 1, a <= 12 {
            j += 1 + ld
            if j < t.count, t[j] == "号" || t[j] == "日" { j += 1 }
            guard var date = LocalDate(year: c.year, month: a, day: d) else { return nil }
            if date < today, let next = LocalDate(year: c.year + 1, month: a, day: d) { date = next }
            return (date, j - i)
        }
        if j < t.count, t[j] == "号" || t[j] == "日", a >= 1, a <= 31,
           !(j + 1 < t.count && "线楼门院口站".unicodeScalars.contains(t[j + 1])) {
            var y = c.year, m = c.month
            if a < c.day { m += 1; if m > 12 { m = 1; y += 1 } }
            guard let date = LocalDate(year: y, month: m, day: a) else { return nil }
            return (date, j + 1 - i)
        }
        return nil
    }

    static func clockTime(_ t: [Unicode.Scalar], _ i: Int) -> (Int, Int, Int)? {
        guard let (h, lh) = number(t, i), h <= 24 else { return nil }
        var j = i + lh
        guard j < t.count, t[j] == "点" || t[j] == ":" || t[j] == "：" || t[j] == "时" else { return nil }
        let colon = t[j] != "点" && t[j] != "时"
        j += 1
        var m = 0
        if has(t, j, "半") { m = 30; j += 1 }
        else if has(t, j, "一刻") { m = 15; j += 2 }
        else if has(t, j, "三刻") { m = 45; j += 2 }
        else if let (mm, lm) = number(t, j), mm < 60 {
            m = mm
            j += lm
            if has(t, j, "分") { j += 1 }
        } else if colon { return nil }
        for w in ["左右", "钟", "整"] where has(t, j, w) { j += w.unicodeScalars.count }
        return (h, m, j - i)
    }

    /// The date a holiday word names: mode 0 the first day of the next block, 1 the named day, 2 the first workday
    /// after the block. The second value is true when the date comes from beyond the loaded calendar.
    static func holiday(_ h: Holiday, mode: Int, after today: LocalDate, calendar: HolidayCalendar) -> (LocalDate, Bool) {
        if calendar.last >= calendar.first, today < calendar.last {
            // Blocks of consecutive holidays, one with a day of this name, starting after today.
            var d = today.adding(days: 1)
            while d <= calendar.last {
                let info = calendar.info(d)
                if info.kind == .holiday && calendar.info(d.adding(days: -1)).kind != .holiday {
                    var end = d
                    var named: LocalDate?
                    while calendar.info(end).kind == .holiday {
                        if named == nil && calendar.info(end).nameZh == h.rawValue { named = end }
                        end = end.adding(days: 1)
                    }
                    if let named {
                        switch mode {
                        case 1: return (named, false)
                        case 2:
                            var w = end
                            while calendar.info(w).kind != .workday && calendar.info(w).kind != .makeupWorkday { w = w.adding(days: 1) }
                            return (w, !calendar.isKnown(w))
                        default: return (d, false)
                        }
                    }
                    d = end
                    continue
                }
                d = d.adding(days: 1)
            }
        }
        // Beyond the calendar: the fixed or almanac date of the next occurrence.
        let year = today.components.year
        for y in year...(year + 2) {
            var first: LocalDate?
            var days = 1
            if let f = h.fixed { first = LocalDate(year: y, month: f.month, day: f.day); days = f.days }
            else if let md = lunarDates[h.rawValue]?[y] { first = LocalDate(year: y, month: md.0, day: md.1); days = h == .spring ? 8 : 3 }
            guard let first, first > today else { continue }
            if mode == 2 {
                var w = first.adding(days: days)
                while w.isoWeekday >= 6 { w = w.adding(days: 1) }
                return (w, true)
            }
            return (first, true)
        }
        return (today, true)
    }
}
