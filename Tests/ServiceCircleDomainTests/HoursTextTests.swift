import PropertyBased
import ServiceCircleDomain
import Testing

/// Plain-Chinese text (`textZh`) and the OSM `opening_hours` form of hours.
@Suite struct HoursTextTests {
    // MARK: Fixtures

    static func rule(_ days: [DaySelector], _ intervals: [(String, String)], _ businesses: [BusinessCode]? = nil) -> HoursRule {
        HoursRule(days: days, intervals: intervals.map { TimeRange($0.0, $0.1) }, businesses: businesses)
    }

    static func date(_ s: String) -> LocalDate { LocalDate(iso: s)! }

    /// Weekdays with a lunch break, Saturday morning for inspections only.
    static let office = Hours(rules: [
        rule([.workday], [("08:30", "12:00"), ("13:30", "17:30")]),
        rule([.sat], [("09:00", "12:00")], [.vehicleInspection]),
    ])

    static let allDay = Hours(rules: [rule([.daily], [("00:00", "24:00")])])

    static func parseError(_ text: String, path: String = "opening_hours") -> InvalidParam? {
        do {
            _ = try Hours(openingHours: text, path: path)
            return nil
        } catch {
            if case .invalid(let params) = error { return params.first }
            return nil
        }
    }

    // MARK: textZh

    @Test func officeTextMatchesTheExample() {
        #expect(Self.office.textZh == "工作日 08:30–12:00、13:30–17:30；周六 09:00–12:00（仅机动车安全技术检验）；法定节假日休息")
    }

    @Test func roundTheClockText() {
        #expect(Self.allDay.textZh == "每天 24 小时")
        // A daily rule reaches holidays: nothing is added about them.
        #expect(Hours(rules: [Self.rule([.daily], [("08:00", "18:00")])]).textZh == "每天 08:00–18:00")
    }

    @Test func lunchBreakAndPastMidnight() {
        let h = Hours(rules: [
            Self.rule([.workday], [("13:30", "17:30"), ("08:30", "12:00")]),
            Self.rule([.fri, .sat], [("22:00", "02:00")]),
        ])
        #expect(h.textZh == "工作日 08:30–12:00、13:30–17:30；周五、周六 22:00–次日02:00；法定节假日休息")
    }

