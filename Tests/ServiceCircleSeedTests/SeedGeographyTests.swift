import Foundation
import Testing
@testable import ServiceCircleDomain
@testable import ServiceCircleSeed

/// The committed seed data against the real polygons (`SeedData/boundaries/regions.geojson`) and the 2020 census
/// (`SeedData/demand/census-2020.csv`, `zone-shares.csv`): issue 13's "seed truth" and "census".
@Suite("Seed data on the real map")
struct SeedGeographyTests {
    static let boundaries: SeedBoundaries = {
        do { return try SeedBoundaries(seedDirectory: seedDataDirectory) } catch { fatalError("\(error)") }
    }()

    /// How far outside its district a point lies, in metres (for the failure message).
    static func metresOutside(_ code: String, _ lat: Double, _ lon: Double) -> String {
        boundaries.distance(to: code, lat: lat, lon: lon, within: 60_000).map { String(format: "%.0f m", $0) } ?? "more than 60 km"
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: seedDataDirectory.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func everySeedOutletLiesInsideThePolygonOfItsDistrict() throws {
        var count = 0
        for line in try Self.text("outlets/articles.jsonl").split(whereSeparator: \.isNewline) {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let code = o["code"] as? String ?? "?", name = o["name"] as? String ?? "?"
            let district = try #require(o["district_code"] as? String, "\(code) has no district_code")
            let lat = try #require(o["lat"] as? Double), lon = try #require(o["lon"] as? Double)
            try #require(Self.boundaries.has(district), "\(code) \(name): district_code \(district) has no polygon in regions.geojson")
            guard Self.boundaries.contains(district, lat: lat, lon: lon) else {
                let inside = Self.boundaries.district(containing: lat, lon).map { " (it lies in \($0))" } ?? ""
                Issue.record("outlet \(code) \(name) at \(lat), \(lon) lies \(Self.metresOutside(district, lat, lon)) outside district \(district)\(inside)")
                return
            }
            count += 1
        }
        #expect(count > 1_500)
    }

    @Test func everyAnchorLiesInsideItsDistrictByTheMargin() {
        for a in seedTables.anchors {
            #expect(Self.boundaries.isWellInside(a.districtCode, lat: a.lat, lon: a.lon, margin: SeedBoundaries.marginMetres),
                    "anchor \(a.place) (\(a.districtCode)) at \(a.lat), \(a.lon) is not \(SeedBoundaries.marginMetres) m inside its district")
        }
    }

