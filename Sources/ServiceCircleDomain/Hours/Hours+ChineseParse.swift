// Reading opening hours written in Chinese, as bureaus publish them and as `textZh` renders them
// (docs/editing.md "Bureau lists as published" has the grammar).

extension Hours {
    /// Parses Chinese hours text: `周一至周五 上午8:30-12:00 下午14:00-17:30`, `工作日 08:30–17:30；周六 09:00–12:00（仅期满换证）；
    /// 法定节假日休息`, `全天24小时`, … into rules (and dated exceptions), with the calendar semantics of docs/hours.md:
    /// `工作日` is `workday` (make-up days included), `周一至周五` the weekdays themselves (not on holidays, not on make-up
    /// Saturdays), `双休日`/`周末`/`休息日` `restday`, `节假日`/`法定节假日` `holiday`, `每天`/`全年无休` `daily`.
    ///
    /// Nothing is guessed: a phrase not understood, or one the hours model cannot express (`每月最后一个工作日`), is a
    /// 400 on `path` quoting the phrase. `businessWords` maps further words (the caller vocabulary) to business codes
    /// for `（仅…）`; a business's own Chinese name (``BusinessCode/nameZh``) and its code are always understood.
    public init(chineseText text: String, path: String = "hours_text_zh",
                businessWords: [String: [BusinessCode]] = [:]) throws(DomainError) {
        do throws(ChineseHoursError) {
            self = try ChineseHoursParser(text, businessWords: businessWords).parse()
        } catch {
            throw DomainError.invalid(path, error.message)
        }
    }

    /// The hours as `textZh` keeps them, so that `Hours(chineseText: h.textZh) == h.normalizedForChineseText()`: each rule's
    /// days in selector order without repeats, intervals by start, businesses in catalogue order without repeats;
    /// exceptions in date order (as rendered), without ids, notes trimmed (an empty note is none), and a closed
    /// exception without businesses (closed is closed for every business).
    public func normalizedForChineseText() -> Hours {
        func sortIntervals(_ r: [TimeRange]) -> [TimeRange] { r.sorted { ($0.span.start, $0.span.end) < ($1.span.start, $1.span.end) } }
        func sortBusinesses(_ b: [BusinessCode]?) -> [BusinessCode]? {
            guard let b, !b.isEmpty else { return nil }
            return Array(Set(b)).sorted()
        }
        let rules = rules.map { r in
            HoursRule(days: DaySelector.allCases.filter { Set(r.days).contains($0) }, intervals: sortIntervals(r.intervals),
                      businesses: sortBusinesses(r.businesses))
        }
        let exceptions = exceptions.enumerated().sorted {
            ($0.element.from, $0.element.to, $0.offset) < ($1.element.from, $1.element.to, $1.offset)
        }.map { _, e in
            let note = e.note.map(ChineseHoursText.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            return HoursException(from: e.from, to: e.to, intervals: sortIntervals(e.intervals),
                                  businesses: e.intervals.isEmpty ? nil : sortBusinesses(e.businesses), note: note)
        }
        return Hours(rules: rules, exceptions: exceptions)
    }
}

/// A phrase of Chinese hours text not understood, quoted.
struct ChineseHoursError: Error {
    var message: String
    init(_ phrase: String, _ why: String) {
        message = "cannot read '\(phrase)': \(why)"
    }
}

struct ChineseHoursParser {
    enum Word: Equatable {
        case days([DaySelector])
        case makeup            // 调休上班日: no selector of its own
        case qualifier(Int)    // 0 morning, 1 noon, 2 afternoon/evening
        case nextDay           // 次日
        case allDay            // 全天, 24小时
        case lunch             // 午休: the next range is a gap
        case closed            // 休息, 不办公, 暂停办理, 除外
        case open              // 照常, 不休, 正常办公
        case filler            // 办公时间, 对外办公 …: carries no meaning
        case noHours           // 暂无营业时间
        case noRules           // 暂无常规营业时间
        case unsupported(String)
    }

