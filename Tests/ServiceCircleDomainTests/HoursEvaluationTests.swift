import Foundation
import PropertyBased
import ServiceCircleDomain
import Testing

/// The 2024–2026 State Council schedules, read from SeedData so the tests use exactly what the service loads.
let calendar2026: HolidayCalendar = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SeedData/calendar/cn-holidays-2024-2026.csv")
    let text = try! String(contentsOf: url, encoding: .utf8)
    return HolidayCalendar(entries: try! HolidayCalendar.parseCSV(text))
}()

func at(_ s: String) -> Instant { Instant(rfc3339: s)! }

/// A weekday-only office with a lunch break: 08:30–12:00, 13:30–17:30 on working days.
let office = Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "12:00"), TimeRange("13:30", "17:30")])])
let allBusinesses = BusinessSet([.vehicleInspection, .licenseRenewal, .vehicleTransfer, .ebikeRegistration])

func compiled(_ h: Hours, _ b: BusinessSet = allBusinesses, operating: Bool = true) -> CompiledHours {
    CompiledHours(hours: h, businesses: b, operating: operating, calendar: calendar2026)
}

@Suite("Calendar")
struct CalendarTests {
    @Test("2026 schedule: holidays, make-up workdays and ordinary days", arguments: [
        ("2026-01-01", DayKind.holiday, "元旦"), ("2026-01-03", .holiday, "元旦"), ("2026-01-04", .makeupWorkday, "元旦"),
        ("2026-02-14", .makeupWorkday, "春节"), ("2026-02-15", .holiday, "春节"), ("2026-02-21", .holiday, "春节"),
        ("2026-02-23", .holiday, "春节"), ("2026-02-24", .workday, nil), ("2026-02-28", .makeupWorkday, "春节"),
        ("2026-04-04", .holiday, "清明节"), ("2026-05-05", .holiday, "劳动节"), ("2026-05-09", .makeupWorkday, "劳动节"),
        ("2026-06-19", .holiday, "端午节"), ("2026-09-20", .makeupWorkday, "国庆节"), ("2026-09-25", .holiday, "中秋节"),
        ("2026-10-01", .holiday, "国庆节"), ("2026-10-07", .holiday, "国庆节"), ("2026-10-10", .makeupWorkday, "国庆节"),
        ("2026-10-11", .restday, nil), ("2026-03-07", .restday, nil), ("2026-03-09", .workday, nil),
    ] as [(String, DayKind, String?)])
    func kinds(date: String, kind: DayKind, name: String?) {
        let info = calendar2026.info(LocalDate(iso: date)!)
        #expect(info.kind == kind)
        #expect(info.nameZh == name)
        #expect(info.known)
    }

    @Test func outsideTheLoadedRangeByWeekday() {
        let sat = calendar2026.info(LocalDate(iso: "2027-01-02")!)
        #expect(sat.kind == .restday && !sat.known)
        let fri = calendar2026.info(LocalDate(iso: "2027-01-01")!)
        #expect(fri.kind == .workday && !fri.known, "New Year 2027 is unknown until its notice is loaded")
    }

    @Test func everyCsvDateIsSpecial() throws {
        #expect(calendar2026.first == LocalDate(iso: "2024-01-01")!)
        #expect(calendar2026.last == LocalDate(iso: "2026-12-31")!)
    }
}

@Suite("Hours evaluation")
struct HoursEvaluationTests {
    @Test("make-up Saturday 2026-02-14 is a working day: open")
    func makeupSaturday() {
        let s = compiled(office).status(at: at("2026-02-14T10:00:00+08:00"))
        #expect(s.open)
        #expect(s.closesAt == at("2026-02-14T12:00:00+08:00"))
        #expect(s.day.kind == .makeupWorkday)
        #expect(s.source == .rules(selector: .workday, indexes: [0]))
    }

