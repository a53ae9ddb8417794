import Foundation
@testable import ServiceCircleDomain
@testable import ServiceCircleSearch
import Testing

/// The read model's grid against an exhaustive scan: same results, opening-soon and beyond-radius answer.
@Suite("OutletGrid equals an exhaustive scan")
struct OutletGridTests {
    static let centre = GeoPoint(lat: 30.59, lon: 114.27)
    static let templates: [Hours] = [
        Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "12:00"), TimeRange("13:30", "17:30")])]),
        Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("00:00", "24:00")])]),
        Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:30")]),
                      HoursRule(days: [.restday], intervals: [TimeRange("09:00", "16:00")])]),
        Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("18:00", "02:00")])]),
    ]

    /// Outlets spread to 70 km (so the 50 km beyond-radius search has edges to get wrong), some in
    /// clusters of identical points (ties broken by id).
    static func catalogue(_ g: inout SplitMix, count: Int, firstClass: Int = 0, singletons: Bool = true) -> [IndexedOutlet] {
        let pool: [BusinessCode] = [.ebikeRegistration, .vehicleInspection, .licenseRenewal]
        var out: [IndexedOutlet] = []
        var classes: [String: Int] = [:]
        var last = centre
        for i in 0..<count {
            let p = g.unit() < 0.1 ? last : Geodesy.destination(from: centre, bearingDegrees: g.unit() * 360, distance: g.unit() * 70_000)
            last = p
            var b = pool.filter { _ in g.unit() < 0.5 }
            if b.isEmpty { b = [pool[i % 3]] }
            let o = Outlet(id: .init(Int64(i + 1)), code: "G\(i)", name: "点\(i)", kind: i % 4 == 0 ? .inspectionStation : .ebikePlatePoint,
                           address: "", province: "湖北省", city: "武汉市", district: "江岸区", districtCode: "420102", phone: nil,
                           location: p, operatingState: g.unit() < 0.05 ? .temporarilyClosed : .active, businesses: b.sorted(),
                           hours: templates[Int(g.next() % UInt64(templates.count))])
            // Outlets with the same hours and businesses share a class, as the read model numbers them; a few
            // stay in classes of their own.
            let key = "\(o.hours)|\(o.businesses)|\(o.operatingState)"
            let cls = singletons && i % 10 == 0 ? -1 : firstClass + (classes[key] ?? { classes[key] = classes.count; return classes.count - 1 }())
            out.append(IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar2026), hoursClass: cls))
        }
        return out
    }

    /// `firstClass` 50 numbers some classes past 62, the last the grid's per-cell class masks track one by one.
    /// Without outlets in classes of their own, every block's and the whole grid's class masks are exact, so
    /// the walks skip whole blocks and stop early when no class anywhere can be open (as on the national
    /// catalogue at night).
    @Test(arguments: [(0, true), (50, true), (0, false)])
    func randomQueries(firstClass: Int, singletons: Bool) {
        var g = SplitMix(seed: 7)
        let items = Self.catalogue(&g, count: 1_500, firstClass: firstClass, singletons: singletons)
        let grid = OutletGrid(items)
        var incremental = OutletGrid()
        for item in items { incremental.upsert(item) }
        #expect(grid.count == items.filter { $0.outlet.operatingState == .active }.count)
        #expect(incremental.count == grid.count)
        let base = at("2026-01-01T00:00:00+08:00")
        var beyondChecked = 0
        for _ in 0..<300 {
            let p = Geodesy.destination(from: Self.centre, bearingDegrees: g.unit() * 360, distance: g.unit() * 40_000)
            let business = [BusinessCode.ebikeRegistration, .vehicleInspection, .licenseRenewal][Int(g.next() % 3)]
            let q = NearestQuery(point: p, businesses: [business], kinds: g.unit() < 0.2 ? [.inspectionStation] : [],
                                 at: Instant(seconds: base.seconds + Int64(g.next() % (365 * 86_400)) / 60 * 60),
                                 radius: [1_000.0, 5_000.0, 12_000.0][Int(g.next() % 3)], limit: [1, 5, 20][Int(g.next() % 3)],
                                 mode: TravelMode.allCases[Int(g.next() % 4)])
            let all = items.filter { q.admits($0.outlet) }
                .map { NearestCandidate(item: $0, distance: Geodesy.distance(p, $0.outlet.location)) }
                .sorted { ($0.distance, $0.id.rawValue) < ($1.distance, $1.id.rawValue) }
            let expected = Nearest.answer(inRadius: all.filter { $0.distance <= q.radius }, query: q)
            let got = grid.answer(q)
            #expect(incremental.answer(q).results.map(\.outlet.id) == got.results.map(\.outlet.id))
            #expect(got.results.map(\.outlet.id) == expected.results.map(\.outlet.id))
            #expect(got.openingSoon.map(\.outlet.id) == expected.openingSoon.map(\.outlet.id))
            #expect(got.results.map(\.distance) == expected.results.map(\.distance))
            #expect(got.results.map(\.etaMinutes) == expected.results.map(\.etaMinutes))
            #expect(got.results.map(\.closesAt) == expected.results.map(\.closesAt))
            #expect(got.results.map(\.openUntilMinutes) == expected.results.map(\.openUntilMinutes))
            #expect(got.openingSoon.map(\.distance) == expected.openingSoon.map(\.distance))
            #expect(got.openingSoon.map(\.etaMinutes) == expected.openingSoon.map(\.etaMinutes))
            #expect(got.openingSoon.map(\.nextOpensAt) == expected.openingSoon.map(\.nextOpensAt))
            #expect(got.fallbacksApplied == expected.fallbacksApplied)
            let beyond = expected.fallbacksApplied
                ? Nearest.firstOpen(all.filter { $0.distance > q.radius && $0.distance <= NearestQuery.beyondRadiusLimit }, q) : nil
            #expect(got.nearestOpenBeyondRadius?.outlet.id == beyond?.outlet.id)
            #expect(got.nearestOpenBeyondRadius?.distance == beyond?.distance)
            #expect(incremental.answer(q).nearestOpenBeyondRadius?.outlet.id == beyond?.outlet.id)
            if beyond != nil { beyondChecked += 1 }
        }
        #expect(beyondChecked > 30, "the beyond-radius search was exercised (\(beyondChecked) answers)")
    }

    /// Outlets 3 m apart in distance at scattered bearings: the cheap distance (off by up to 0.5 %, about 10 m
    /// here, depending on bearing) orders them differently from the geodesic, which must decide.
    @Test(arguments: [("2026-03-02T10:00:00+08:00", 0), ("2026-03-02T10:00:00+08:00", 1), ("2026-03-02T20:00:00+08:00", 0)])
    func nearTiesAreRankedByTheGeodesic(at instant: String, hoursIndex: Int) {
        var g = SplitMix(seed: 3)
        let hours = hoursIndex == 0 ? Self.templates[0] : Self.templates[1]
        let items = (0..<60).map { i -> IndexedOutlet in
            let p = Geodesy.destination(from: Self.centre, bearingDegrees: g.unit() * 360, distance: 2_000 + Double(i) * 3)
            let o = Outlet(id: .init(Int64(1000 - i)), code: "T\(i)", name: "点\(i)", kind: .ebikePlatePoint, address: "", province: "湖北省",
                           city: "武汉市", district: "江岸区", districtCode: "420102", phone: nil, location: p, operatingState: .active,
                           businesses: [.ebikeRegistration], hours: hours)
            return IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar2026), hoursClass: 0)
        }
        let grid = OutletGrid(items.shuffled(using: &g))
        for limit in [1, 3, 5, 10] {
            for radius in [2_030.0, 2_100.0, 5_000.0] {
                let q = NearestQuery(point: Self.centre, businesses: [.ebikeRegistration], at: at(instant), radius: radius, limit: limit)
                let all = items.map { NearestCandidate(item: $0, distance: Geodesy.distance(Self.centre, $0.outlet.location)) }
                    .filter { $0.distance <= radius }
                let expected = Nearest.answer(inRadius: all, query: q)
                let got = grid.answer(q)
                #expect(got.results.map(\.outlet.id) == expected.results.map(\.outlet.id), "limit \(limit) radius \(radius)")
                #expect(got.openingSoon.map(\.outlet.id) == expected.openingSoon.map(\.outlet.id), "limit \(limit) radius \(radius)")
            }
        }
    }

    /// Longitude 180 and the poles: the searches end and find what lies across the antimeridian or the pole.
    @Test func edgesOfTheMap() {
        func item(_ id: Int64, _ lat: Double, _ lon: Double) -> IndexedOutlet {
            let o = Outlet(id: .init(id), code: "E\(id)", name: "点", kind: .ebikePlatePoint, address: "", province: "-", city: "-",
                           district: "-", districtCode: "100000", phone: nil, location: GeoPoint(lat: lat, lon: lon),
                           operatingState: .active, businesses: [.ebikeRegistration], hours: Self.templates[1])
            return IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar2026), hoursClass: 0)
        }
        let grid = OutletGrid([item(1, 10, -179.99), item(2, 89.99, 180), item(3, -89.995, 90)])
        let now = at("2026-03-02T10:00:00+08:00")
        func answer(_ lat: Double, _ lon: Double, radius: Double = 1_000) -> NearestAnswer {
            grid.answer(NearestQuery(point: GeoPoint(lat: lat, lon: lon), businesses: [.ebikeRegistration], at: now, radius: radius))
        }
        // Across the antimeridian: ~2.2 km away, beyond a 1 km radius.
        #expect(answer(10, 180).nearestOpenBeyondRadius?.outlet.id.rawValue == 1)
        #expect(answer(10, 179.99, radius: 3_000).results.map(\.outlet.id.rawValue) == [1])
        // Across the North Pole: (89.99, 0) to (89.99, 180) is about 2.2 km.
        #expect(answer(89.99, 0, radius: 3_000).results.map(\.outlet.id.rawValue) == [2])
        #expect(answer(89.99, 0).nearestOpenBeyondRadius?.outlet.id.rawValue == 2)
        // Near the South Pole with nothing within 50 km: the search ends with no answer.
        #expect(answer(-80, 0).nearestOpenBeyondRadius == nil)
    }

    @Test func updatesAndRemovals() {
        var g = SplitMix(seed: 11)
        let items = Self.catalogue(&g, count: 50)
        var grid = OutletGrid()
        for item in items { grid.upsert(item) }
        let active = items.filter { $0.outlet.operatingState == .active }
        let moved = active[0].outlet
        // Moving an outlet replaces it; closing removes it; removing twice is harmless.
        var o = moved
        o.location = GeoPoint(lat: 39.9, lon: 116.4)
        grid.upsert(IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar2026)))
        #expect(grid.count == active.count)
        let q = NearestQuery(point: GeoPoint(lat: 39.9, lon: 116.4), businesses: o.businesses, at: at("2026-03-02T10:00:00+08:00"),
                             radius: 1_000)
        #expect(grid.within(radius: 1_000, of: q.point, required: q.required).map(\.id) == [o.id])
        o.operatingState = .temporarilyClosed
        grid.upsert(IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar2026)))
        #expect(grid.count == active.count - 1)
        #expect(grid.within(radius: 1_000, of: q.point, required: q.required).isEmpty)
        grid.remove(id: o.id.rawValue)
        #expect(grid.count == active.count - 1)
    }

    /// At night nothing of the office-hours class is open: the walks skip every block and stop early. An outlet open
    /// all night added 30 km away (another block) must be found at once, and be gone once removed.
    @Test func blockMasksFollowUpdates() {
        func outlet(_ id: Int64, _ p: GeoPoint, hours: Int) -> IndexedOutlet {
            let o = Outlet(id: .init(id), code: "B\(id)", name: "点\(id)", kind: .ebikePlatePoint, address: "", province: "湖北省",
                           city: "武汉市", district: "江岸区", districtCode: "420102", phone: nil, location: p, operatingState: .active,
                           businesses: [.ebikeRegistration], hours: Self.templates[hours])
            return IndexedOutlet(outlet: o, hours: o.compiledHours(calendar: calendar2026), hoursClass: hours == 0 ? 0 : 1)
        }
        var grid = OutletGrid((1...200).map { i in
            outlet(Int64(i), Geodesy.destination(from: Self.centre, bearingDegrees: Double(i) * 37, distance: Double(i) * 20), hours: 0)
        })
        let q = NearestQuery(point: Self.centre, businesses: [.ebikeRegistration], at: at("2026-03-02T22:00:00+08:00"), radius: 5_000)
        #expect(grid.answer(q).results.isEmpty)
        #expect(grid.answer(q).openingSoon.count == 5)
        #expect(grid.answer(q).nearestOpenBeyondRadius == nil)
        let far = Geodesy.destination(from: Self.centre, bearingDegrees: 45, distance: 30_000)
        grid.upsert(outlet(1_000, far, hours: 1))
        #expect(grid.answer(q).nearestOpenBeyondRadius?.outlet.id == .init(1_000))
        grid.remove(id: 1_000)
        #expect(grid.answer(q).nearestOpenBeyondRadius == nil)
        grid.upsert(outlet(1_001, far, hours: 1))
        #expect(grid.answer(q).nearestOpenBeyondRadius?.outlet.id == .init(1_001))
    }

    /// The grid's memos (the status sentence per hours class, the outlet summary per slot) give what the domain
    /// computes; a summary is written once per outlet put in the grid, and never taken for an outlet that the grid
    /// does not keep in the result's slot (another grid's answer, a replaced outlet).
    @Test func memosGiveWhatTheDomainComputes() {
        var g = SplitMix(seed: 5)
        let items = Self.catalogue(&g, count: 400)
        var grid = OutletGrid(items)
        var writes: [Int64: Int] = [:]
        func write(_ item: IndexedOutlet) -> [UInt8] {
            writes[item.outlet.id.rawValue, default: 0] += 1
            return Array("\(item.outlet.id.rawValue) \(item.outlet.name)".utf8)
        }
        func check(_ answer: NearestAnswer, _ q: NearestQuery, _ memo: SearchMemo) {
            for r in answer.results + (answer.nearestOpenBeyondRadius.map { [$0] } ?? []) {
                #expect(memo.statusTextZh(r, q) == r.statusTextZh(q))
                #expect(memo.summary(of: r, write) == Array("\(r.outlet.id.rawValue) \(r.outlet.name)".utf8))
            }
            for s in answer.openingSoon {
                #expect(memo.statusTextZh(s, q) == s.statusTextZh(q))
                #expect(memo.summary(of: s, write) == Array("\(s.outlet.id.rawValue) \(s.outlet.name)".utf8))
            }
        }
        var queries: [NearestQuery] = []
        for instant in ["2026-03-02T10:00:00+08:00", "2026-03-02T12:10:00+08:00", "2026-03-02T22:00:00+08:00", "2026-03-07T10:00:00+08:00"] {
            for mode in TravelMode.allCases {
                for _ in 0..<3 {
                    let p = Geodesy.destination(from: Self.centre, bearingDegrees: g.unit() * 360, distance: g.unit() * 30_000)
                    queries.append(NearestQuery(point: p, businesses: [.ebikeRegistration], at: at(instant), radius: 3_000, mode: mode))
                }
            }
        }
        // Twice: the second time every sentence and summary comes from the memos.
        for _ in 0..<2 { for q in queries { check(grid.answer(q), q, grid.memo) } }
        #expect(!writes.isEmpty && writes.values.allSatisfy { $0 == 1 })
        // Another grid's answers (the same outlets, other instances): nothing is taken from this grid's memo.
        let other = OutletGrid(items.map { IndexedOutlet(outlet: $0.outlet, hours: $0.hours, hoursClass: $0.hoursClass) })
        writes = [:]
        for q in queries { check(other.answer(q), q, grid.memo) }
        for q in queries { check(other.answer(q), q, SearchMemo()) }
        #expect(!writes.isEmpty && writes.values.allSatisfy { $0 >= 2 })
        // A replaced outlet gets a new memo: its new summary is written, the old grid's memo keeps the old one.
        let before = grid.memo
        let q = queries.first { !grid.answer($0).results.isEmpty }!
        let first = grid.answer(q).results[0]
        var renamed = first.outlet
        renamed.name += "（新）"
        grid.upsert(IndexedOutlet(outlet: renamed, hours: first.item.hours, hoursClass: first.item.hoursClass))
        let again = grid.answer(q).results[0]
        #expect(again.outlet.name == renamed.name)
        #expect(grid.memo.summary(of: again, write) == Array("\(renamed.id.rawValue) \(renamed.name)".utf8))
        #expect(before.summary(of: first, write) == Array("\(first.outlet.id.rawValue) \(first.outlet.name)".utf8))
    }
}

/// The property tests' generator (HoursEvaluationTests), also as a RandomNumberGenerator for shuffling.
extension SplitMix: RandomNumberGenerator {
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