    @Test func selectorNames() {
        let h = Hours(rules: [
            Self.rule([.fri, .mon, .tue, .wed, .thu], [("08:00", "12:00")]),
            Self.rule([.restday, .holiday], [("09:00", "11:00")]),
            Self.rule([.mon, .wed, .sun], [("13:00", "14:00")]),
            Self.rule([.sat, .sun], [("15:00", "16:00")], [.examSubject2, .vehicleInspection]),
        ])
        #expect(h.textZh == "周一至周五 08:00–12:00；休息日、法定节假日 09:00–11:00；周一、周三、周日 13:00–14:00；"
            + "周六、周日 15:00–16:00（仅机动车安全技术检验、科目二）")
        let mixed = Hours(rules: [Self.rule([.holiday, .sat, .workday], [("00:00", "24:00")], [.finePayment])])
        #expect(mixed.textZh == "工作日、周六、法定节假日 24 小时（仅罚款缴纳）")
    }

    @Test func exceptionsFollowTheRules() {
        var h = Self.office
        h.exceptions = [
            HoursException(from: Self.date("2026-04-04"), to: Self.date("2026-04-04"),
                           intervals: [TimeRange("09:00", "12:00")], businesses: [.violationHandling], note: "清明值班"),
            HoursException(from: Self.date("2026-03-01"), to: Self.date("2026-03-10"), intervals: [], note: "系统升级"),
            HoursException(from: Self.date("2026-03-01"), to: Self.date("2026-03-01"), intervals: [], note: "  "),
        ]
        #expect(h.textZh == "工作日 08:30–12:00、13:30–17:30；周六 09:00–12:00（仅机动车安全技术检验）；法定节假日休息；"
            + "2026年3月1日 暂停办理；2026-03-01至2026-03-10 暂停办理（系统升级）；2026年4月4日 09:00–12:00（仅违法处理）（清明值班）")
    }

    @Test func emptyHours() {
        #expect(Hours.closed.textZh == "暂无营业时间")
        let onlyException = Hours(rules: [], exceptions: [
            HoursException(from: Self.date("2026-03-01"), to: Self.date("2026-03-01"), intervals: [TimeRange("09:00", "12:00")]),
        ])
        #expect(onlyException.textZh == "暂无常规营业时间；2026年3月1日 09:00–12:00")
    }

    // MARK: openingHours rendering

    @Test func officeOpeningHours() throws {
        #expect(Self.office.openingHours == "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00 \"vehicle_inspection\"; PH off")
        let plain = try Hours(openingHours: "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off")
        #expect(plain == Hours(rules: [
            Self.rule([.workday], [("08:30", "12:00"), ("13:30", "17:30")]),
            Self.rule([.sat], [("09:00", "12:00")]),
        ]))
        #expect(plain.openingHours == "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off")
        #expect(try Hours(openingHours: Self.office.openingHours) == Self.office)
    }

    @Test func twentyFourSeven() throws {
        #expect(Self.allDay.openingHours == "24/7")
        #expect(try Hours(openingHours: "24/7") == Self.allDay)
        #expect(try Hours(openingHours: "Mo-Su 00:00-24:00") == Self.allDay)
        #expect(try Hours(openingHours: "00:00-24:00") == Self.allDay)
        #expect(Hours.closed.openingHours == "off")
        #expect(try Hours(openingHours: "off") == Hours.closed)
        #expect(try Hours(openingHours: "closed") == Hours.closed)
    }

    @Test func selectorMapping() throws {
        let h = Hours(rules: [
            Self.rule([.restday], [("09:00", "12:00")]),
            Self.rule([.holiday], [("10:00", "11:00")]),
        ])
        #expect(h.openingHours == "Sa,Su 09:00-12:00; PH 10:00-11:00")
        #expect(try Hours(openingHours: h.openingHours) == h)
        #expect(try Hours(openingHours: "Sa-Su 09:00-12:00; PH 10:00-11:00") == h)
        // Plain weekday sets are spelled so that they do not read back as workday / restday / daily.
        let weekdays = Hours(rules: [Self.rule([.mon, .tue, .wed, .thu, .fri], [("08:00", "17:00")])])
        #expect(weekdays.openingHours == "Mo-Th,Fr 08:00-17:00; PH off")
        #expect(try Hours(openingHours: weekdays.openingHours) == weekdays)
        let weekend = Hours(rules: [Self.rule([.sat, .sun], [("08:00", "17:00")])])
        #expect(weekend.openingHours == "Su,Sa 08:00-17:00; PH off")
        #expect(try Hours(openingHours: weekend.openingHours) == weekend)
        let everyWeekday = Hours(rules: [Self.rule(Array(DaySelector.allCases.prefix(7)), [("08:00", "17:00")])])
        #expect(everyWeekday.openingHours == "Mo-Sa,Su 08:00-17:00; PH off")
        #expect(try Hours(openingHours: everyWeekday.openingHours) == everyWeekday)
        // Lists, ranges, wrap-around, and PH inside a list.
        #expect(try Hours(openingHours: "Mo-We,Fr 08:00-12:00") == Hours(rules: [Self.rule([.mon, .tue, .wed, .fri], [("08:00", "12:00")])]))
        #expect(try Hours(openingHours: "Fr-Mo 10:00-16:00") == Hours(rules: [Self.rule([.mon, .fri, .sat, .sun], [("10:00", "16:00")])]))
        #expect(try Hours(openingHours: "Sa,Su,PH 09:00-12:00") == Hours(rules: [Self.rule([.restday, .holiday], [("09:00", "12:00")])]))
        #expect(try Hours(openingHours: "Mo-Fr,Sa 09:00-12:00") == Hours(rules: [Self.rule([.sat, .workday], [("09:00", "12:00")])]))
        #expect(try Hours(openingHours: "Mo-Fr") == Hours(rules: [Self.rule([.workday], [("00:00", "24:00")])]))
        #expect(try Hours(openingHours: "08:00-18:00") == Hours(rules: [Self.rule([.daily], [("08:00", "18:00")])]))
    }

    @Test func pastMidnight() throws {
        let h = Hours(rules: [Self.rule([.fri, .sat], [("20:00", "24:00")]), Self.rule([.sun], [("22:00", "02:00")])])
        #expect(h.openingHours == "Fr,Sa 20:00-24:00; Su 22:00-02:00; PH off")
        #expect(try Hours(openingHours: h.openingHours) == h)
    }

    @Test func perBusinessRules() throws {
        // Two rules on the same days combine (docs/hours.md): written as an additional OSM rule with ",".
        let h = Hours(rules: [
            Self.rule([.workday], [("08:30", "17:30")]),
            Self.rule([.workday], [("17:30", "20:00")], [.vehicleInspection, .inspectionSticker]),
        ])
        #expect(h.openingHours == "Mo-Fr 08:30-17:30, Mo-Fr 17:30-20:00 \"vehicle_inspection inspection_sticker\"; PH off")
        #expect(try Hours(openingHours: h.openingHours) == h)
        #expect(try Hours(openingHours: "Sa 09:00-12:00 \"inspection_sticker, vehicle_inspection\"")
            == Hours(rules: [Self.rule([.sat], [("09:00", "12:00")], [.vehicleInspection, .inspectionSticker])]))
    }

    @Test func precedenceIsWrittenInOrder() throws {
        // A holiday rule listed before the daily one: OSM needs the daily rule first (a later rule replaces).
        let h = Hours(rules: [Self.rule([.holiday], [("09:00", "12:00")]), Self.rule([.daily], [("08:00", "18:00")])])
        #expect(h.openingHours == "Mo-Su 08:00-18:00; PH 09:00-12:00")
        #expect(h.normalizedForOSM() == Hours(rules: [h.rules[1], h.rules[0]]))
        #expect(try Hours(openingHours: h.openingHours) == h.normalizedForOSM())
        // A weekday rule shadowed by the workday rule on Monday: rewritten per day.
        let shadowed = Hours(rules: [Self.rule([.workday], [("08:00", "17:00")]), Self.rule([.mon, .sat], [("09:00", "10:00")])])
        #expect(shadowed.openingHours == "Mo,Sa 09:00-10:00; Mo-Fr 08:00-17:00; PH off")
        #expect(try Hours(openingHours: shadowed.openingHours) == Hours(rules: [shadowed.rules[1], shadowed.rules[0]]))
        // A rule mixing a weekday with holidays, under a workday rule: no order works, rewritten per day.
        let mixed = Hours(rules: [Self.rule([.workday], [("08:00", "17:00")]), Self.rule([.mon, .holiday], [("09:00", "10:00")])])
        #expect(mixed.openingHours == "Mo-Fr 08:00-17:00; PH 09:00-10:00")
        #expect(mixed.normalizedForOSM() == Hours(rules: [mixed.rules[0], Self.rule([.holiday], [("09:00", "10:00")])]))
        #expect(try Hours(openingHours: mixed.openingHours) == mixed.normalizedForOSM())
    }

    // MARK: opening_hours parsing

    @Test func laterRulesReplaceEarlierOnes() throws {
        #expect(try Hours(openingHours: "Mo-Fr 08:00-17:00; We off")
            == Hours(rules: [Self.rule([.mon, .tue, .thu, .fri], [("08:00", "17:00")])]))
        let exceptHolidays = try Hours(openingHours: "Mo-Su 08:00-18:00; PH off")
        #expect(exceptHolidays == Hours(rules: [Self.rule([.workday, .restday], [("08:00", "18:00")])]))
        #expect(exceptHolidays.textZh == "工作日、休息日 08:00–18:00；法定节假日休息")
        #expect(try Hours(openingHours: "Mo-Fr 08:00-12:00; Mo-Fr 13:00-17:00")
            == Hours(rules: [Self.rule([.workday], [("13:00", "17:00")])]))
        #expect(try Hours(openingHours: "Mo-Fr 08:00-17:00; Fr 08:00-12:00")
            == Hours(rules: [Self.rule([.mon, .tue, .wed, .thu], [("08:00", "17:00")]), Self.rule([.fri], [("08:00", "12:00")])]))
        // Precedence already agrees with OSM here (workday beats Monday): kept as written.
        #expect(try Hours(openingHours: "Mo 08:00-12:00; Mo-Fr 09:00-17:00")
            == Hours(rules: [Self.rule([.mon], [("08:00", "12:00")]), Self.rule([.workday], [("09:00", "17:00")])]))
        #expect(try Hours(openingHours: "24/7; PH off") == Hours(rules: [Self.rule([.workday, .restday], [("00:00", "24:00")])]))
    }

    @Test(arguments: [
        ("Mar 01-Mar 10 off", "'Mar'", "month"),
        ("Mo-Fr 08:00-17:00 || \"by appointment\"", "'||'", "fallback"),
        ("Mo-Fr sunrise-sunset", "'sunrise-sunset'", "sunrise"),
        ("Mo-Fr 08:00+", "'08:00+'", "open end"),
        ("Mo-Fr 08:00-17:00; SH off", "'SH'", "school holidays"),
        ("Mo[1] 09:00-12:00", "'Mo[1]'", "nth-weekday"),
        ("week 01-10 Mo 09:00-12:00", "'week'", "week"),
        ("2026 Mo-Fr 08:00-12:00", "'2026'", "year"),
        ("Mo-Fr 08:00-18:00 \"by appointment\"", "\"by appointment\"", "business codes"),
        ("Mo-Fr 20:00-26:00", "'20:00-26:00'", "after 24:00"),
        ("Mo-Fr 8:00-12:00", "'8:00-12:00'", "HH:MM"),
        ("Mo-Fr 08:00-12:00,11:00-13:00", "'08:00-12:00,11:00-13:00'", "overlap"),
        ("Mo-Fr 08:00-12:00, Mo 10:00-11:00", "overlap", "same days"),
        ("Mo-Fr 09:00-09:00", "'09:00-09:00'", "empty"),
        ("mo-fr 08:00-12:00", "'mo-fr'", "case-sensitive"),
        ("Mo-Fr open", "'open'", "off"),
        ("PH +1 day 08:00-10:00", "'+1'", "day offset"),
        ("", "empty", "off"),
    ])
    func unsupportedSyntaxIsRejected(text: String, quoted: String, why: String) throws {
        let e = try #require(Self.parseError(text, path: "outlets[2].opening_hours"))
        #expect(e.name == "outlets[2].opening_hours")
        #expect(e.reason.contains(quoted), "\(e.reason)")
        #expect(e.reason.contains(why), "\(e.reason)")
    }

    @Test func defaultPathIsOpeningHours() {
        #expect(Self.parseError("Jan off")?.name == "opening_hours")
    }

    // MARK: Round trip (property)

    static let pool: [(String, String)] = [
        ("00:00", "24:00"), ("06:00", "07:30"), ("08:30", "12:00"), ("13:30", "17:30"),
        ("18:00", "20:00"), ("22:00", "02:00"), ("12:00", "13:00"),
    ]
    static let businessChoices: [[BusinessCode]?] = [
        nil, nil, nil, nil, [.vehicleInspection], [.inspectionSticker, .vehicleInspection], [.examSubject2],
        [.vehicleInspection, .examSubject2],
    ]

    /// Valid rules-only hours from a list of (day preset, day mask, interval mask, business choice).
    static func hours(_ specs: [(Int, Int, Int, Int)]) -> Hours {
        var rules: [HoursRule] = []
        for (preset, mask, intervalMask, biz) in specs {
            let all = DaySelector.allCases
            let days: [DaySelector] = switch preset {
            case 0...10: [all[preset]]
            case 11: [.workday, .sat]
            case 12: [.restday, .holiday]
            default: all.indices.filter { mask & (1 << $0) != 0 }.map { all[$0] }
            }
            let picked = intervalMask & 1 != 0 ? [pool[0]] : (1..<pool.count).filter { intervalMask & (1 << $0) != 0 }.map { pool[$0] }
            var rule = HoursRule(days: days, intervals: [], businesses: businessChoices[biz])
            for iv in picked {
                var attempt = rule
                attempt.intervals.append(TimeRange(iv.0, iv.1))
                if (try? Hours(json: Hours(rules: rules + [attempt]).json)) != nil { rule = attempt }
            }
            if !rule.intervals.isEmpty { rules.append(rule) }
        }
        return Hours(rules: rules)
    }

    static let generator = zip(Gen.int(in: 0...15), Gen.int(in: 1...2047), Gen.int(in: 1...127), Gen.int(in: 0...7))
        .array(of: 0...4)
        .map { HoursTextTests.hours($0) }

    @Test func renderParseRenderIsAFixedPoint() async throws {
        await propertyCheck(count: 500, input: Self.generator) { h in
            let text = h.openingHours
            let parsed: Hours
            do {
                parsed = try Hours(openingHours: text)
            } catch {
                Issue.record("'\(text)' does not parse: \(error)")
                return
            }
            #expect(parsed == h.normalizedForOSM(), "\(text)")
            #expect(parsed.openingHours == text)
            #expect(parsed.normalizedForOSM() == parsed)
        }
    }

    /// A calendar around a holiday block with makeup workdays on both sides.
    static let calendar = HolidayCalendar(entries: (15...23).map {
        CalendarEntry(date: LocalDate(year: 2026, month: 2, day: $0)!, kind: .holiday)
    } + [
        CalendarEntry(date: HoursTextTests.date("2026-02-14"), kind: .makeupWorkday),
        CalendarEntry(date: HoursTextTests.date("2026-02-28"), kind: .makeupWorkday),
    ])

    @Test func normalizedFormEvaluatesTheSame() async {
        await propertyCheck(count: 200, input: Self.generator) { h in
            let a = CompiledHours(hours: h, businesses: .all, calendar: Self.calendar)
            let b = CompiledHours(hours: h.normalizedForOSM(), businesses: .all, calendar: Self.calendar)
            let start = Self.date("2026-02-09")
            for offset in 0..<21 {
                let day = start.adding(days: offset)
                let kinds = [Self.calendar.info(day).kind, Self.calendar.info(day.adding(days: -1)).kind]
                guard !kinds.contains(.makeupWorkday) else { continue }   // OSM cannot describe 调休
                for half in 0..<48 {
                    let t = Instant(date: day, time: LocalTime(minutes: half * 30 + 15))
                    for need in [BusinessSet.none, BusinessSet([.vehicleInspection]), BusinessSet([.examSubject2]), BusinessSet([.licenseRenewal])] {
                        #expect(a.isOpen(at: t, for: need) == b.isOpen(at: t, for: need), "\(h.openingHours) at \(t.rfc3339)")
                    }
                }
            }
        }
    }

    @Test func openingHoursOmitsExceptions() {
        var h = Self.office
        h.exceptions = [HoursException(from: Self.date("2026-03-01"), to: Self.date("2026-03-10"), intervals: [])]
        #expect(h.openingHours == Self.office.openingHours)
        #expect(h.normalizedForOSM().exceptions.isEmpty)
    }
}
