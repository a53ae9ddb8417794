import Foundation
import Testing
@testable import ServiceCircleDomain
@testable import ServiceCircleSeed

@Suite("Maximal covering: greedy against the exact optimum")
struct MaximalCoveringTests {
    /// The textbook case where greedy is not optimal: A covers half of B's and half of C's residents plus a little,
    /// so greedy takes A first; the optimum is B and C.
    @Test func greedyCanMissTheOptimumAndTheGapIsMeasured() {
        // Elements 0-3 belong to B, 4-7 to C; A covers 1, 2, 5, 6 and 8.
        let weights = [3, 3, 3, 1, 3, 3, 3, 1, 1]
        let sets = [[1, 2, 5, 6, 8], [0, 1, 2, 3], [4, 5, 6, 7]]   // A, B, C
        let greedy = MaximalCovering.greedy(sets: sets, weights: weights, k: 2)
        #expect(greedy.map(\.candidate) == [0, 1])
        #expect(greedy.map(\.gain) == [13, 4])
        let best = MaximalCovering.optimum(sets: sets, weights: weights, k: 2)
        #expect(best.candidates == [1, 2])
        #expect(best.total == 20)
        #expect(MaximalCovering.coveredWeight(greedy.map(\.candidate), sets: sets, weights: weights) == 17)
    }

    @Test func stopsWhenNothingMoreCanBeGained() {
        let picks = MaximalCovering.greedy(sets: [[0], [0], []], weights: [5], k: 3)
        #expect(picks == [MaximalCovering.Pick(candidate: 0, gain: 5)])
    }

    @Test func tiesGoToTheLowestIndex() {
        let picks = MaximalCovering.greedy(sets: [[0], [1], [2]], weights: [4, 4, 4], k: 2)
        #expect(picks.map(\.candidate) == [0, 1])
    }

    /// Random small instances: greedy is never below (1 − (1 − 1/k)^k) of the optimum (Nemhauser–Wolsey–Fisher) and
    /// its lazy evaluation picks what a plain greedy picks. The gap figures are printed for the README.
    @Test func randomInstancesAgainstBruteForce() {
        var rng = SeedGenerator.SplitMix64("covering-gap")
        var gaps: [Double] = []
        var optimal = 0
        let instances = 400
        for _ in 0..<instances {
            let n = 6 + rng.below(9)          // 6-14 candidates
            let m = 10 + rng.below(30)        // 10-39 elements
            let k = 1 + rng.below(4)          // 1-4 sites
            let weights = (0..<m).map { _ in 1 + rng.below(5000) }
            // Spatial structure: candidates and elements on a 20 km square, coverage within 5 km.
            let cand = (0..<n).map { _ in GeoPoint(lat: 30 + rng.unit() * 0.18, lon: 114 + rng.unit() * 0.21) }
            let elem = (0..<m).map { _ in GeoPoint(lat: 30 + rng.unit() * 0.18, lon: 114 + rng.unit() * 0.21) }
            let sets = CoverageAnalysis.coverSets(candidates: cand, elements: elem, weights: weights, radius: 5000).sets
            let greedy = MaximalCovering.greedy(sets: sets, weights: weights, k: k)
            let g = MaximalCovering.coveredWeight(greedy.map(\.candidate), sets: sets, weights: weights)
            #expect(greedy.reduce(0) { $0 + $1.gain } == g)
            #expect(greedy == plainGreedy(sets: sets, weights: weights, k: k))
            let best = MaximalCovering.optimum(sets: sets, weights: weights, k: k)
            #expect(g <= best.total)
            let bound = 1 - pow(1 - 1 / Double(k), Double(k))
            #expect(Double(g) >= bound * Double(best.total) - 1e-9)
            if best.total > 0 {
                gaps.append(Double(best.total - g) / Double(best.total))
                if g == best.total { optimal += 1 }
            }
        }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        print(String(format: "greedy vs exact optimum over %d random instances (6-14 candidates, k 1-4, 5 km on 20 km): optimal in %d (%.1f%%), mean gap %.2f%%, worst gap %.2f%%",
                     gaps.count, optimal, Double(optimal) * 100 / Double(gaps.count), mean * 100, (gaps.max() ?? 0) * 100))
        #expect(mean < 0.05, "greedy should be within a few percent on average")
    }

    /// The unoptimised greedy, for comparison.
    func plainGreedy(sets: [[Int]], weights: [Int], k: Int) -> [MaximalCovering.Pick] {
        var covered = Set<Int>()
        var out: [MaximalCovering.Pick] = []
        for _ in 0..<k {
            var best = -1, bestGain = 0
            for (c, s) in sets.enumerated() where !out.contains(where: { $0.candidate == c }) {
                let gain = s.filter { !covered.contains($0) }.reduce(0) { $0 + weights[$1] }
                if gain > bestGain { best = c; bestGain = gain }
            }
            guard best >= 0 else { break }
            out.append(.init(candidate: best, gain: bestGain))
            covered.formUnion(sets[best])
        }
        return out
    }
}

