import ServiceCircleDomain
import Testing

@Suite struct ProvenanceTests {
    static let now = Instant(rfc3339: "2026-03-02T10:00:00+08:00")!

    @Test func cautionForGeneratedAndStaleDataOnly() {
        #expect(Provenance().cautionZh(now: Self.now, maxAgeDays: 180) == "（示例数据，营业时间未经核实，请致电确认）")
        let old = Provenance(source: "editor:wang", verifiedAt: Instant(rfc3339: "2025-06-01T00:00:00+08:00"))
        #expect(old.cautionZh(now: Self.now, maxAgeDays: 180) == "（营业时间最后确认于2025年6月1日，请致电确认）")
        #expect(old.cautionZh(now: Self.now, maxAgeDays: 365) == nil)
        let fresh = Provenance(source: "import:a.csv", verifiedAt: Self.now.adding(seconds: -86_400))
        #expect(fresh.cautionZh(now: Self.now, maxAgeDays: 180) == nil)
        #expect(Provenance(source: "sql:postgres", verifiedAt: nil).cautionZh(now: Self.now, maxAgeDays: 180) == nil)
    }

    @Test func independentClosedReports() {
        func at(_ minutesAgo: Int, _ who: String? = nil) -> ClosedReportMark {
            ClosedReportMark(at: Self.now.adding(minutes: -minutesAgo), reporter: who)
        }
        // Three reports 10 minutes apart from unknown reporters: a warning since the first.
        let w = ReportedClosedWarning.evaluate([at(30), at(20), at(10)], now: Self.now, threshold: 3)
        #expect(w?.reports == 3 && w?.since == Self.now.adding(minutes: -30))
        // A burst within minutes counts once.
        #expect(ReportedClosedWarning.evaluate([at(30), at(29), at(28)], now: Self.now, threshold: 3) == nil)
        // The same reporter counts once, however far apart.
        #expect(ReportedClosedWarning.evaluate([at(300, "a"), at(200, "a"), at(100, "b")], now: Self.now, threshold: 3) == nil)
        #expect(ReportedClosedWarning.evaluate([at(300, "a"), at(200, "c"), at(100, "b")], now: Self.now, threshold: 3)?.reports == 3)
        // Older than 14 days: out of the window.
        #expect(ReportedClosedWarning.evaluate([at(15 * 1440), at(20), at(10)], now: Self.now, threshold: 3) == nil)
        #expect(ReportedClosedWarning.evaluate([at(15 * 1440), at(20), at(10)], now: Self.now, threshold: 2)?.reports == 2)
    }
}
