import Foundation
@testable import ServiceCircleAPI
@testable import ServiceCircleDomain
import Testing

/// The coverage maths on a hand-made instance, and its SVG map (rendered by the API layer).
@Suite("Coverage analysis on a hand-made instance")
struct CoverageAnalysisTests {
    let calendar = HolidayCalendar.empty
    let centre = GeoPoint(lat: 30.87, lon: 114.37)

    func demand(_ code: String, _ bearing: Double, _ metres: Double, _ pop: Int) -> AssignedDemand {
        let p = Geodesy.destination(from: centre, bearingDegrees: bearing, distance: metres)
        return AssignedDemand(point: DemandPoint(code: code, regionCode: "420116", street: "前川街道", name: code + "村", kind: .village,
                                                 location: p, population: pop, estimated: false), region: "420116")
    }

    func outlet(_ id: Int64, _ p: GeoPoint, _ rules: [HoursRule], state: OperatingState = .active) -> IndexedOutlet {
        let o = Outlet(id: .init(id), code: "T-\(id)", name: "测试点\(id)", kind: .ebikePlatePoint, address: "", province: "湖北省",
                       city: "武汉市", district: "黄陂区", districtCode: "420116", phone: nil, location: p, operatingState: state,
                       businesses: [.ebikeRegistration], hours: Hours(rules: rules))
        return IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar))
    }

    @Test func weekdaysCoverEveryoneSaturdaysDoNot() {
        let area = CoverageArea(kind: .region(CoverageRegion(code: "420116", name: "黄陂区", parentCode: "420100", population: 6000,
                                                             populationEstimated: false, boundarySource: nil, boundary: nil)),
                                subRegions: [CoverageRegion(code: "420116", name: "黄陂区", parentCode: "420100", population: 6000,
                                                            populationEstimated: false, boundarySource: nil, boundary: nil)])
        let d = [demand("A", 0, 0, 1000), demand("B", 90, 3000, 2000), demand("C", 0, 12000, 500), demand("D", 270, 20000, 2500)]
        let weekday = HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:30")])
        let daily = HoursRule(days: [.daily], intervals: [TimeRange("09:00", "17:00")])
        let outlets = [
            outlet(1, centre, [weekday]),                                                                // A, B
            outlet(2, Geodesy.destination(from: centre, bearingDegrees: 0, distance: 12500), [weekday]),   // C
            outlet(3, Geodesy.destination(from: centre, bearingDegrees: 270, distance: 16000), [weekday]),  // D (4 km)
            outlet(4, Geodesy.destination(from: centre, bearingDegrees: 270, distance: 19000), [daily], state: .temporarilyClosed),
        ]
        func run(_ window: CoverageWindow, _ date: String, k: Int = 0) -> CoverageReport {
            CoverageAnalysis.run(area: area, demand: d, outlets: outlets,
                                 parameters: CoverageParameters(businesses: [.ebikeRegistration],
                                                                time: CoverageTime(window: window, date: LocalDate(iso: date)!, calendar: calendar),
                                                                suggestions: k))
        }
        let wd = run(.weekdayDaytime, "2026-03-02")
        #expect(wd.totals.population == 6000)
        #expect(wd.totals.covered == 6000)
        #expect(wd.totals.percent == 100)
        #expect(wd.cells.isEmpty)
        #expect(wd.outlets.map(\.item.outlet.id.rawValue) == [1, 3, 2], "by residents within reach")
        #expect(wd.outlets.map(\.populationWithinRadius) == [3000, 2500, 500])
        let sat = run(.saturday, "2026-03-07", k: 3)
        #expect(sat.totals.covered == 0)
        #expect(sat.totals.percent == 0)
        #expect(sat.closedOutlets == 3, "the temporarily closed one is not a candidate at all")
        #expect(sat.cells.map(\.population).sorted() == [500, 1000, 2000, 2500])
        #expect(sat.headlineZh == "周六 黄陂区 电动自行车登记上牌 五公里覆盖率 0.0%")
        // Suggestions: a site at A or B covers both (3,000); then D (2,500); then C (500).
        #expect(sat.suggestions.map(\.addedPopulation) == [3000, 2500, 500])
        #expect(sat.suggestions.first?.at?.point.code == "A")
        #expect(sat.suggestions.map(\.coveredAfter) == [3000, 5500, 6000])
        let svg = CoverageMap.svg(sat)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("周六 黄陂区 电动自行车登记上牌 五公里覆盖率 0.0%"))
        #expect(!svg.contains("href"), "nothing to fetch")
    }

    @Test func radiusInChinese() {
        #expect(CoverageReport.radiusZh(5000) == "五公里")
        #expect(CoverageReport.radiusZh(3000) == "三公里")
        #expect(CoverageReport.radiusZh(2500) == "2.5公里")
        #expect(CoverageReport.radiusZh(15000) == "15公里")
        #expect(CoverageReport.radiusZh(800) == "800米")
    }
}
