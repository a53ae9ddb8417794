// Plain-Chinese status for hotline agents: what to read back to a caller ("营业中，17:30 停止办理"),
// and why the hours engine decided so (the rule, the day kind, the holiday).

extension CompiledHours {
    /// One sentence an agent can read to a caller: open or not at `instant` for the businesses, and the next
    /// change (`17:30 停止办理`, `明天（周二）08:30 开始办理`). A pure function of the hours, the calendar they were
    /// compiled with and the instant:
    ///
    /// - open: `营业中，17:30 停止办理`, with `（还剩 20 分钟）` when it closes within an hour and `，13:30 恢复办理`
    ///   when it reopens the same day within four hours (a lunch break); on a make-up workday the lead is
    ///   `今日为调休工作日，正常办理`, on a holiday `营业中（春节假期）`; open through the 366-day horizon: `营业中，24 小时办理`;
    /// - closed, opening later the same day: `午休中，13:30 恢复办理` (closed between 11:00 and 14:30 after opening
    ///   earlier that day), `暂停办理中，18:00 恢复办理` (another break), `尚未开始办理，08:30 开始办理` (not opened yet);
    /// - closed for the rest of the day: `已下班` (it opened earlier that day), `春节假期休息` (a holiday with no hours),
    ///   `暂停办理（系统升级）` (a dated exception), `今日休息` (a rest day), `今日不办理` (no hours that day), then the next
    ///   opening: `明天（周二）08:30 开始办理`; `恢复办理` instead of `开始办理` after a holiday or an exception, and a holiday
    ///   lying between today and the next opening is named (`已下班，春节假期休息，2月24日（周二）08:30 恢复办理`);
    /// - dates as spoken: the time alone for the same day, `明天（周二）`, `后天（周三）`, else `2月24日（周二）` (with the
    ///   year when it differs); times 24-hour; a close at midnight reads `24:00`;
    /// - not operating: `暂停营业` (`temporarily_closed`) or `已停止运营` (`closed`); a business the outlet does not offer:
    ///   `不办理所选业务`; no opening within 366 days: `近一年内无办理时间`.
    ///
    /// The nearest search remembers the last sentence per hours class (`ClassMemo` in ServiceCircleSearch): outlets
    /// sharing hours and asked about at the same instant — every search of the same second at `at` = now — read it
    /// without building it again.
    ///
    /// A date beyond the loaded holiday calendar (its holidays not yet published) is evaluated as an ordinary week,
    /// and the sentence says so itself: `…（节假日安排尚未公布，按平日推算）`.
    public func statusTextZh(at instant: Instant, for required: BusinessSet = .none, state: OperatingState = .active) -> String {
        guard operating, state == .active else { return state == .closed ? "已停止运营" : "暂停营业" }
        guard offered.isSuperset(of: required) else { return "不办理所选业务" }
        let text = statusSentenceZh(at: instant, for: required)
        return calendar.isKnown(instant.localDate) ? text : text + ChineseStatusText.calendarUnknownNote
    }