    enum Token {
        case word(Word)
        case weekday(Int)           // ISO weekday, from 周一 … or a bare 三 after a weekday
        case dash                   // 至 到 - ~
        case join                   // 、 和 及 (keeps a list of days together)
        case brk                    // ; , 。 space, line breaks, brackets
        case time(Int, Int)         // hours, minutes as written
        case date(LocalDate)
        case paren(String, Range<Int>)  // a bracketed part that is a business list or an exception's note
    }

    struct Located {
        var token: Token
        var range: Range<Int>
    }

    static let weekdayChars: [Character: Int] = ["一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "七": 7]

    static let lexicon: [(String, Word)] = {
        var l: [(String, Word)] = []
        func add(_ w: Word, _ words: String...) { for s in words { l.append((s, w)) } }
        add(.days([.workday]), "工作日", "法定工作日")
        add(.days([.restday]), "双休日", "休息日", "周末", "公休日")
        add(.days([.holiday]), "法定节假日", "国家法定节假日", "法定假日", "节假日", "节日", "假日", "法定节日")
        add(.days([.daily]), "每天", "每日", "天天", "全年无休", "全年", "一年四季")
        add(.days([.sat, .sun]), "周六日", "星期六日")
        add(.makeup, "调休上班日", "调休工作日", "调休日", "补班日", "调休上班")
        add(.qualifier(0), "上午", "早上", "早晨")
        add(.qualifier(1), "中午")
        add(.qualifier(2), "下午", "晚上", "傍晚", "夜间", "晚间")
        add(.nextDay, "次日", "第二天", "翌日")
        add(.allDay, "全天24小时", "全天候", "全天", "24小时", "24 小时", "二十四小时")
        add(.lunch, "午休", "中午休息", "午间休息")
        add(.closed, "休息", "不办公", "不上班", "闭馆", "不对外办公", "不营业", "不开放", "除外", "不办理", "休", "暂停办理",
            "暂停服务", "暂停", "关闭", "停办")
        add(.open, "不休", "不休息", "照常", "照常办公", "照常上班", "照常营业", "照常办理", "正常办公", "正常上班", "正常营业",
            "正常办理", "无休", "照常开放", "正常开放")
        add(.filler, "办公时间", "营业时间", "工作时间", "服务时间", "上班时间", "受理时间", "窗口", "对外办公", "办公", "营业",
            "上班", "开放", "服务", "自助", "受理", "办理业务", "时间", "均")
        add(.noHours, "暂无营业时间")
        add(.noRules, "暂无常规营业时间")
        for s in ["每月", "最后一个", "第一个", "第二个", "第三个", "第四个", "单周", "双周", "隔周", "每两周", "每周第"] {
            l.append((s, .unsupported(s)))
        }
        for (name, iso) in [("一", 1), ("二", 2), ("三", 3), ("四", 4), ("五", 5), ("六", 6), ("日", 7), ("天", 7)] {
            for p in ["周", "星期", "礼拜"] { l.append((p + name, .days([DaySelector.weekday(iso)]))) }
        }
        return l.sorted { $0.0.count > $1.0.count }
    }()

    let original: [Character]
    let chars: [Character]
    let businessWords: [String: [BusinessCode]]

    init(_ text: String, businessWords: [String: [BusinessCode]]) {
        original = Array(text)
        chars = original.map(Self.fold)
        self.businessWords = businessWords
    }

    /// Full-width and typographic forms to one spelling, character for character (so ranges quote the original).
    static func fold(_ c: Character) -> Character {
        switch c {
        case "：", "﹕": ":"
        case "－", "—", "–", "―", "‐", "‑", "~", "～", "〜", "−": "-"
        case "，", "﹐": ","
        case "；", "。", "\n", "\r", "\t": ";"
        case "（", "【", "[", "〔": "("
        case "）", "】", "]", "〕": ")"
        case "　": " "
        case "０", "１", "２", "３", "４", "５", "６", "７", "８", "９":
            Character(Unicode.Scalar(c.unicodeScalars.first!.value - 0xFF10 + 0x30)!)
        default: c
        }
    }

    func quote(_ r: Range<Int>) -> String {
        String(original[max(0, r.lowerBound)..<min(original.count, r.upperBound)]).trimmingWhitespace
    }

    /// The phrase around a position: up to the next separator either side.
    func phrase(at i: Int) -> Range<Int> {
        var a = i, b = i
        let stops: Set<Character> = [";", ","]
        while a > 0, !stops.contains(chars[a - 1]) { a -= 1 }
        while b < chars.count, !stops.contains(chars[b]) { b += 1 }
        return a..<max(b, i + 1)
    }

    // MARK: Tokens

    func tokenize(_ range: Range<Int>) throws(ChineseHoursError) -> [Located] {
        var out: [Located] = []
        var i = range.lowerBound
        let end = range.upperBound
        func digits(_ at: Int) -> (Int, Int)? {
            var j = at, v = 0
            while j < end, let d = chars[j].wholeNumberValue, chars[j].isASCII { v = v * 10 + d; j += 1; if j - at > 4 { break } }
            return j > at ? (v, j) : nil
        }
        func lastMeaningful() -> Token? { out.last { if case .join = $0.token { return false }; if case .dash = $0.token { return false }; return true }?.token }
        while i < end {
            let c = chars[i]
            if c == " " || c == ";" || c == "," { out.append(Located(token: .brk, range: i..<i + 1)); i += 1; continue }
            if c == "、" || c == "和" || c == "及" || c == "与" {
                out.append(Located(token: .join, range: i..<i + 1)); i += 1; continue
            }
            if c == "(" {
                var depth = 0, j = i
                while j < end {
                    if chars[j] == "(" { depth += 1 }
                    if chars[j] == ")" { depth -= 1; if depth == 0 { break } }
                    j += 1
                }
                guard j < end else { throw ChineseHoursError(quote(i..<end), "the bracket is never closed") }
                out.append(Located(token: .paren(String(chars[(i + 1)..<j]), (i + 1)..<j), range: i..<(j + 1)))
                i = j + 1
                continue
            }
            if c == ")" { throw ChineseHoursError(quote(phrase(at: i)), "a closing bracket without its opening one") }
            // Dates: 2026年3月1日, 2026-03-01, and 3月10日 after a date.
            if let (y, j) = digits(i) {
                if j < end, chars[j] == "年", let (m, k) = digits(j + 1), k < end, chars[k] == "月", let (d, l) = digits(k + 1), l < end, chars[l] == "日" || chars[l] == "号" {
                    guard let date = LocalDate(year: y, month: m, day: d) else { throw ChineseHoursError(quote(i..<l + 1), "no such date") }
                    out.append(Located(token: .date(date), range: i..<l + 1)); i = l + 1; continue
                }
                if j - i == 4, j + 5 < end + 0, chars[j] == "-", let (m, k) = digits(j + 1), k - j == 3, k < end, chars[k] == "-", let (d, l) = digits(k + 1), l - k == 3 {
                    guard let date = LocalDate(year: y, month: m, day: d) else { throw ChineseHoursError(quote(i..<l), "no such date") }
                    out.append(Located(token: .date(date), range: i..<l)); i = l; continue
                }
                if j < end, chars[j] == "月", let (d, l) = digits(j + 1), l < end, chars[l] == "日" || chars[l] == "号" {
                    guard let prev = out.last(where: { if case .date = $0.token { return true }; return false }), case .date(let p) = prev.token,
                          let date = LocalDate(year: p.components.0, month: y, day: d) else {
                        throw ChineseHoursError(quote(i..<l + 1), "a date needs its year (2026年3月1日)")
                    }
                    out.append(Located(token: .date(date), range: i..<l + 1)); i = l + 1; continue
                }
                // 7×24小时
                if y == 7, j < end, ["×", "*", "x", "X", "＊"].contains(chars[j]), let (h, k) = digits(j + 1), h == 24 {
                    var l = k
                    while l < end, chars[l] == " " { l += 1 }
                    if l + 1 < end + 0, chars[l] == "小", chars[l + 1] == "时" {
                        out.append(Located(token: .word(.days([.daily])), range: i..<l + 2))
                        out.append(Located(token: .word(.allDay), range: i..<l + 2))
                        i = l + 2; continue
                    }
                }
                // Times: 8:30, 8点30分, 8点半, 8点, 8时
                if j < end, chars[j] == ":", let (m, k) = digits(j + 1), k - j == 3 {
                    out.append(Located(token: .time(y, m), range: i..<k)); i = k; continue
                }
                if j < end, chars[j] == "点" || chars[j] == "时" {
                    if j + 1 < end, chars[j + 1] == "半" { out.append(Located(token: .time(y, 30), range: i..<j + 2)); i = j + 2; continue }
                    if let (m, k) = digits(j + 1) {
                        let e = k < end && chars[k] == "分" ? k + 1 : k
                        out.append(Located(token: .time(y, m), range: i..<e)); i = e; continue
                    }
                    out.append(Located(token: .time(y, 0), range: i..<j + 1)); i = j + 1; continue
                }
                var l = j
                while l < end, chars[l] == " " { l += 1 }
                if y == 24, l + 1 < end, chars[l] == "小", chars[l + 1] == "时" {
                    out.append(Located(token: .word(.allDay), range: i..<l + 2)); i = l + 2; continue
                }
                throw ChineseHoursError(quote(phrase(at: i)), "'\(quote(i..<j))' is not a time (write 8:30 or 8点30分) nor a date (2026年3月1日)")
            }
            if c == "-" || c == "至" || c == "到" {
                out.append(Located(token: .dash, range: i..<i + 1)); i += 1; continue
            }
            // A bare 三 after 周一、 or 周一至: a weekday.
            if let iso = Self.weekdayChars[c], let prev = out.last?.token, case .join = prev, case .weekday? = lastMeaningful() {
                out.append(Located(token: .weekday(iso), range: i..<i + 1)); i += 1; continue
            }
            if let iso = Self.weekdayChars[c], let prev = out.last?.token, case .dash = prev, case .weekday? = lastMeaningful() {
                out.append(Located(token: .weekday(iso), range: i..<i + 1)); i += 1; continue
            }
            var matched = false
            for (w, word) in Self.lexicon where i + w.count <= end && chars[i..<(i + w.count)].elementsEqual(w) {
                if case .unsupported = word {
                    throw ChineseHoursError(quote(phrase(at: i)), "the hours model has weekly rules (weekdays, 工作日, 休息日, 节假日, 每天) and dated exceptions only, so '\(w)' cannot be expressed; write the dates as exceptions")
                }
                if case .days(let d) = word, d.count == 1, let iso = d[0].isoWeekday {
                    out.append(Located(token: .weekday(iso), range: i..<(i + w.count)))
                } else {
                    out.append(Located(token: .word(word), range: i..<(i + w.count)))
                }
                i += w.count
                matched = true
                break
            }
            if matched { continue }
            if c == ":" { out.append(Located(token: .brk, range: i..<i + 1)); i += 1; continue }   // 办公时间：
            throw ChineseHoursError(quote(phrase(at: i)), "'\(c)' begins nothing understood here; see docs/editing.md (Bureau lists as published) for the phrases read")
        }
        return out
    }

    // MARK: Rules

    func parse() throws(ChineseHoursError) -> Hours {
        let trimmed = String(chars).trimmingWhitespace
        guard !trimmed.isEmpty else { throw ChineseHoursError("", "empty: no hours given") }
        var tokens = try tokenize(0..<chars.count)
        // Brackets that are not business lists or notes are read in place (（节假日除外）, （午休12:00-13:30）).
        var k = 0
        while k < tokens.count {
            if case .paren(let s, let r) = tokens[k].token {
                let t = s.trimmingWhitespace
                let isList = ["仅", "只", "限"].contains { t.hasPrefix($0) }
                var inException = false
                // In an exception (dates before, with no day words since), a bracket not listing businesses is its note.
                for p in tokens[..<k].reversed() {
                    if case .date = p.token { inException = true; break }
                    if case .word(.days) = p.token { break }
                    if case .weekday = p.token { break }
                }
                if !isList && !inException {
                    let inner = try tokenize(r)
                    tokens.replaceSubrange(k...k, with: [Located(token: .brk, range: tokens[k].range)] + inner + [Located(token: .brk, range: tokens[k].range)])
                    continue
                }
            }
            k += 1
        }

        var rules: [HoursRule] = []
        var exceptions: [HoursException] = []
        var holidaysClosed: Range<Int>?
        var noHours = false

        // The clause being read.
        var days: [DaySelector] = []
        var makeup = false
        var group: [DaySelector] = []       // the days since the last break: what 休息 / 照常 refer to
        var groupMakeup = false
        var groupStart = 0
        var clauseStart = 0
        var intervals: [TimeRange] = []
        var gaps: [(TimeRange, Range<Int>)] = []
        var businesses: [BusinessCode]?
        var exceptionDates: (LocalDate, LocalDate)?
        var exceptionClosed = false
        var note: String?
        var qualifier: Int?
        var lastEnd = 0
        var dangling: Range<Int>?

        func flush() throws(ChineseHoursError) {
            if let d = dangling { throw ChineseHoursError(quote(d), "'\(quote(d))' without hours after it") }
            defer {
                days = []; makeup = false; group = []; groupMakeup = false; intervals = []; gaps = []; businesses = nil
                exceptionDates = nil; exceptionClosed = false; note = nil; qualifier = nil
            }
            let clause = quote(clauseStart..<lastEnd)
            var iv = intervals
            for (gap, gr) in gaps {
                guard !gap.isOvernight, let hit = iv.firstIndex(where: { !$0.isOvernight && $0.span.start <= gap.span.start && gap.span.end <= $0.span.end }) else {
                    if iv.contains(where: { !$0.isOvernight && $0.span.start < gap.span.end && gap.span.start < $0.span.end }) || iv.isEmpty {
                        throw ChineseHoursError(quote(gr), "the break does not lie inside one of the hours it interrupts")
                    }
                    continue   // a break between the morning and afternoon hours, already a gap
                }
                let whole = iv.remove(at: hit)
                if whole.span.start < gap.span.start { iv.append(TimeRange(start: whole.start, end: gap.start)) }
                if gap.span.end < whole.span.end { iv.append(TimeRange(start: gap.end, end: whole.end)) }
            }
            iv.sort { $0.span.start < $1.span.start }
            if let (from, to) = exceptionDates {
                if exceptionClosed && !iv.isEmpty { throw ChineseHoursError(clause, "says both closed and open hours for the same dates") }
                if !exceptionClosed && iv.isEmpty { throw ChineseHoursError(clause, "dates without hours: write 暂停办理 or the hours (2026年3月1日 09:00-12:00)") }
                exceptions.append(HoursException(from: from, to: to, intervals: iv, businesses: iv.isEmpty ? nil : businesses, note: note))
                return
            }
            if days.isEmpty && !makeup {
                if !iv.isEmpty { throw ChineseHoursError(clause, "hours without days: say which days (周一至周五, 工作日, 每天 …)") }
                if businesses != nil { throw ChineseHoursError(clause, "a business list without days and hours") }
                return
            }
            if makeup { throw ChineseHoursError(clause, "调休上班日 has no hours of its own in the hours model: they follow 工作日; write 工作日 … or 调休上班日照常") }
            if iv.isEmpty { throw ChineseHoursError(clause, "days without hours: add the hours (8:30-17:30), or 休息") }
            rules.append(HoursRule(days: DaySelector.allCases.filter { days.contains($0) }, intervals: iv, businesses: businesses))
        }

        func addDays(_ d: [DaySelector], _ r: Range<Int>) throws(ChineseHoursError) {
            if !intervals.isEmpty || businesses != nil || exceptionDates != nil { try flush() }
            if days.isEmpty && !makeup { clauseStart = r.lowerBound }
            if group.isEmpty && !groupMakeup { groupStart = r.lowerBound }
            days += d
            group += d
        }

        func time(_ h: Int, _ m: Int, _ q: Int?, _ r: Range<Int>) throws(ChineseHoursError) -> Int {
            var hour = h
            if q == 2, h < 12 { hour += 12 }
            if q == 1, (1...3).contains(h) { hour += 12 }
            guard m < 60, hour * 60 + m <= 1440 else { throw ChineseHoursError(quote(r), "not a time of day from 0:00 to 24:00") }
            return hour * 60 + m
        }

        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            lastEnd = max(lastEnd, t.range.upperBound)
            switch t.token {
            case .brk:
                group = []; groupMakeup = false
            case .join:
                break
            case .date(let from):
                if exceptionDates != nil && intervals.isEmpty && !exceptionClosed { throw ChineseHoursError(quote(t.range), "a second date where hours were expected") }
                try flush()
                clauseStart = t.range.lowerBound
                var to = from
                if i + 2 < tokens.count, case .dash = tokens[i + 1].token, case .date(let d) = tokens[i + 2].token {
                    to = d; i += 2; lastEnd = tokens[i].range.upperBound
                }
                guard from <= to else { throw ChineseHoursError(quote(clauseStart..<lastEnd), "the first date is after the second") }
                exceptionDates = (from, to)
            case .weekday(let a):
                var set = [a]
                var j = i
                if i + 2 < tokens.count, case .dash = tokens[i + 1].token, case .weekday(let b) = tokens[i + 2].token {
                    set = []
                    var d = a
                    while true { set.append(d); if d == b { break }; d = d % 7 + 1 }
                    j = i + 2
                }
                try addDays(set.map(DaySelector.weekday), t.range.lowerBound..<tokens[j].range.upperBound)
                lastEnd = tokens[j].range.upperBound
                i = j
            case .time(let h, let m):
                // A range: time, dash, [次日 | 下午], time.
                var j = i + 1
                guard j < tokens.count, case .dash = tokens[j].token else {
                    throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "a time on its own: write a range (8:30-12:00)")
                }
                j += 1
                var next = false
                var q2 = qualifier
                while j < tokens.count {
                    if case .word(.nextDay) = tokens[j].token { next = true; j += 1; continue }
                    if case .word(.qualifier(let q)) = tokens[j].token { q2 = q; j += 1; continue }
                    break
                }
                guard j < tokens.count, case .time(let h2, let m2) = tokens[j].token else {
                    throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "a range needs an end time (8:30-12:00)")
                }
                let r = t.range.lowerBound..<tokens[j].range.upperBound
                let s = try time(h, m, qualifier, r)
                var e = try time(h2, m2, next ? nil : q2, r)
                if next && e >= 1440 { e -= 1440 }
                guard s < 1440 else { throw ChineseHoursError(quote(r), "a range cannot start at 24:00") }
                if e == s { throw ChineseHoursError(quote(r), "starts and ends at the same time") }
                if e < s && !next && !(e <= 360 && s >= 1080) {
                    throw ChineseHoursError(quote(r), "ends before it starts; a range past midnight is written 22:00-次日02:00")
                }
                if next && e > s { throw ChineseHoursError(quote(r), "次日 (the next day) must end before the start time") }
                let range = TimeRange(start: LocalTime(minutes: s), end: LocalTime(minutes: e))
                dangling = nil
                lastEnd = r.upperBound
                var before = i - 1
                while before >= 0, case .brk = tokens[before].token { before -= 1 }
                if before >= 0, case .word(.lunch) = tokens[before].token {
                    gaps.append((range, tokens[before].range.lowerBound..<r.upperBound))
                } else {
                    if exceptionDates == nil && days.isEmpty && !makeup {
                        throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "hours without days: say which days (周一至周五, 工作日, 每天 …)")
                    }
                    if businesses != nil {
                        throw ChineseHoursError(quote(clauseStart..<r.upperBound), "hours after a business list: start a new clause with its days")
                    }
                    intervals.append(range)
                }
                group = []; groupMakeup = false
                i = j
            case .paren(let s, let r):
                var t2 = Substring(s.trimmingWhitespace)
                if ["仅", "只", "限"].contains(where: { t2.hasPrefix($0) }) {
                    for p in ["仅限办理", "仅办理", "只办理", "限办理", "仅受理", "只受理", "仅限", "仅", "只", "限"] where t2.hasPrefix(p) {
                        t2 = t2.dropFirst(p.count); break
                    }
                    if intervals.isEmpty { throw ChineseHoursError(quote(t.range), "a business list must follow the hours it limits") }
                    var list: [BusinessCode] = []
                    let orig = quote(r).dropFirst(s.trimmingWhitespace.count - t2.count)
                    for w in orig.split(whereSeparator: { "、,，;；及和".contains($0) }) {
                        let word = String(w).trimmingWhitespace
                        if word.isEmpty { continue }
                        guard let codes = business(word) else {
                            throw ChineseHoursError(word, "not a business name known to the catalogue or the caller vocabulary")
                        }
                        list += codes
                    }
                    if list.isEmpty { throw ChineseHoursError(quote(t.range), "names no business") }
                    businesses = (businesses ?? []) + list
                } else {
                    // An exception's note.
                    let n = quote(r)
                    note = note.map { $0 + "；" + n } ?? n
                }
                lastEnd = t.range.upperBound
            case .dash:
                throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "'\(quote(t.range))' joins nothing: ranges are 周一至周五 or 8:30-12:00")
            case .word(let w):
                switch w {
                case .days(let d):
                    try addDays(d, t.range)
                case .makeup:
                    if !intervals.isEmpty || businesses != nil { try flush() }
                    if days.isEmpty && !makeup { clauseStart = t.range.lowerBound }
                    if group.isEmpty && !groupMakeup { groupStart = t.range.lowerBound }
                    makeup = true; groupMakeup = true
                case .qualifier(let q):
                    if let d = dangling { throw ChineseHoursError(quote(d), "'\(quote(d))' without hours after it") }
                    qualifier = q
                    dangling = t.range
                case .nextDay:
                    throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "次日 belongs before the end of a range (22:00-次日02:00)")
                case .allDay:
                    if exceptionDates == nil && days.isEmpty && !makeup {
                        throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "hours without days: say which days (每天 24小时)")
                    }
                    if !intervals.contains(TimeRange("00:00", "24:00")) { intervals.append(TimeRange("00:00", "24:00")) }
                    group = []; groupMakeup = false
                case .lunch:
                    var after = i + 1
                    while after < tokens.count, case .brk = tokens[after].token { after += 1 }
                    guard after < tokens.count, case .time = tokens[after].token else {
                        throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "午休 needs its hours (午休12:00-13:30)")
                    }
                case .closed, .open:
                    let phraseRange = (group.isEmpty && !groupMakeup ? t.range.lowerBound : groupStart)..<t.range.upperBound
                    if exceptionDates != nil, case .closed = w, group.isEmpty {
                        exceptionClosed = true
                        break
                    }
                    guard !group.isEmpty || groupMakeup else {
                        throw ChineseHoursError(quote(phrase(at: t.range.lowerBound)), "'\(quote(t.range))' needs the days it is about (节假日休息, 周日休息)")
                    }
                    // The group's days leave the clause being read; its hours (if any) were before them.
                    days.removeLast(group.count)
                    if groupMakeup { makeup = false }
                    if days.isEmpty && !makeup && intervals.isEmpty { clauseStart = t.range.upperBound }
                    if case .closed = w {
                        try closeDays(group, makeup: groupMakeup, phrase: phraseRange, rules: &rules, holidaysClosed: &holidaysClosed)
                    } else {
                        if !intervals.isEmpty { try flush() }
                        try openDays(group, makeup: groupMakeup, phrase: phraseRange, rules: &rules)
                    }
                    group = []; groupMakeup = false
                case .filler:
                    break
                case .noHours, .noRules:
                    if case .noHours = w { noHours = true }
                case .unsupported(let s):
                    throw ChineseHoursError(s, "cannot be expressed")
                }
            }
            i += 1
        }
        try flush()
        if noHours && (!rules.isEmpty || !exceptions.isEmpty) { throw ChineseHoursError(String(original).trimmingWhitespace, "暂无营业时间 with hours") }
        if let hc = holidaysClosed {
            if rules.contains(where: { $0.days.contains(.holiday) }) {
                throw ChineseHoursError(quote(hc), "contradicts a rule that names holidays")
            }
            // 每天 … ；节假日休息: the daily rule stops at holidays.
            for k in rules.indices where rules[k].days.contains(.daily) {
                var d = Set(rules[k].days)
                d.remove(.daily)
                d.formUnion([.workday, .restday])
                rules[k].days = DaySelector.allCases.filter { d.contains($0) }
            }
        }
        let hours = Hours(rules: rules, exceptions: exceptions)
        do { _ = try Hours(json: hours.json) } catch {
            var why = "\(error)"
            if case .invalid(let p) = error { why = p.map { "\($0.name): \($0.reason)" }.joined(separator: "; ") }
            throw ChineseHoursError(String(original).trimmingWhitespace, "the hours read are not valid: \(why)")
        }
        return hours
    }

    func business(_ word: String) -> [BusinessCode]? {
        if let c = BusinessCode.allCases.first(where: { $0.nameZh == word || $0.rawValue == word }) { return [c] }
        if let c = businessWords[word], !c.isEmpty { return c }
        return nil
    }

    /// `<days>休息`: those days have no hours. Holidays: remembered (a 每天 rule then stops at holidays). Weekdays named by
    /// a rule: taken out of it. `调休上班日休息`: the 工作日 rules become 周一至周五.
    func closeDays(_ group: [DaySelector], makeup: Bool, phrase: Range<Int>, rules: inout [HoursRule],
               holidaysClosed: inout Range<Int>?) throws(ChineseHoursError) {
        if makeup {
            for k in rules.indices where rules[k].days.contains(.workday) {
                if rules[k].days.contains(where: { [.mon, .tue, .wed, .thu, .fri].contains($0) }) {
                    throw ChineseHoursError(quote(phrase), "a rule names both 工作日 and a weekday")
                }
                let d = Set(rules[k].days).subtracting([.workday]).union([.mon, .tue, .wed, .thu, .fri])
                rules[k].days = DaySelector.allCases.filter { d.contains($0) }
            }
        }
        for d in group {
            switch d {
            case .holiday: holidaysClosed = phrase
            case .daily: throw ChineseHoursError(quote(phrase), "closed every day: no hours")
            default:
                for k in rules.indices where rules[k].days.contains(d) {
                    rules[k].days.removeAll { $0 == d }
                }
                if rules.contains(where: { r in
                    r.days.contains(.daily) || (d.isoWeekday.map { $0 <= 5 } == true && r.days.contains(.workday))
                        || (d.isoWeekday.map { $0 >= 6 } == true && r.days.contains(.restday))
                        || (d == .workday && r.days.contains(where: { ($0.isoWeekday ?? 9) <= 5 }))
                        || (d == .restday && r.days.contains(where: { ($0.isoWeekday ?? 0) >= 6 }))
                }) {
                    throw ChineseHoursError(quote(phrase), "closes part of the days of a rule before it, which the hours model cannot subtract; name the open days instead")
                }
            }
        }
        rules.removeAll { $0.days.isEmpty }
    }

    /// `<days>照常` / `节假日不休`: those days keep the hours said before (which must be one set of hours).
    /// `调休上班日照常`: the 周一至周五 rules become 工作日 (a make-up day is then worked as a working day).
    func openDays(_ group: [DaySelector], makeup: Bool, phrase: Range<Int>, rules: inout [HoursRule]) throws(ChineseHoursError) {
        if makeup {
            let weekdays: Set<DaySelector> = [.mon, .tue, .wed, .thu, .fri]
            var changed = false
            for k in rules.indices where weekdays.isSubset(of: Set(rules[k].days)) {
                let d = Set(rules[k].days).subtracting(weekdays).union([.workday])
                rules[k].days = DaySelector.allCases.filter { d.contains($0) }
                changed = true
            }
            if !changed && !rules.contains(where: { $0.days.contains(.workday) }) {
                throw ChineseHoursError(quote(phrase), "no 周一至周五 or 工作日 hours before it to follow")
            }
        }
        guard !group.isEmpty else { return }
        let general = rules.indices.filter { rules[$0].businesses == nil }
        guard let first = general.first else { throw ChineseHoursError(quote(phrase), "no hours before it to keep") }
        let sets = Set(general.map { rules[$0].intervals.sorted { $0.span.start < $1.span.start } })
        guard sets.count == 1 else {
            throw ChineseHoursError(quote(phrase), "the hours before it differ, so which apply on those days is not said; give their hours (节假日 9:00-12:00)")
        }
        let d = Set(rules[first].days).union(group)
        rules[first].days = DaySelector.allCases.filter { d.contains($0) }
    }
}
