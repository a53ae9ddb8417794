import ServiceCircleDomain
import Testing

/// The sentence an agent reads to a caller (`statusTextZh`) and the explanation of the decision
/// (`explanationZh`), at fixed instants on the 2026 edge dates of the State Council schedule.
@Suite struct StatusTextTests {
    static func rule(_ days: [DaySelector], _ intervals: [(String, String)], _ businesses: [BusinessCode]? = nil) -> HoursRule {
        HoursRule(days: days, intervals: intervals.map { TimeRange($0.0, $0.1) }, businesses: businesses)
    }

    static func text(_ h: Hours, _ instant: String, _ required: [BusinessCode] = [], state: OperatingState = .active) -> String {
        compiled(h, operating: state == .active).statusTextZh(at: at(instant), for: BusinessSet(required), state: state)
    }

    // Office: workdays (make-up Saturdays included) 08:30–12:00, 13:30–17:30; holidays closed.
    @Test("office hours on ordinary days", arguments: [
        ("2026-03-02T10:00:00+08:00", "营业中，12:00 停止办理，13:30 恢复办理"),
        ("2026-03-02T11:40:00+08:00", "营业中，12:00 停止办理（还剩 20 分钟），13:30 恢复办理"),
        ("2026-03-02T12:30:00+08:00", "午休中，13:30 恢复办理"),
        ("2026-03-02T17:10:00+08:00", "营业中，17:30 停止办理（还剩 20 分钟）"),
        ("2026-03-02T15:00:00+08:00", "营业中，17:30 停止办理"),
        ("2026-03-02T07:00:00+08:00", "尚未开始办理，08:30 开始办理"),
        ("2026-03-02T18:00:00+08:00", "已下班，明天（周二）08:30 开始办理"),
        ("2026-03-06T18:00:00+08:00", "已下班，3月9日（周一）08:30 开始办理"),
        ("2026-03-07T10:00:00+08:00", "今日休息，后天（周一）08:30 开始办理"),
        ("2026-03-08T23:59:00+08:00", "今日休息，明天（周一）08:30 开始办理"),
    ])
    func ordinaryDays(instant: String, expected: String) {
        #expect(Self.text(office, instant) == expected)
    }

    @Test("2026 Spring Festival block and its make-up workdays", arguments: [
        // 2026-02-14 (Saturday) is a make-up workday before the 15th–23rd holiday block.
        ("2026-02-13T18:00:00+08:00", "已下班，明天（周六）08:30 开始办理"),
        ("2026-02-14T10:00:00+08:00", "今日为调休工作日，正常办理，12:00 停止办理，13:30 恢复办理"),
        ("2026-02-14T17:10:00+08:00", "今日为调休工作日，正常办理，17:30 停止办理（还剩 20 分钟）"),
        ("2026-02-14T18:00:00+08:00", "已下班，春节假期休息，2月24日（周二）08:30 恢复办理"),
        ("2026-02-15T09:00:00+08:00", "春节假期休息，2月24日（周二）08:30 恢复办理"),
        ("2026-02-18T10:00:00+08:00", "春节假期休息，2月24日（周二）08:30 恢复办理"),
        ("2026-02-23T10:00:00+08:00", "春节假期休息，明天（周二）08:30 恢复办理"),
        ("2026-02-24T08:00:00+08:00", "尚未开始办理，08:30 开始办理"),
        // 2026-02-28 (Saturday) is the second make-up workday; the Sunday after is an ordinary rest day.
        ("2026-02-27T18:00:00+08:00", "已下班，明天（周六）08:30 开始办理"),
        ("2026-02-28T09:00:00+08:00", "今日为调休工作日，正常办理，12:00 停止办理，13:30 恢复办理"),
        ("2026-02-28T18:00:00+08:00", "已下班，后天（周一）08:30 开始办理"),
        // National Day: 1–7 October, make-up Saturday 10 October.
        ("2026-09-30T18:00:00+08:00", "已下班，国庆假期休息，10月8日（周四）08:30 恢复办理"),
        ("2026-10-10T12:10:00+08:00", "午休中，13:30 恢复办理"),
    ])
    func springFestival(instant: String, expected: String) {
        #expect(Self.text(office, instant) == expected)
    }

    @Test func holidayHoursPastMidnightAndRoundTheClock() {
        let daily = Hours(rules: [Self.rule([.daily], [("09:00", "17:00")])])
        #expect(Self.text(daily, "2026-10-01T10:00:00+08:00") == "营业中（国庆假期），17:00 停止办理")
        let night = Hours(rules: [Self.rule([.fri, .sat], [("22:00", "02:00")])])
        #expect(Self.text(night, "2026-03-06T23:00:00+08:00") == "营业中，明天（周六）02:00 停止办理")
        #expect(Self.text(night, "2026-03-07T01:00:00+08:00") == "营业中，02:00 停止办理")
        #expect(Self.text(night, "2026-03-08T03:00:00+08:00") == "已下班，3月13日（周五）22:00 开始办理")
        let late = Hours(rules: [Self.rule([.daily], [("08:00", "24:00")])])
        #expect(Self.text(late, "2026-03-02T23:30:00+08:00") == "营业中，24:00 停止办理（还剩 30 分钟）")
        let allDay = Hours(rules: [Self.rule([.daily], [("00:00", "24:00")])])
        #expect(Self.text(allDay, "2026-02-17T03:00:00+08:00") == "营业中（春节假期），24 小时办理")
    }