    func statusSentenceZh(at instant: Instant, for required: BusinessSet) -> String {
        let date = instant.localDate
        let day = calendar.info(date)
        if isOpen(at: instant, for: required) {
            var lead = "营业中"
            if day.kind == .makeupWorkday { lead = "今日为调休工作日，正常办理" }
            else if day.kind == .holiday { lead = "营业中（\(ChineseStatusText.holidayPhrase(day.nameZh))）" }
            guard let closes = closesAt(from: instant, for: required) else { return lead + "，24 小时办理" }
            var s = lead + "，" + ChineseStatusText.when(closes, from: instant, endOfDay: true) + " 停止办理"
            let left = Int((closes.seconds - instant.seconds + 59) / 60)
            if left < 60 { s += "（还剩 \(left) 分钟）" }
            if let reopen = nextOpensAt(after: closes, for: required), reopen.localDate == closes.localDate,
               reopen.seconds - closes.seconds <= 4 * 3600 {
                s += "，" + ChineseStatusText.when(reopen, from: instant) + " 恢复办理"
            }
            return s
        }
        let next = nextOpensAt(after: instant, for: required)
        let dayStart = Instant(date: date, time: LocalTime(minutes: 0))
        let openedToday = !openIntervals(from: dayStart, to: instant, for: required).isEmpty
        if let next, next.localDate == date {
            let at = ChineseStatusText.when(next, from: instant)
            guard openedToday else { return "尚未开始办理，\(at) 开始办理" }
            let minute = instant.localTimeMinutes
            return (minute >= 11 * 60 && minute < 14 * 60 + 30 ? "午休中，" : "暂停办理中，") + at + " 恢复办理"
        }
        var reason: String
        var resumes = false
        if openedToday {
            reason = "已下班"
        } else if case .exceptions(let idx) = source(for: date) {
            let notes = idx.compactMap { exceptionNotes[$0] }.filter { !$0.isEmpty }
            reason = notes.isEmpty ? "今日暂停办理" : "暂停办理（\(notes.joined(separator: "；"))）"
            resumes = true
        } else if day.kind == .holiday {
            reason = ChineseStatusText.holidayPhrase(day.nameZh) + "休息"
            resumes = true
        } else if day.kind == .restday {
            reason = "今日休息"
        } else {
            reason = "今日不办理"
        }
        guard let next else { return reason + "，近一年内无办理时间" }
        // A holiday between today and the next opening explains a long wait ("已下班，春节假期休息，…").
        if day.kind != .holiday, next.localDate.dayNumber - date.dayNumber >= 2 {
            for d in (date.dayNumber + 1)..<next.localDate.dayNumber {
                let info = calendar.info(LocalDate(dayNumber: d))
                if info.kind == .holiday {
                    reason += "，" + ChineseStatusText.holidayPhrase(info.nameZh) + "休息"
                    resumes = true
                    break
                }
            }
        }
        return reason + "，" + ChineseStatusText.when(next, from: instant) + (resumes ? " 恢复办理" : " 开始办理")
    }

    /// Why the engine decided as it did at `instant`, in Chinese: the date and its day kind (with the holiday or
    /// make-up name and whether the calendar knows the year), the rules that applied (quoted as ``Hours/textZh``
    /// quotes them, numbered from 1 as an agent reads them) and the resulting status sentence, e.g.
    /// `2026年2月14日（周六）是调休工作日（春节调休上班），按工作日规则办理；适用规则 1「工作日 08:30–12:00、13:30–17:30」；
    /// 结论：今日为调休工作日，正常办理，17:30 停止办理`.
    public func explanationZh(at instant: Instant, for required: BusinessSet = .none, hours: Hours,
                              state: OperatingState = .active) -> String {
        let status = status(at: instant, for: required)
        let date = instant.localDate
        let day = calendar.info(date)
        var parts: [String] = []
        var dayText = ChineseStatusText.fullDate(date) + "是" + ChineseStatusText.dayKindPhrase(day)
        if !day.known { dayText += "（日历未收录该年份，仅按星期判断）" }
        // A past-midnight interval of the previous day is what decided an open instant.
        let decidedDate = status.source == source(for: date) ? date : date.adding(days: -1)
        if decidedDate != date {
            dayText += "；此刻处于前一天（" + ChineseStatusText.fullDate(decidedDate) + "）的跨夜时段"
        }
        parts.append(dayText)
        switch status.source {
        case .notOperating:
            parts.append(state == .closed ? "网点已停止运营，任何时间都不办理" : "网点暂停营业，任何时间都不办理")
        case .none:
            let kind = calendar.info(decidedDate).kind
            let missing = kind == .holiday ? "没有“法定节假日”或“每天”规则" : "没有适用于当天的规则"
            parts.append(missing + "，当天不办理")
        case .exceptions(let idx):
            let quoted = idx.map { "例外 \($0 + 1)「\(ChineseStatusText.exceptionText(hours.exceptions[$0]))」" }
            parts.append("适用" + quoted.joined(separator: "、") + "，当天不按常规规则")
        case .rules(let selector, let idx):
            let kind = calendar.info(decidedDate).kind
            let why: String = switch (kind, selector) {
            case (.holiday, .holiday): "法定节假日按“法定节假日”规则"
            case (.holiday, _): "没有“法定节假日”规则，按“每天”规则"
            case (.makeupWorkday, .workday): "调休工作日按“工作日”规则"
            case (.makeupWorkday, _): "调休工作日没有“工作日”规则，按\(ChineseStatusText.selectorName(selector))规则"
            case (.workday, .workday): "按“工作日”规则"
            case (.restday, .restday): "按“休息日”规则"
            default: "按\(ChineseStatusText.selectorName(selector))规则"
            }
            let quoted = idx.map { "规则 \($0 + 1)「\(ChineseStatusText.ruleText(hours.rules[$0]))」" }
            parts.append(why + "，适用" + quoted.joined(separator: "、"))
        }
        if !required.isEmpty {
            parts.append("所查业务：" + required.codes.map(\.nameZh).joined(separator: "、"))
        }
        parts.append("结论：" + statusTextZh(at: instant, for: required, state: state))
        return parts.joined(separator: "；")
    }
}