    @Test func everyLandmarkLiesInsideItsDistrict() throws {
        let lines = try Self.text("gazetteer/landmarks.csv").split(whereSeparator: \.isNewline).map { CSV.splitLine(String($0)) }
        let header = try #require(lines.first)
        let col = { (name: String) throws -> Int in try #require(header.firstIndex(of: name), "landmarks.csv has no column \(name)") }
        let (n, d, la, lo) = (try col("name"), try col("district_code"), try col("lat_wgs84"), try col("lon_wgs84"))
        var outside: [String] = []
        for f in lines.dropFirst() {
            let lat = try #require(Double(f[la])), lon = try #require(Double(f[lo]))
            guard Self.boundaries.has(f[d]) else { outside.append("\(f[n]) (\(f[d]): no polygon)"); continue }
            if !Self.boundaries.contains(f[d], lat: lat, lon: lon) {
                outside.append("\(f[n]) (\(f[d]), \(Self.metresOutside(f[d], lat, lon)) outside)")
            }
        }
        #expect(outside.isEmpty, "\(outside.count) landmarks outside their district: \(outside.joined(separator: "; "))")
    }

    @Test func everyDemandPointLiesInsideItsDistrict() throws {
        let points = try DemandPoint.parseCSV(try Self.text("demand/demand-points.csv"))
        #expect(points.count > 5_000)
        for p in points where !Self.boundaries.contains(p.regionCode, lat: p.location.lat, lon: p.location.lon) {
            Issue.record("demand point \(p.code) \(p.name) lies \(Self.metresOutside(p.regionCode, p.location.lat, p.location.lon)) outside \(p.regionCode)")
            return
        }
    }

    @Test func everyDistrictsDemandIsItsCensusRowPlusItsZoneShares() throws {
        let census = try #require(try SeedTables.readCensus(seedDirectory: seedDataDirectory))
        let regions = try Region.parseCSV(try Self.text("regions.csv"))
        let points = try DemandPoint.parseCSV(try Self.text("demand/demand-points.csv"))
        let sums = Dictionary(grouping: points, by: \.regionCode).mapValues { $0.reduce(0) { $0 + $1.population } }
        let estimatedSums = Dictionary(grouping: points.filter(\.estimated), by: \.regionCode).mapValues { $0.reduce(0) { $0 + $1.population } }
        for r in regions where !r.isCity {
            let row = try #require(census.rows[r.code], "\(r.code) \(r.name) has no census row")
            let shares = census.shares(of: r.code).reduce(0) { $0 + $1.residents }
            #expect(sums[r.code] == row.population + shares,
                    "\(r.code) \(r.name): demand \(sums[r.code] ?? 0), census row \(row.population) + zone shares \(shares)")
            #expect((estimatedSums[r.code] ?? 0) == shares, "\(r.code) \(r.name): exactly the zone shares are marked estimated")
        }
        // The shares of each zone add up to its census figure (without a sub-row counted on its own).
        let zones = Dictionary(grouping: census.shares, by: \.zone).mapValues { $0.reduce(0) { $0 + $1.residents } }
        #expect(zones["东湖高新区"] == census.zones["东湖高新区"]?.population)
        #expect(zones["东湖风景区"] == census.zones["东湖风景区"]?.population)
        #expect(zones["武汉经开区"] == (census.zones["武汉经开区"]?.population ?? 0) - census.rows["420113"]!.population, "汉南区 is a sub-row")
        #expect(zones["石家庄高新区"] == 304_675 && zones["循环化工园区"] == 56_147, "the figures of the census notes")
        // Wuhan: every district is covered, so the districts sum to the communiqué's city total.
        let wuhan = regions.filter { $0.parentCode == "420100" }.reduce(0) { $0 + (sums[$1.code] ?? 0) }
        #expect(wuhan == census.rows["420100"]?.population)
        // The populations file says the same.
        let populations = try Self.text("demand/district-populations.csv").split(whereSeparator: \.isNewline).dropFirst().map { CSV.splitLine(String($0)) }
        for f in populations { #expect(Int(f[2]) == sums[f[0]], "district-populations.csv \(f[0])") }
    }

    /// Issue 13 part 1: the seed districts' simplified polygons form a coverage — shared borders identical
    /// (each border segment belongs to at most two districts, the same segment in both), no district's own vertex
    /// inside another district (overlap), and no unshared border segment within a metre of another district (a gap
    /// or sliver between neighbours).
    @Test func neighbouringPolygonsShareIdenticalBordersWithoutGapOrOverlap() {
        struct Key: Hashable { var a: GeoPoint; var b: GeoPoint }
        func key(_ p: GeoPoint, _ q: GeoPoint) -> Key { (p.lat, p.lon) < (q.lat, q.lon) ? Key(a: p, b: q) : Key(a: q, b: p) }
        let b = Self.boundaries
        var owners: [Key: [String]] = [:]
        var vertexOwners: [GeoPoint: Set<String>] = [:]
        for code in b.districtCodes {
            for polygon in b.polygons[code]! {
                for ring in polygon {
                    for i in 1..<ring.count {
                        owners[key(ring[i - 1], ring[i]), default: []].append(code)
                        vertexOwners[ring[i], default: []].insert(code)
                    }
                }
            }
        }
        var shared = 0
        for (_, o) in owners where o.count > 1 {
            #expect(o.count == 2 && o[0] != o[1], "a border segment held by \(o)")
            shared += 1
        }
        #expect(shared > 1_000, "neighbours share their borders")
        var overlaps: [String] = [], gaps: [String] = []
        for (v, o) in vertexOwners where o.count == 1 {
            let code = o.first!
            if let other = b.district(containing: v.lat, v.lon), other != code { overlaps.append("\(code) vertex \(v.lat),\(v.lon) inside \(other)") }
        }
        for (k, o) in owners where o.count == 1 {
            let mid = GeoPoint(lat: (k.a.lat + k.b.lat) / 2, lon: (k.a.lon + k.b.lon) / 2)
            let f = b.featureOf[o[0]]!
            if let near = b.index.nearestFeature(to: mid, within: 1, where: { $0 != f }) {
                gaps.append("\(o[0]) border at \(mid.lat),\(mid.lon) is \(String(format: "%.2f", near.metres)) m from \(b.codes[near.feature]) but not shared")
            }
        }
        #expect(overlaps.isEmpty, "\(overlaps.count) overlaps: \(overlaps.prefix(5))")
        #expect(gaps.isEmpty, "\(gaps.count) gaps: \(gaps.prefix(5))")
    }
}