    @Test("Saturday 2026-02-21 inside the Spring Festival block: closed, reopens 2026-02-24 08:30")
    func springFestival() {
        let s = compiled(office).status(at: at("2026-02-21T10:00:00+08:00"))
        #expect(!s.open)
        #expect(s.day.kind == .holiday && s.day.nameZh == "春节")
        #expect(s.nextOpensAt == at("2026-02-24T08:30:00+08:00"))
        #expect(s.source == .none)
    }

    @Test("National Day 2026-10-01 closed; the Sunday make-up day 2026-09-20 open; 2026-01-04 open")
    func otherEdges() {
        let c = compiled(office)
        #expect(!c.isOpen(at: at("2026-10-01T09:00:00+08:00")))
        #expect(c.nextOpensAt(after: at("2026-10-01T09:00:00+08:00")) == at("2026-10-08T08:30:00+08:00"), "Thursday 8 October is the first working day")
        #expect(c.isOpen(at: at("2026-09-20T09:00:00+08:00")))
        #expect(c.isOpen(at: at("2026-01-04T09:00:00+08:00")))
        #expect(c.isOpen(at: at("2026-10-10T16:00:00+08:00")), "make-up Saturday after National Day")
    }

    @Test("lunch break: closed 12:00–13:30, start inclusive, end exclusive")
    func lunch() {
        let c = compiled(office)
        #expect(c.isOpen(at: at("2026-03-02T11:59:59+08:00")))
        #expect(!c.isOpen(at: at("2026-03-02T12:00:00+08:00")))
        #expect(c.nextOpensAt(after: at("2026-03-02T12:00:00+08:00")) == at("2026-03-02T13:30:00+08:00"))
        #expect(c.isOpen(at: at("2026-03-02T13:30:00+08:00")))
        #expect(c.closesAt(from: at("2026-03-02T16:00:00+08:00")) == at("2026-03-02T17:30:00+08:00"))
    }

    @Test("any UTC offset in: 02:00Z is 10:00 in Shanghai")
    func offsets() {
        #expect(compiled(office).isOpen(at: at("2026-03-02T02:00:00Z")))
        #expect(at("2026-03-02T02:00:00Z").rfc3339 == "2026-03-02T10:00:00+08:00")
        #expect(at("2026-03-01T21:00:00-05:00") == at("2026-03-02T10:00:00+08:00"))
    }