/// The phrases of ``CompiledHours/statusTextZh(at:for:state:)`` and ``CompiledHours/explanationZh(at:for:hours:state:)``.
public enum ChineseStatusText {
    /// How a holiday period is said: `春节假期`, `国庆假期`, `劳动节假期` (`五一` is colloquial; the calendar's name is kept).
    static let holidayPeriods: [String: String] = [
        "元旦": "元旦假期", "春节": "春节假期", "清明节": "清明假期", "劳动节": "劳动节假期",
        "端午节": "端午假期", "中秋节": "中秋假期", "国庆节": "国庆假期",
    ]

    /// Appended to a status sentence for a date the loaded holiday calendar does not reach.
    public static let calendarUnknownNote = "（节假日安排尚未公布，按平日推算）"

    public static func holidayPhrase(_ name: String?) -> String {
        guard let name, !name.isEmpty else { return "法定节假日" }
        return holidayPeriods[name] ?? name + "假期"
    }

    static func dayKindPhrase(_ day: DayInfo) -> String {
        switch day.kind {
        case .holiday: "法定节假日（\(day.nameZh ?? "节假日")）"
        case .makeupWorkday: "调休工作日（\(day.nameZh.map { $0 + "调休上班" } ?? "调休上班")）"
        case .workday: "工作日"
        case .restday: "休息日"
        }
    }

    static func selectorName(_ s: DaySelector) -> String {
        switch s {
        case .workday: "“工作日”"
        case .restday: "“休息日”"
        case .holiday: "“法定节假日”"
        case .daily: "“每天”"
        default: "“" + ChineseHoursText.weekdayNames[(s.isoWeekday ?? 1) - 1] + "”"
        }
    }

    static func ruleText(_ r: HoursRule) -> String {
        ChineseHoursText.days(r.days) + " " + ChineseHoursText.intervals(r.intervals) + ChineseHoursText.only(r.businesses)
    }

    static func exceptionText(_ e: HoursException) -> String {
        var s = ChineseHoursText.dates(e.from, e.to) + " "
        s += e.intervals.isEmpty ? "暂停办理" : ChineseHoursText.intervals(e.intervals) + ChineseHoursText.only(e.businesses)
        if let note = e.note.map(ChineseHoursText.trimmed), !note.isEmpty { s += "（\(note)）" }
        return s
    }

    /// `2026年2月14日（周六）`.
    public static func fullDate(_ d: LocalDate) -> String {
        let (y, m, day) = d.components
        return "\(y)年\(m)月\(day)日（\(ChineseHoursText.weekdayNames[d.isoWeekday - 1])）"
    }

    /// An instant as said relative to `reference`: `17:30` the same day, `明天（周二）08:30`, `后天（周三）08:30`,
    /// `2月24日（周二）08:30`, `2027年1月4日（周一）08:30`. With `endOfDay`, midnight reads as `24:00` of the day before
    /// (a close "at 24:00", not "tomorrow at 00:00").
    public static func when(_ t: Instant, from reference: Instant, endOfDay: Bool = false) -> String {
        var date = t.localDate
        var minutes = t.localTimeMinutes
        if endOfDay, minutes == 0 {
            date = date.adding(days: -1)
            minutes = 1440
        }
        let time = LocalTime(minutes: minutes).description
        let ref = reference.localDate
        let wd = ChineseHoursText.weekdayNames[date.isoWeekday - 1]
        switch date.dayNumber - ref.dayNumber {
        case 0: return time
        case 1: return "明天（\(wd)）\(time)"
        case 2: return "后天（\(wd)）\(time)"
        default:
            let (y, m, d) = date.components
            let year = y == ref.components.year ? "" : "\(y)年"
            return "\(year)\(m)月\(d)日（\(wd)）\(time)"
        }
    }
}