    @Test func exceptionsStatesAndBusinesses() {
        var h = office
        h.exceptions = [HoursException(from: LocalDate(iso: "2026-03-10")!, to: LocalDate(iso: "2026-03-11")!, intervals: [], note: " 系统升级 ")]
        #expect(Self.text(h, "2026-03-10T10:00:00+08:00") == "暂停办理（系统升级），后天（周四）08:30 恢复办理")
        #expect(Self.text(office, "2026-03-02T10:00:00+08:00", state: .temporarilyClosed) == "暂停营业")
        #expect(Self.text(office, "2026-03-02T10:00:00+08:00", state: .closed) == "已停止运营")
        let inspections = compiled(office, BusinessSet([.vehicleInspection]))
        #expect(inspections.statusTextZh(at: at("2026-03-02T10:00:00+08:00"), for: BusinessSet([.licenseRenewal])) == "不办理所选业务")
        // A Saturday-morning rule for inspections only: other businesses wait for Monday.
        let sat = Hours(rules: [Self.rule([.workday], [("08:30", "17:30")]), Self.rule([.sat], [("09:00", "12:00")], [.vehicleInspection])])
        #expect(Self.text(sat, "2026-03-07T10:00:00+08:00", [.vehicleInspection]) == "营业中，12:00 停止办理")
        #expect(Self.text(sat, "2026-03-07T10:00:00+08:00", [.licenseRenewal]) == "今日休息，后天（周一）08:30 开始办理")
        #expect(Self.text(Hours.closed, "2026-03-02T10:00:00+08:00") == "今日不办理，近一年内无办理时间")
    }

    @Test func spokenDates() {
        let ref = at("2026-12-30T10:00:00+08:00")
        #expect(ChineseStatusText.when(at("2026-12-30T17:30:00+08:00"), from: ref) == "17:30")
        #expect(ChineseStatusText.when(at("2026-12-31T08:30:00+08:00"), from: ref) == "明天（周四）08:30")
        #expect(ChineseStatusText.when(at("2027-01-01T08:30:00+08:00"), from: ref) == "后天（周五）08:30")
        #expect(ChineseStatusText.when(at("2027-01-04T08:30:00+08:00"), from: ref) == "2027年1月4日（周一）08:30")
        #expect(ChineseStatusText.when(at("2026-12-31T00:00:00+08:00"), from: ref, endOfDay: true) == "24:00")
        #expect(ChineseStatusText.holidayPhrase("国庆节") == "国庆假期")
        #expect(ChineseStatusText.holidayPhrase(nil) == "法定节假日")
    }

    @Test func explanationNamesRuleDayKindAndHoliday() {
        let c = compiled(office)
        #expect(c.explanationZh(at: at("2026-02-14T10:00:00+08:00"), hours: office) ==
            "2026年2月14日（周六）是调休工作日（春节调休上班）；调休工作日按“工作日”规则，适用规则 1「工作日 08:30–12:00、13:30–17:30」；"
            + "结论：今日为调休工作日，正常办理，12:00 停止办理，13:30 恢复办理")
        #expect(c.explanationZh(at: at("2026-02-18T10:00:00+08:00"), for: BusinessSet([.licenseRenewal]), hours: office) ==
            "2026年2月18日（周三）是法定节假日（春节）；没有“法定节假日”或“每天”规则，当天不办理；所查业务：期满换证；"
            + "结论：春节假期休息，2月24日（周二）08:30 恢复办理")
        #expect(c.explanationZh(at: at("2027-03-01T10:00:00+08:00"), hours: office).hasPrefix(
            "2027年3月1日（周一）是工作日（日历未收录该年份，仅按星期判断）；按“工作日”规则"))
        var h = office
        h.exceptions = [HoursException(from: LocalDate(iso: "2026-03-10")!, to: LocalDate(iso: "2026-03-10")!, intervals: [], note: "系统升级")]
        #expect(compiled(h).explanationZh(at: at("2026-03-10T10:00:00+08:00"), hours: h) ==
            "2026年3月10日（周二）是工作日；适用例外 1「2026年3月10日 暂停办理（系统升级）」，当天不按常规规则；结论：暂停办理（系统升级），明天（周三）08:30 恢复办理")
        let night = Hours(rules: [Self.rule([.fri], [("22:00", "02:00")])])
        #expect(compiled(night).explanationZh(at: at("2026-03-07T01:00:00+08:00"), hours: night) ==
            "2026年3月7日（周六）是休息日；此刻处于前一天（2026年3月6日（周五））的跨夜时段；按“周五”规则，适用规则 1「周五 22:00–次日02:00」；"
            + "结论：营业中，02:00 停止办理")
    }

    @Test func aDateBeyondTheCalendarSaysSo() {
        #expect(Self.text(office, "2027-03-01T10:00:00+08:00") == "营业中，12:00 停止办理，13:30 恢复办理（节假日安排尚未公布，按平日推算）")
        #expect(Self.text(office, "2026-03-02T10:00:00+08:00") == "营业中，12:00 停止办理，13:30 恢复办理")
    }
}