    @Test("24/7: open through the horizon, closes_at nil; back-to-back intervals merge across midnight")
    func allDay() {
        let h = Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("00:00", "24:00")])])
        let s = compiled(h).status(at: at("2026-02-17T03:00:00+08:00"))
        #expect(s.open && s.closesAt == nil)
        let split = Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("00:00", "12:00"), TimeRange("12:00", "24:00")])])
        #expect(compiled(split).closesAt(from: at("2026-03-02T10:00:00+08:00")) == nil)
    }

    @Test("past-midnight interval belongs to the day it starts on")
    func pastMidnight() {
        // Friday 20:00 – Saturday 02:00 only on workdays.
        let h = Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("20:00", "02:00")])])
        let c = compiled(h)
        #expect(c.isOpen(at: at("2026-03-07T01:00:00+08:00")), "Saturday 01:00 is Friday's interval")
        #expect(c.closesAt(from: at("2026-03-07T01:00:00+08:00")) == at("2026-03-07T02:00:00+08:00"))
        #expect(!c.isOpen(at: at("2026-03-08T01:00:00+08:00")), "Sunday 01:00: Saturday is a rest day")
        let s = c.status(at: at("2026-03-07T01:00:00+08:00"))
        #expect(s.source == .rules(selector: .workday, indexes: [0]))
        // Back-to-back: workday 08:00–24:00 and 00:00–02:00 of the next workday do not merge across a weekend.
    }

    @Test("24:00 end and the next day's 00:00 start merge")
    func midnightMerge() {
        let h = Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("18:00", "24:00"), TimeRange("00:00", "06:00")])])
        #expect(compiled(h).closesAt(from: at("2026-03-02T20:00:00+08:00")) == at("2026-03-03T06:00:00+08:00"))
    }

    @Test("per-business rules: Saturday only inspections")
    func perBusiness() {
        let h = Hours(rules: [
            HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:30")]),
            HoursRule(days: [.sat], intervals: [TimeRange("09:00", "12:00")], businesses: [.vehicleInspection]),
        ])
        let c = compiled(h)
        let sat = at("2026-03-07T10:00:00+08:00")
        #expect(c.isOpen(at: sat, for: BusinessSet([.vehicleInspection])))
        #expect(!c.isOpen(at: sat, for: BusinessSet([.licenseRenewal])))
        #expect(!c.isOpen(at: sat, for: BusinessSet([.vehicleInspection, .licenseRenewal])))
        #expect(c.isOpen(at: sat), "open for some business")
        #expect(c.nextOpensAt(after: sat, for: BusinessSet([.licenseRenewal])) == at("2026-03-09T08:30:00+08:00"))
        #expect(!c.isOpen(at: at("2026-03-08T10:00:00+08:00")), "Sunday: no rule")
        #expect(!c.isOpen(at: sat, for: BusinessSet([.documentPhoto])), "a business the outlet does not offer is never open")
    }

    @Test("precedence: holiday rules beat daily; restday beats weekday; workday beats weekday; daily is the fallback")
    func precedence() {
        let h = Hours(rules: [
            HoursRule(days: [.daily], intervals: [TimeRange("10:00", "11:00")]),
            HoursRule(days: [.holiday], intervals: [TimeRange("09:00", "10:00")]),
            HoursRule(days: [.sat], intervals: [TimeRange("14:00", "15:00")]),
            HoursRule(days: [.restday], intervals: [TimeRange("16:00", "17:00")]),
            HoursRule(days: [.mon], intervals: [TimeRange("18:00", "19:00")]),
        ])
        let c = compiled(h)
        #expect(c.source(for: LocalDate(iso: "2026-10-03")!) == .rules(selector: .holiday, indexes: [1]))
        #expect(c.source(for: LocalDate(iso: "2026-03-07")!) == .rules(selector: .restday, indexes: [3]), "restday before sat")
        #expect(c.source(for: LocalDate(iso: "2026-03-09")!) == .rules(selector: .mon, indexes: [4]))
        #expect(c.source(for: LocalDate(iso: "2026-03-10")!) == .rules(selector: .daily, indexes: [0]))
        #expect(c.source(for: LocalDate(iso: "2026-02-14")!) == .rules(selector: .sat, indexes: [2]), "make-up Saturday: no workday rule, so the sat rule")
        let noHoliday = Hours(rules: [HoursRule(days: [.mon, .tue, .wed, .thu, .fri], intervals: [TimeRange("09:00", "17:00")])])
        #expect(compiled(noHoliday).source(for: LocalDate(iso: "2026-10-05")!) == .none, "holiday without holiday/daily rules: closed")
        let daily = Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("09:00", "17:00")])])
        #expect(compiled(daily).isOpen(at: at("2026-10-05T10:00:00+08:00")), "holiday falls back to daily")
    }

    @Test("exceptions replace every rule on their dates; empty intervals = closed; note kept")
    func exceptions() {
        var h = office
        h.exceptions = [
            HoursException(from: LocalDate(iso: "2026-03-03")!, to: LocalDate(iso: "2026-03-04")!, intervals: [], note: "系统升级暂停办理"),
            HoursException(from: LocalDate(iso: "2026-03-07")!, to: LocalDate(iso: "2026-03-07")!, intervals: [TimeRange("09:00", "12:00")],
                           businesses: [.licenseRenewal], note: "周六加班"),
        ]
        let c = compiled(h)
        #expect(!c.isOpen(at: at("2026-03-03T10:00:00+08:00")))
        #expect(c.status(at: at("2026-03-03T10:00:00+08:00")).source == .exceptions([0]))
        #expect(c.nextOpensAt(after: at("2026-03-03T10:00:00+08:00")) == at("2026-03-05T08:30:00+08:00"))
        #expect(c.closesAt(from: at("2026-03-02T16:00:00+08:00")) == at("2026-03-02T17:30:00+08:00"))
        #expect(c.isOpen(at: at("2026-03-07T10:00:00+08:00"), for: BusinessSet([.licenseRenewal])))
        #expect(!c.isOpen(at: at("2026-03-07T10:00:00+08:00"), for: BusinessSet([.vehicleTransfer])))
    }

    @Test("not active: closed at every instant, no next opening")
    func notOperating() {
        let c = compiled(office, operating: false)
        let s = c.status(at: at("2026-03-02T10:00:00+08:00"))
        #expect(!s.open && s.nextOpensAt == nil && s.source == .notOperating)
    }

    @Test("next_opens_at searches a whole year, not a week")
    func longSearch() {
        var h = office
        h.exceptions = [HoursException(from: LocalDate(iso: "2026-03-01")!, to: LocalDate(iso: "2026-08-31")!, intervals: [], note: "装修")]
        #expect(compiled(h).nextOpensAt(after: at("2026-03-02T10:00:00+08:00")) == at("2026-09-01T08:30:00+08:00"))
        let never = Hours(rules: [])
        #expect(compiled(never).nextOpensAt(after: at("2026-03-02T10:00:00+08:00")) == nil)
    }

    @Test("open intervals over a window")
    func intervals() {
        let iv = compiled(office).openIntervals(from: at("2026-03-02T00:00:00+08:00"), to: at("2026-03-03T00:00:00+08:00"))
        #expect(iv.map { [$0.0.rfc3339, $0.1.rfc3339] } == [
            ["2026-03-02T08:30:00+08:00", "2026-03-02T12:00:00+08:00"], ["2026-03-02T13:30:00+08:00", "2026-03-02T17:30:00+08:00"],
        ])
    }
}

