import Foundation
import ServiceCircleDomain
import Testing

@Suite("Polygons: ring containment, the grid index, RFC 7946 orientation, coverage texts")
struct PolygonIndexTests {
    /// A closed ring through the given (lon, lat) corners.
    func ring(_ corners: [(Double, Double)]) -> [GeoPoint] {
        let pts = corners.map { GeoPoint(lat: $0.1, lon: $0.0) }
        return pts + [pts[0]]
    }
    func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, clockwise: Bool = false) -> [GeoPoint] {
        let ccw = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        return ring(clockwise ? ccw.reversed() : ccw)
    }
    func p(_ lat: Double, _ lon: Double) -> GeoPoint { GeoPoint(lat: lat, lon: lon) }

    @Test func orientationBySignedArea() {
        #expect(PolygonRing.isCounterClockwise(square(0, 0, 1, 1)))
        #expect(!PolygonRing.isCounterClockwise(square(0, 0, 1, 1, clockwise: true)))
        #expect(PolygonRing.signedArea2(square(0, 0, 2, 1)) == 4)
    }

    @Test func rfc7946TurnsExteriorsCounterClockwiseAndHolesClockwise() {
        // Both rings the wrong way round: exterior clockwise, hole counter-clockwise.
        let wrong: [[GeoPoint]] = [square(0, 0, 10, 10, clockwise: true), square(2, 2, 4, 4)]
        let fixed = PolygonRing.rfc7946(wrong)
        #expect(PolygonRing.isCounterClockwise(fixed[0]))
        #expect(!PolygonRing.isCounterClockwise(fixed[1]))
        #expect(fixed[0].first == fixed[0].last && fixed[1].first == fixed[1].last)
        #expect(Set(fixed[0]) == Set(wrong[0]))
        // Already right: unchanged.
        let right: [[GeoPoint]] = [square(0, 0, 10, 10), square(2, 2, 4, 4, clockwise: true)]
        #expect(PolygonRing.rfc7946(right) == right)
        #expect(PolygonRing.rfc7946([wrong, right]) == [fixed, right])
    }

    @Test func containmentHonoursHolesAndParts() {
        // Feature 0: a square with a hole, plus an island; feature 1: its neighbour to the east; feature 2 fills the hole.
        let f0: MultiPolygon = [[square(0, 0, 10, 10), square(4, 4, 6, 6, clockwise: true)], [square(20, 0, 21, 1)]]
        let f1: MultiPolygon = [[square(10, 0, 15, 10)]]
        let f2: MultiPolygon = [[square(4, 4, 6, 6)]]
        let index = PolygonIndex([f0, f1, f2], cellDegrees: 0.5)
        #expect(index.feature(containing: p(1, 1)) == 0)
        #expect(index.feature(containing: p(5, 5)) == 2)          // in the hole: the feature filling it
        #expect(index.feature(containing: p(0.5, 20.5)) == 0)      // the island
        #expect(index.feature(containing: p(5, 12)) == 1)
        #expect(index.feature(containing: p(5, 17)) == nil)        // between them
        #expect(index.feature(containing: p(30, 5)) == nil)        // north of everything
        #expect(index.feature(containing: p(-5, -50)) == nil)      // outside the grid's extent
        #expect(index.feature(containing: p(.nan, 5)) == nil)
        #expect(index.feature(containing: p(1, 1), where: { $0 != 0 }) == nil)
        #expect(index.featureCount == 3)
    }

    @Test func concaveRing() {
        // A U shape: the notch (x 4...6, y 3...10) is outside.
        let u = ring([(0, 0), (10, 0), (10, 10), (6, 10), (6, 3), (4, 3), (4, 10), (0, 10)])
        let index = PolygonIndex([[[u]]], cellDegrees: 1)
        #expect(index.feature(containing: p(5, 5)) == nil)
        #expect(index.feature(containing: p(5, 2)) == 0)
        #expect(index.feature(containing: p(8, 2)) == 0)
        #expect(index.feature(containing: p(8, 8)) == 0)
    }

    @Test func agreesWithABruteForceTestOnRandomPoints() {
        // A star-shaped polygon (irregular radii) against the plain crossing test over its ring.
        var rng = SystemRandomNumberGenerator()
        var corners: [(Double, Double)] = []
        for k in 0..<60 {
            let a = Double(k) / 60 * 2 * .pi, r = Double.random(in: 0.3...1.0, using: &rng)
            corners.append((114 + r * cos(a), 30 + r * sin(a)))
        }
        let star = ring(corners)
        let index = PolygonIndex([[[star]]], cellDegrees: 0.1)
        // The same with interior cells: cells no outline crosses answer without a ring test.
        let withInterior = PolygonIndex([[[star]]], cellDegrees: 0.1, interiorDegrees: 0.01)
        func brute(_ q: GeoPoint) -> Bool {
            var inside = false
            for i in 0..<(star.count - 1) {
                let a = star[i], b = star[i + 1]
                if (a.lat > q.lat) != (b.lat > q.lat), q.lon < a.lon + (q.lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon) { inside.toggle() }
            }
            return inside
        }
        for _ in 0..<2000 {
            let q = p(Double.random(in: 28.8...31.2, using: &rng), Double.random(in: 112.8...115.2, using: &rng))
            #expect((index.feature(containing: q) == 0) == brute(q))
            #expect((withInterior.feature(containing: q) == 0) == brute(q), "interior cells at \(q)")
        }
    }

    @Test func nearestOutlineWithinADistance() {
        let a: MultiPolygon = [[square(114.0, 30.0, 114.1, 30.1)]]
        let b: MultiPolygon = [[square(114.2, 30.0, 114.3, 30.1)]]
        let index = PolygonIndex([a, b], cellDegrees: 0.05)
        // 0.01° east of a's eastern edge (~960 m at 30°N), 0.09° west of b's.
        let q = p(30.05, 114.11)
        let n = index.nearestFeature(to: q, within: 2000) { _ in true }
        #expect(n?.feature == 0)
        #expect(abs((n?.metres ?? 0) - 0.01 * 111_320 * cos(30.05 * .pi / 180)) < 1)
        #expect(index.nearestFeature(to: q, within: 2000) { $0 != 0 } == nil)
        #expect(index.nearestFeature(to: q, within: 10_000) { $0 != 0 }?.feature == 1)
    }

    // MARK: Coverage

    let wuhan = AdminRegion(code: "420100", name: "武汉市", level: .city)
    let hubei = AdminRegion(code: "420000", name: "湖北省", level: .province)

    func scope() -> CatalogueScope {
        func region(_ code: String, _ name: String, _ city: String) -> Region {
            Region(code: code, province: "", city: city, name: name, centroid: p(0, 0), insidePoint: p(0, 0),
                   bbox: .init(minLat: 0, minLon: 0, maxLat: 0, maxLon: 0), areaKm2: 1, population2020: nil, populationSource: "")
        }
        return CatalogueScope([region("420100", "武汉市", "武汉市"), region("420103", "江汉区", "武汉市"),
                               region("130100", "石家庄市", "石家庄市"), region("130102", "长安区", "石家庄市"), region("130104", "桥西区", "石家庄市")])
    }

    @Test func coveredDistrict() {
        let loc = RegionLocation(district: AdminRegion(code: "420103", name: "江汉区", level: .district), city: wuhan, province: hubei)
        let c = CatalogueCoverage.of(loc, scope: scope())
        #expect(c.inCatalogue == true)
        #expect(c.region == .init(code: "420103", name: "江汉区", city: "武汉市", province: "湖北省"))
        #expect(c.messageZh.contains("湖北省武汉市江汉区"))
        #expect(!scope().covers("420100"))   // a city row is not a district the catalogue covers
    }

    @Test func uncoveredPlaceIsNamedNotSnapped() {
        let loc = RegionLocation(district: AdminRegion(code: "330106", name: "西湖区", level: .district),
                                 city: AdminRegion(code: "330100", name: "杭州市", level: .city),
                                 province: AdminRegion(code: "330000", name: "浙江省", level: .province))
        let c = CatalogueCoverage.of(loc, scope: scope())
        #expect(c.inCatalogue == false)
        #expect(c.region?.code == "330106" && c.region?.city == "杭州市" && c.region?.province == "浙江省")
        #expect(c.messageZh.contains("浙江省杭州市西湖区") && c.messageZh.contains("不覆盖浙江省杭州市"))
        #expect(!c.messageZh.contains("武汉") && !c.messageZh.contains("石家庄"))
        // A district of a partly covered city: says what is covered there.
        let zhengding = RegionLocation(district: AdminRegion(code: "130123", name: "正定县", level: .district),
                                       city: AdminRegion(code: "130100", name: "石家庄市", level: .city),
                                       province: AdminRegion(code: "130000", name: "河北省", level: .province))
        let z = CatalogueCoverage.of(zhengding, scope: scope())
        #expect(z.inCatalogue == false)
        #expect(z.messageZh.contains("长安区、桥西区") && z.messageZh.contains("不覆盖正定县"))
    }

    @Test func nowhereIsNull() {
        let c = CatalogueCoverage.of(.nowhere, scope: scope())
        #expect(c.inCatalogue == nil && c.region == nil)
        #expect(c.messageZh.contains("海上或境外"))
    }

    @Test func fullNamesSayEachNameOnce() {
        let beijing = AdminRegion(code: "110000", name: "北京市", level: .province)
        let loc = RegionLocation(district: AdminRegion(code: "110101", name: "东城区", level: .district),
                                 city: AdminRegion(code: "110100", name: "北京市", level: .city), province: beijing)
        #expect(loc.fullNameZh == "北京市东城区")
        let dongguan = RegionLocation(district: AdminRegion(code: "441900", name: "东莞市", level: .district),
                                      city: AdminRegion(code: "441900", name: "东莞市", level: .city),
                                      province: AdminRegion(code: "440000", name: "广东省", level: .province))
        #expect(dongguan.fullNameZh == "广东省东莞市")
    }
}
