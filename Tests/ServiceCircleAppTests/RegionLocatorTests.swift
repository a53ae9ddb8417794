import Foundation
import ServiceCircleApp
import ServiceCircleDomain
import Testing

/// The committed boundaries, loaded once for the suite.
enum SeedBoundaries {
    static var projectDirectory: URL {
        if let home = ProcessInfo.processInfo.environment["SERVICECIRCLE_HOME"] { return URL(fileURLWithPath: home) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static let loaded = Result { () throws -> (RegionLocator, Duration) in
        let seed = projectDirectory.appendingPathComponent("SeedData")
        let regions = try Region.parseCSV(String(contentsOf: seed.appendingPathComponent("regions.csv"), encoding: .utf8))
        let start = ContinuousClock.now
        let locator = try RegionLocator.load(boundaries: seed.appendingPathComponent("boundaries"), catalogue: regions)
        return (locator, ContinuousClock.now - start)
    }
    static var locator: RegionLocator { get throws { try loaded.get().0 } }
}

@Suite("Region locator on the committed boundaries (SeedData/boundaries)")
struct RegionLocatorTests {
    func at(_ lat: Double, _ lon: Double) throws -> RegionLocation {
        try SeedBoundaries.locator.locate(GeoPoint(lat: lat, lon: lon))
    }

    @Test func loadsEveryDistrict() throws {
        let s = try SeedBoundaries.locator.stats
        #expect(s.districts == 2_875)
        #expect(s.catalogued == 31)
    }

    @Test func jianghanDistrict() throws {
        let l = try at(30.5900, 114.2700)
        #expect(l.district == AdminRegion(code: "420103", name: "江汉区", level: .district))
        #expect(l.city == AdminRegion(code: "420100", name: "武汉市", level: .city))
        #expect(l.province == AdminRegion(code: "420000", name: "湖北省", level: .province))
        let c = try SeedBoundaries.locator.coverage(l)
        #expect(c.inCatalogue == true && c.region?.code == "420103")
    }

    @Test func uncoveredPlacesAreNamed() throws {
        let xihu = try at(30.2460, 120.1300)   // 西湖 (the lake), 杭州西湖区
        #expect(xihu.district?.code == "330106" && xihu.city?.name == "杭州市" && xihu.province?.name == "浙江省")
        let c = try SeedBoundaries.locator.coverage(xihu)
        #expect(c.inCatalogue == false && c.region?.name == "西湖区")
        #expect(try at(39.9163, 116.3972).district?.name == "东城区")   // 故宫
        #expect(try at(22.2800, 114.1588).province?.code == "810000")   // 香港中环
    }

    @Test func seaAndAbroadAreNowhere() throws {
        #expect(try at(25.0, 123.0) == .nowhere)          // East China Sea
        #expect(try at(35.6812, 139.7671) == .nowhere)    // Tokyo
        #expect(try at(0, 0) == .nowhere)
        #expect(try SeedBoundaries.locator.coverage(.nowhere).inCatalogue == nil)
    }

    /// Every catalogued district's inside point (regions.csv) is located in that district: the precise outlines win.
    @Test func everyCataloguedInsidePointIsItsOwnDistrict() throws {
        let seed = SeedBoundaries.projectDirectory.appendingPathComponent("SeedData")
        let regions = try Region.parseCSV(String(contentsOf: seed.appendingPathComponent("regions.csv"), encoding: .utf8))
        for r in regions where !r.isCity {
            #expect(try at(r.insidePoint.lat, r.insidePoint.lon).district?.code == r.code, "\(r.code) \(r.name)")
        }
    }

    /// Every national district's centre (regions-national.csv, the inside of its largest part) finds that district.
    @Test func everyNationalCentreIsItsOwnDistrict() throws {
        let text = try String(contentsOf: SeedBoundaries.projectDirectory.appendingPathComponent("SeedData/regions-national.csv"), encoding: .utf8)
        var checked = 0, wrong: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8, f[2] == "district", let lat = Double(f[6]), let lon = Double(f[7]) else { continue }
            checked += 1
            let got = try at(lat, lon)
            if got.district?.code != f[0] { wrong.append("\(f[0]) \(f[1]) → \(got.district?.code ?? "nil")") }
            if got.city?.code != f[3] { wrong.append("\(f[0]) \(f[1]) city \(f[3]) → \(got.city?.code ?? "nil")") }
        }
        #expect(checked == 2_875)
        // Catalogued districts' centres come from the coarse outline: within 850 m of a border the precise one may differ.
        #expect(wrong.count <= 3, "\(wrong)")
    }

    /// Load time, memory and lookup time, printed (debug build figures; the assertions only catch gross regressions).
    @Test func figures() throws {
        let (locator, loadTime) = try SeedBoundaries.loaded.get()
        var rng = SystemRandomNumberGenerator()
        let points = (0..<20_000).map { _ in GeoPoint(lat: Double.random(in: 18...53, using: &rng), lon: Double.random(in: 74...134, using: &rng)) }
        let wuhan = (0..<20_000).map { _ in GeoPoint(lat: Double.random(in: 30.4...30.75, using: &rng), lon: Double.random(in: 114.1...114.5, using: &rng)) }
        var found = 0
        let t0 = ContinuousClock.now
        for p in points where locator.locate(p).district != nil { found += 1 }
        let t1 = ContinuousClock.now
        for p in wuhan where locator.locate(p).district != nil { found += 1 }
        let t2 = ContinuousClock.now
        func us(_ d: Duration) -> Double { Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6 }
        let s = locator.stats
        // Resident memory a second locator adds (the first is shared by the suite; decoding garbage is freed by then).
        func rssKiB() -> Int {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        let before = rssKiB()
        let second = try RegionLocator.load(boundaries: SeedBoundaries.projectDirectory.appendingPathComponent("SeedData/boundaries"), catalogue: [])
        print("region locator: a second instance adds \((rssKiB() - before) / 1024) MiB resident (\(second.stats.districts) districts)")
        print("region locator: load \(us(loadTime) / 1000) ms, \(s.positions) positions, index \(s.bytes / 1024) KiB; lookup (China box) \(us(t1 - t0) / 20_000) µs, (Wuhan) \(us(t2 - t1) / 20_000) µs; found \(found)")
        #expect(us(t1 - t0) / 20_000 < 1_000)
    }
}