@Suite("Point index and hexagon grid")
struct CoverageGeometryTests {
    @Test func pointIndexFindsExactlyThePointsWithinTheGeodesicRadius() {
        var rng = SeedGenerator.SplitMix64("point-index")
        let points = (0..<2000).map { _ in GeoPoint(lat: 30.3 + rng.unit() * 0.8, lon: 113.9 + rng.unit() * 0.9) }
        let index = PointIndex(points)
        for _ in 0..<60 {
            let p = GeoPoint(lat: 30.3 + rng.unit() * 0.8, lon: 113.9 + rng.unit() * 0.9)
            let r = 500 + rng.unit() * 9500
            var found: [Int] = []
            index.forEach(within: r, of: p) { found.append($0) }
            let expected = points.indices.filter { Geodesy.distance(p, points[$0]) <= r }
            #expect(found.sorted() == expected)
        }
        // Exactly on the radius counts (ST_DWithin is inclusive).
        let c = GeoPoint(lat: 30.6, lon: 114.3)
        let edge = Geodesy.destination(from: c, bearingDegrees: 33, distance: 5000)
        let d = Geodesy.distance(c, edge)
        #expect(PointIndex([edge]).any(within: d, of: c))
        #expect(!PointIndex([edge]).any(within: d - 0.01, of: c))
    }

    @Test func everyPointFallsInTheHexagonWhoseCentreIsNearest() {
        var rng = SeedGenerator.SplitMix64("hex")
        let grid = HexGrid(size: 1000, around: GeoPoint(lat: 30.6, lon: 114.3))
        #expect(grid.origin == GeoPoint(lat: 31, lon: 114))
        for _ in 0..<2000 {
            let p = GeoPoint(lat: 30 + rng.unit() * 1.3, lon: 113.7 + rng.unit() * 1.3)
            let cell = grid.cell(p)
            let (x, y) = grid.project(p)
            let (cx, cy) = grid.project(grid.centre(cell))
            let d = ((x - cx) * (x - cx) + (y - cy) * (y - cy)).squareRoot()
            #expect(d <= 1000 + 1e-6, "inside the circumcircle")
            // No neighbour's centre is nearer.
            for (dq, dr) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)] {
                let (nx, ny) = grid.project(grid.centre(HexGrid.Cell(q: cell.q + dq, r: cell.r + dr)))
                #expect(((x - nx) * (x - nx) + (y - ny) * (y - ny)).squareRoot() >= d - 1e-6)
            }
        }
        let ring = grid.ring(HexGrid.Cell(q: 3, r: -2))
        #expect(ring.count == 7 && ring.first == ring.last)
        // Edge length ≈ size on the ground (projection error < 2 %).
        let edge = Geodesy.distance(ring[0], ring[1])
        #expect(abs(edge - 1000) < 20)
        #expect(abs(grid.cellAreaKm2 - 2.598) < 0.001)
    }
}