@Suite("Hours validation")
struct HoursValidationTests {
    func errors(_ json: String) -> [InvalidParam] {
        let v = try! JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        do { _ = try Hours(json: v); return [] } catch { if case .invalid(let p) = error { return p }; return [] }
    }

    @Test func exactFieldPaths() {
        #expect(errors(#"{"rules":[{"days":["workday"],"intervals":[["08:30","12:00"]]},{"days":["sat"],"intervals":[["25:00","12:00"]]}]}"#).map(\.name)
            == ["hours.rules[1].intervals[0]"])
        #expect(errors(#"{"rules":[{"days":["funday"],"intervals":[["08:30","12:00"]]}]}"#).map(\.name) == ["hours.rules[0].days[0]"])
        #expect(errors(#"{"rules":[{"days":["mon"],"intervals":[["08:30","08:30"]]}]}"#).map(\.name) == ["hours.rules[0].intervals[0]"])
        #expect(errors(#"{"rules":[{"days":["mon"],"intervals":[["08:30","12:00"],["11:00","13:00"]]}]}"#).map(\.name) == ["hours.rules[0].intervals[1]"])
        #expect(errors(#"{"rules":[{"days":["mon"],"intervals":[["08:30","12:00"]],"businesses":["flying"]}]}"#).map(\.name) == ["hours.rules[0].businesses[0]"])
        #expect(errors(#"{"rules":[],"exceptions":[{"from":"2026-03-10","to":"2026-03-01","intervals":[]}]}"#).map(\.name) == ["hours.exceptions[0].from"])
        #expect(errors(#"{"rules":[{"days":["workday"],"intervals":[["08:30","12:00"]]},{"days":["workday","sat"],"intervals":[["11:00","13:00"]]}]}"#).map(\.name)
            == ["hours.rules[1].intervals[0]"], "overlap between rules on the same selector")
        #expect(errors(#"{"rules":[{"days":["workday"],"intervals":[["08:30","12:00"]]},{"days":["sat"],"intervals":[["11:00","13:00"]]}]}"#).isEmpty)
        #expect(errors(#"{"rules":[{"days":["daily"],"intervals":[["00:00","24:00"]]}]}"#).isEmpty)
        #expect(errors(#"{"rules":[{"days":["daily"],"intervals":[["24:00","02:00"]]}]}"#).map(\.name) == ["hours.rules[0].intervals[0]"])
    }

    @Test func jsonRoundTrip() throws {
        var h = office
        h.exceptions = [HoursException(from: LocalDate(iso: "2026-03-03")!, to: LocalDate(iso: "2026-03-04")!, intervals: [], note: "系统升级")]
        #expect(try Hours(json: h.json) == h)
    }
}

