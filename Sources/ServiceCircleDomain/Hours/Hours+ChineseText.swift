// Plain-Chinese rendering of opening hours for hotline agents and outlet cards.

extension Hours {
    /// The hours in plain Chinese, e.g.
    /// `工作日 08:30–12:00、13:30–17:30；周六 09:00–12:00（仅机动车安全技术检验）；法定节假日休息`.
    ///
    /// Deterministic, and a function of the data only (no clock, no calendar):
    /// - one clause per rule, in rule order, clauses separated by "；";
    /// - selectors: `mon`…`sun` → 周一…周日 (three or more consecutive weekdays as 周一至周五, two as 周六、周日),
    ///   `workday` → 工作日, `restday` → 休息日 (the ordinary Saturday and Sunday, 双休日), `holiday` → 法定节假日,
    ///   `daily` → 每天; order: 每天, 工作日, weekdays, 休息日, 法定节假日; joined by "、";
    /// - intervals sorted by start, as `08:30–12:00` (en dash) joined by "、"; `00:00–24:00` alone → `24 小时`
    ///   (so a `daily` 00:00–24:00 rule reads `每天 24 小时`); a past-midnight interval as `22:00–次日02:00`;
    /// - a rule limited to businesses ends with `（仅` + their ``BusinessCode/nameZh`` in catalogue order joined by "、" + `）`;
    /// - holidays, per the precedence of docs/hours.md: when no rule names `holiday` and none is `daily`, the text adds
    ///   `法定节假日休息`; when a `daily` rule exists and none names `holiday`, holidays follow it and nothing is added;
    /// - dated exceptions after the rules, sorted by date: `2026-03-01至2026-03-10 暂停办理（系统升级）`, a single day
    ///   as `2026年3月1日`, special hours as `2026年3月1日 09:00–12:00（仅…）（note）`;
    /// - no rules and no exceptions → `暂无营业时间`; no rules but exceptions → `暂无常规营业时间；` + the exceptions.
    public var textZh: String {
        if rules.isEmpty && exceptions.isEmpty { return "暂无营业时间" }
        var parts: [String] = []
        if rules.isEmpty {
            parts.append("暂无常规营业时间")
        } else {
            for rule in rules {
                var s = ChineseHoursText.days(rule.days) + " " + ChineseHoursText.intervals(rule.intervals)
                s += ChineseHoursText.only(rule.businesses)
                parts.append(s)
            }
            let hasHoliday = rules.contains { $0.days.contains(.holiday) }
            let hasDaily = rules.contains { $0.days.contains(.daily) }
            if !hasHoliday && !hasDaily { parts.append("法定节假日休息") }
        }
        let ordered = exceptions.enumerated().sorted {
            ($0.element.from, $0.element.to, $0.offset) < ($1.element.from, $1.element.to, $1.offset)
        }
        for (_, e) in ordered {
            var s = ChineseHoursText.dates(e.from, e.to) + " "
            if e.intervals.isEmpty {
                s += "暂停办理"
            } else {
                s += ChineseHoursText.intervals(e.intervals) + ChineseHoursText.only(e.businesses)
            }
            if let note = e.note.map(ChineseHoursText.trimmed), !note.isEmpty { s += "（\(note)）" }
            parts.append(s)
        }
        return parts.joined(separator: "；")
    }
}

/// The pieces of ``Hours/textZh``.
enum ChineseHoursText {
    static let weekdayNames = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]

    static func days(_ days: [DaySelector]) -> String {
        let set = Set(days)
        var items: [String] = []
        if set.contains(.daily) { items.append("每天") }
        if set.contains(.workday) { items.append("工作日") }
        let weekdays = (1...7).filter { set.contains(DaySelector.weekday($0)) }
        for run in runs(weekdays) {
            switch run.count {
            case 1: items.append(weekdayNames[run[0] - 1])
            case 2: items.append(weekdayNames[run[0] - 1]); items.append(weekdayNames[run[1] - 1])
            default: items.append(weekdayNames[run.first! - 1] + "至" + weekdayNames[run.last! - 1])
            }
        }
        if set.contains(.restday) { items.append("休息日") }
        if set.contains(.holiday) { items.append("法定节假日") }
        return items.joined(separator: "、")
    }

    /// Maximal runs of consecutive ISO weekdays (no wrap-around), ascending.
    static func runs(_ isoDays: [Int]) -> [[Int]] {
        var out: [[Int]] = []
        for d in isoDays.sorted() {
            if let last = out.last?.last, last + 1 == d { out[out.count - 1].append(d) } else { out.append([d]) }
        }
        return out
    }

    static func intervals(_ intervals: [TimeRange]) -> String {
        if intervals.count == 1, intervals[0].start.minutes == 0, intervals[0].end.minutes == 1440 { return "24 小时" }
        return intervals.sorted { ($0.span.start, $0.span.end) < ($1.span.start, $1.span.end) }
            .map { "\($0.start)–\($0.isOvernight ? "次日" : "")\($0.end)" }
            .joined(separator: "、")
    }

    static func only(_ businesses: [BusinessCode]?) -> String {
        guard let b = businesses, !b.isEmpty else { return "" }
        return "（仅" + Array(Set(b)).sorted().map(\.nameZh).joined(separator: "、") + "）"
    }

    static func trimmed(_ text: String) -> String {
        var s = Substring(text)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    static func dates(_ from: LocalDate, _ to: LocalDate) -> String {
        if from == to {
            let (y, m, d) = from.components
            return "\(y)年\(m)月\(d)日"
        }
        return "\(from)至\(to)"
    }
}