@Suite("Coverage time windows")
struct CoverageTimeTests {
    let calendar: HolidayCalendar = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SeedData/calendar/cn-holidays-2024-2026.csv")
        return HolidayCalendar(entries: try! HolidayCalendar.parseCSV(String(contentsOf: url, encoding: .utf8)))
    }()

    @Test func referenceDatesSkipHolidaysAndMakeupDays() {
        // Saturday 14 Feb 2026 is a make-up workday; Saturday 21 Feb is inside the Spring Festival block.
        let today = LocalDate(iso: "2026-02-14")!
        #expect(CoverageWindow.saturday.referenceDate(onOrAfter: today, calendar: calendar) == LocalDate(iso: "2026-03-07"))
        // 28 Feb is a make-up Saturday too, so the first ordinary Saturday is 7 March.
        #expect(CoverageWindow.sunday.referenceDate(onOrAfter: today, calendar: calendar) == LocalDate(iso: "2026-03-01"))
        #expect(CoverageWindow.weekdayDaytime.referenceDate(onOrAfter: today, calendar: calendar) == LocalDate(iso: "2026-02-24"))
        #expect(CoverageWindow.holiday.referenceDate(onOrAfter: LocalDate(iso: "2026-03-02")!, calendar: calendar) == LocalDate(iso: "2026-04-04"))
        #expect(CoverageWindow.holiday.referenceDate(onOrAfter: LocalDate(iso: "2026-12-01")!, calendar: calendar) == nil)
    }

    @Test func anOutletCountsWhenOpenThirtyMinutesWithoutABreakInTheWindow() {
        let date = LocalDate(iso: "2026-03-02")!   // a Monday
        let t = CoverageTime(window: .weekdayDaytime, date: date, calendar: calendar)
        #expect(t.from == Instant(rfc3339: "2026-03-02T09:00:00+08:00"))
        #expect(t.to == Instant(rfc3339: "2026-03-02T17:00:00+08:00"))
        func hours(_ a: String, _ b: String) -> CompiledHours {
            CompiledHours(hours: Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange(a, b)])]),
                          businesses: BusinessSet([.ebikeRegistration]), calendar: calendar)
        }
        let req = BusinessSet([.ebikeRegistration])
        #expect(t.countingIntervals(hours("08:30", "09:29"), required: req) == nil, "29 minutes inside the window")
        #expect(t.countingIntervals(hours("08:30", "09:30"), required: req)?.count == 1)
        #expect(t.countingIntervals(hours("16:30", "18:00"), required: req) != nil)
        #expect(t.countingIntervals(hours("17:00", "18:00"), required: req) == nil)
        // Another business does not count.
        #expect(t.countingIntervals(hours("08:00", "18:00"), required: BusinessSet([.licenseRenewal])) == nil)
        // A dated closure on the reference date.
        let closed = CompiledHours(hours: Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("00:00", "24:00")])],
                                                exceptions: [HoursException(from: date, to: date, intervals: [], note: "系统升级")]),
                                   businesses: req, calendar: calendar)
        #expect(t.countingIntervals(closed, required: req) == nil)
        // An instant: open at it and for 30 minutes after.
        let at = CoverageTime(at: Instant(rfc3339: "2026-03-02T16:40:00+08:00")!, calendar: calendar)
        #expect(at.countingIntervals(hours("08:30", "17:10"), required: req) != nil)
        #expect(at.countingIntervals(hours("08:30", "17:00"), required: req) == nil)
    }

    @Test func explicitDatesMustBeOfTheWindowsKind() {
        #expect(CoverageWindow.saturday.accepts(calendar.info(LocalDate(iso: "2026-02-14")!)))
        #expect(!CoverageWindow.saturday.accepts(calendar.info(LocalDate(iso: "2026-02-15")!)))
        #expect(CoverageWindow.weekdayDaytime.accepts(calendar.info(LocalDate(iso: "2026-02-14")!)), "a make-up workday")
        #expect(!CoverageWindow.weekdayDaytime.accepts(calendar.info(LocalDate(iso: "2026-02-16")!)), "a holiday Monday")
        #expect(CoverageWindow.holiday.accepts(calendar.info(LocalDate(iso: "2026-10-01")!)))
    }
}

@Suite("Coverage candidate sites")
struct SiteCandidateTests {
    @Test func parsesTheThreeFormsStrictly() throws {
        #expect(try SiteCandidates.parse("demand").get() == .demand)
        #expect(try SiteCandidates.parse("grid:1000").get() == .grid(metres: 1000))
        #expect(try SiteCandidates.parse("kind:police_post_point").get() == .outletKind(.policePostPoint))
        for bad in ["", "grid", "grid:", "grid:99", "grid:20001", "grid:01000", "grid:1e3", "grid:-500", "grid:500.5", "kind:", "kind:post_office", "Demand"] {
            #expect(throws: InvalidParam.self, "\(bad)") { try SiteCandidates.parse(bad).get() }
        }
        #expect(SiteCandidates.grid(metres: 500).text == "grid:500" && SiteCandidates.outletKind(.policeStationWindow).text == "kind:police_station_window")
    }

    @Test func gridPointsLieInsideTheOutlineWithStableIdsAndACap() throws {
        // A 10 km × 10 km square near 30.9° N, 114.35° E, and a triangle (half of it).
        let (s, w, n, e) = (30.85, 114.30, 30.94, 114.404)
        let box = Region.BoundingBox(minLat: s, minLon: w, maxLat: n, maxLon: e)
        func p(_ lat: Double, _ lon: Double) -> GeoPoint { GeoPoint(lat: lat, lon: lon) }
        let square: MultiPolygon = [[[p(s, w), p(s, e), p(n, e), p(n, w), p(s, w)]]]
        let triangle: MultiPolygon = [[[p(s, w), p(s, e), p(n, w), p(s, w)]]]
        let all = try #require(SiteCandidate.grid(metres: 1000, bbox: box, boundaries: [square], limit: 1000))
        #expect((90...121).contains(all.count), "about 10 × 10 points: \(all.count)")
        let half = try #require(SiteCandidate.grid(metres: 1000, bbox: box, boundaries: [triangle], limit: 1000))
        #expect(abs(Double(half.count) - Double(all.count) / 2) < 12, "\(half.count) of \(all.count)")
        #expect(Set(half.map(\.id)).isSubset(of: Set(all.map(\.id))), "the lattice does not depend on the outline")
        #expect(all.allSatisfy { $0.kind == .grid && $0.id.hasPrefix("grid:1000:") && $0.demand == nil })
        #expect(SiteCandidate.grid(metres: 1000, bbox: box, boundaries: [square], limit: 50) == nil, "over the cap")
    }
}