/// Random hours from the model's building blocks.
let hoursGen = Gen.int(in: 0...Int.max).map { seed -> Hours in
    var g = SplitMix(seed: UInt64(seed))
    let selectors: [DaySelector] = DaySelector.allCases
    var rules: [HoursRule] = []
    for _ in 0..<Int(g.next() % 4) {
        let sel = selectors[Int(g.next() % UInt64(selectors.count))]
        var t = Int(g.next() % 600)
        var iv: [TimeRange] = []
        for _ in 0..<(1 + Int(g.next() % 3)) {
            let s = t + Int(g.next() % 300)
            let e = s + 1 + Int(g.next() % 400)
            guard e <= 1440 else { break }
            iv.append(TimeRange(start: LocalTime(minutes: s), end: LocalTime(minutes: e)))
            t = e
        }
        if iv.isEmpty { continue }
        // Distinct selectors per rule keep the rules valid (no overlaps across rules).
        if rules.contains(where: { $0.days.contains(sel) }) { continue }
        rules.append(HoursRule(days: [sel], intervals: iv, businesses: g.next() % 3 == 0 ? [.vehicleInspection] : nil))
    }
    return Hours(rules: rules)
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

@Suite("Hours properties")
struct HoursPropertyTests {
    static let start = at("2026-01-01T00:00:00+08:00").seconds

    @Test func nextOpensAtIsOpenAndNothingBeforeItIs() async {
        await propertyCheck(count: 200, input: hoursGen, Gen.int(in: 0...(365 * 24 * 60)), Gen.bool) { h, minute, inspectionOnly in
            let c = compiled(h)
            let t = Instant(seconds: Self.start + Int64(minute) * 60)
            let req = inspectionOnly ? BusinessSet([.vehicleInspection]) : BusinessSet.none
            guard !c.isOpen(at: t, for: req) else { return }
            guard let n = c.nextOpensAt(after: t, for: req) else {
                // Never opens: sample a week of minutes to confirm.
                for m in stride(from: 1, to: 7 * 1440, by: 7) { #expect(!c.isOpen(at: t.adding(minutes: m), for: req)) }
                return
            }
            #expect(c.isOpen(at: n, for: req))
            var m = t.adding(minutes: 1).localMinute
            while m < n.localMinute && m < t.localMinute + 8 * 1440 {
                #expect(!c.isOpen(at: Instant(localMinute: m), for: req))
                m += 1
            }
        }
    }

    @Test func closesAtIsTheFirstClosedInstant() async {
        await propertyCheck(count: 200, input: hoursGen, Gen.int(in: 0...(365 * 24 * 60))) { h, minute in
            let c = compiled(h)
            let t = Instant(seconds: Self.start + Int64(minute) * 60)
            guard c.isOpen(at: t) else { #expect(c.closesAt(from: t) == t); return }
            guard let close = c.closesAt(from: t) else { return }
            #expect(!c.isOpen(at: close))
            var m = t.localMinute
            while m < close.localMinute { #expect(c.isOpen(at: Instant(localMinute: m))); m += 1 }
        }
    }
}
