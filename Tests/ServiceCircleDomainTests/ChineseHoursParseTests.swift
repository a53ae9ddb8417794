import Foundation
import PropertyBased
import ServiceCircleDomain
import Testing

/// Chinese hours text as bureaus publish it (`Tests/Fixtures/hours-zh/phrases.jsonl`) and as `textZh` renders it.
@Suite struct ChineseHoursParseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let words: [String: [BusinessCode]] = {
        (try? CallerVocabulary.load(directory: root.appendingPathComponent("SeedData/vocabulary")))?.businessWordMap ?? [:]
    }()

    static func lines(_ path: String) -> [JSONValue] {
        let text = (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { JSONValue.parse($0) }
    }

    static func parse(_ text: String) -> Result<Hours, DomainError> {
        Result { () throws(DomainError) -> Hours in try Hours(chineseText: text, businessWords: words) }
    }

    @Test func phrasesReadAsExpected() throws {
        let fixture = Self.lines("Tests/Fixtures/hours-zh/phrases.jsonl")
        #expect(fixture.count >= 100)
        var read = 0, refused = 0
        for line in fixture {
            guard case .object(let o) = line, case .string(let text)? = o["text"] else { Issue.record("bad fixture line"); continue }
            if let expected = o["hours"] {
                let want = try Hours(json: expected).normalizedForChineseText()
                switch Self.parse(text) {
                case .success(let got):
                    #expect(got.normalizedForChineseText() == want, "\(text) → \(got.textZh), expected \(want.textZh)")
                    if got.normalizedForChineseText() == want { read += 1 }
                case .failure(let e):
                    Issue.record("\(text): \(e)")
                }
            } else {
                switch Self.parse(text) {
                case .success(let got):
                    Issue.record("\(text) should be refused, read as \(got.textZh)")
                case .failure(let e):
                    guard case .invalid(let params) = e, let p = params.first else { Issue.record("\(text): \(e)"); continue }
                    var ok = true
                    if case .string(let q)? = o["error_quotes"] { ok = ok && p.reason.contains("'\(q)'") }
                    if case .string(let w)? = o["error_says"] { ok = ok && p.reason.contains(w) }
                    #expect(ok, "\(text): \(p.reason)")
                    if ok { refused += 1 }
                }
            }
        }
        print("hours-zh phrases: \(read) read as expected, \(refused) refused quoting the phrase, of \(fixture.count)")
    }

    /// Every seed outlet's `hours_text_zh` reads back to its hours.
    @Test func seedTextsRoundTrip() throws {
        var n = 0
        for line in Self.lines("SeedData/outlets/articles.jsonl") {
            guard case .object(let o) = line, let hv = o["hours"] else { continue }
            let h = try Hours(json: hv)
            switch Self.parse(h.textZh) {
            case .success(let back): #expect(back == h.normalizedForChineseText(), "\(h.textZh)")
            case .failure(let e): Issue.record("\(h.textZh): \(e)")
            }
            n += 1
        }
        #expect(n > 1000)
    }

    static let exceptionPool: [HoursException] = {
        func d(_ s: String) -> LocalDate { LocalDate(iso: s)! }
        return [
            HoursException(from: d("2026-03-10"), to: d("2026-03-10"), intervals: [], note: "系统升级暂停办理"),
            HoursException(from: d("2026-03-01"), to: d("2026-03-10"), intervals: [], note: nil),
            HoursException(from: d("2026-04-04"), to: d("2026-04-04"), intervals: [TimeRange("09:00", "12:00")],
                           businesses: [.finePayment, .violationHandling], note: "清明值班"),
            HoursException(id: "x000000000001", from: d("2026-12-25"), to: d("2026-12-25"), intervals: [TimeRange("20:00", "02:00")],
                           note: "  年末延时服务（加班）；请预约 "),
            HoursException(from: d("2026-05-01"), to: d("2026-05-05"), intervals: [TimeRange("13:30", "17:00"), TimeRange("09:00", "12:00")]),
            HoursException(from: d("2026-06-01"), to: d("2026-06-01"), intervals: [], businesses: [.examSubject2], note: "考场维护"),
        ]
    }()

    /// Random hours (the OSM round-trip generator's rules, plus dated exceptions): parse(textZh) == the hours, normalised.
    @Test func renderedTextReadsBack() async {
        await propertyCheck(count: 500, input: HoursTextTests.generator, Gen.int(in: 0...63)) { h, mask in
            var h = h
            h.exceptions = Self.exceptionPool.indices.filter { mask & (1 << $0) != 0 }.map { Self.exceptionPool[$0] }.reversed().map { $0 }
            let text = h.textZh
            switch Self.parse(text) {
            case .success(let back):
                #expect(back == h.normalizedForChineseText(), "\(text)")
                #expect(back.textZh == text)
            case .failure(let e): Issue.record("\(text): \(e)")
            }
        }
    }

    @Test func calendarSemanticsDiffer() throws {
        // 工作日 follows make-up Saturdays, 周一至周五 does not; neither opens on a holiday.
        let workday = try Hours(chineseText: "工作日 8:30-17:30")
        let weekdays = try Hours(chineseText: "周一至周五 8:30-17:30")
        let makeup = Instant(rfc3339: "2026-02-14T10:00:00+08:00")!
        let holiday = Instant(rfc3339: "2026-02-16T10:00:00+08:00")!
        let c = HoursTextTests.calendar
        #expect(CompiledHours(hours: workday, businesses: .all, calendar: c).isOpen(at: makeup, for: .none))
        #expect(!CompiledHours(hours: weekdays, businesses: .all, calendar: c).isOpen(at: makeup, for: .none))
        #expect(!CompiledHours(hours: workday, businesses: .all, calendar: c).isOpen(at: holiday, for: .none))
        #expect(!CompiledHours(hours: weekdays, businesses: .all, calendar: c).isOpen(at: holiday, for: .none))
        let always = try Hours(chineseText: "周一至周日 9:00-17:00，节假日不休")
        #expect(CompiledHours(hours: always, businesses: .all, calendar: c).isOpen(at: holiday, for: .none))
    }

    @Test func errorsNameThePath() {
        let r = Result { () throws(DomainError) -> Hours in try Hours(chineseText: "每月最后一个工作日", path: "办公时间") }
        guard case .failure(.invalid(let p)) = r else { Issue.record("\(r)"); return }
        #expect(p.first?.name == "办公时间")
        #expect(p.first?.reason.contains("'每月最后一个工作日'") == true)
    }
}
