import Foundation
import Testing
@testable import ServiceCircleDomain
@testable import ServiceCircleSeed

private let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Generated once per process (a pure function of regions.csv).
private let generated: Result<(regions: [Region], points: [DemandPoint]), Error> = Result {
    let regions = try Region.parseCSV(String(contentsOf: project.appendingPathComponent("SeedData/regions.csv"), encoding: .utf8))
    return (regions, SeedGenerator.demand(regions: regions, tables: seedTables))
}

@Suite("Seed generator: residential demand")
struct DemandGeneratorTests {
    @Test func theCommittedFileIsTheGeneratorsOutput() throws {
        let (_, points) = try generated.get()
        let text = try String(contentsOf: project.appendingPathComponent("SeedData/demand/demand-points.csv"), encoding: .utf8)
        let committed = try DemandPoint.parseCSV(text)
        #expect(committed == points, "run `servicecircle generate-seed` and commit SeedData/demand/")
    }

    @Test func eachDistrictSumsToItsPopulationAndCityRowsGetNone() throws {
        let (regions, points) = try generated.get()
        let sums = Dictionary(grouping: points, by: \.regionCode).mapValues { $0.reduce(0) { $0 + $1.population } }
        let census = try #require(seedTables.census)
        for d in DistrictPopulation.all(regions: regions, census: census) {
            #expect(sums[d.code] == d.population, "\(d.code) \(d.name)")
            // Every district has a census row; the zone shares are the estimated part, on points of their own.
            let row = try #require(census.rows[d.code]?.population, "\(d.code)")
            #expect(d.census == row && d.population == row + d.zoneResidents && d.estimated == !d.zoneShares.isEmpty)
            let estimated = points.filter { $0.regionCode == d.code && $0.estimated }.reduce(0) { $0 + $1.population }
            #expect(estimated == d.zoneResidents, "\(d.code)")
        }
        // 洪山区: its census row excludes the East Lake zones, which lie inside its legal boundary.
        #expect(sums["420111"] == 1_728_811 + 654_602 + 111_723)
        #expect(!points.contains { $0.regionCode.hasSuffix("00") })
        // Wuhan's 13 districts hold their census communiqué's figures.
        #expect(sums["420116"] == 1_151_644)
        #expect(points.allSatisfy { $0.population > 0 })
    }

    @Test func withoutACensusRowEstimatesFollowThePrefectureDensity() throws {
        let (regions, _) = try generated.get()
        // Without the census table (regions.csv alone): regions.csv's figure, else area × density.
        let pops = Dictionary(uniqueKeysWithValues: DistrictPopulation.all(regions: regions).map { ($0.code, $0) })
        // 桥西区 (67.3 km²) × 石家庄市 11,235,086 / 14,070.7 km².
        #expect(pops["130104"]?.population == Int((67.3 * 11_235_086 / 14_070.7).rounded()))
        #expect(pops["130104"]?.method.contains("石家庄市") == true)
        #expect(pops["522301"]?.method.contains("pooled") == true, "兴义市's prefecture is not in the file")
    }

    @Test func pointsLieInsideTheirDistrictsPolygonByTheMargin() throws {
        let (_, points) = try generated.get()
        let b = try #require(seedTables.boundaries)
        for p in points {
            #expect(b.isWellInside(p.regionCode, lat: p.location.lat, lon: p.location.lon, margin: SeedBoundaries.marginMetres - 2),
                    "\(p.code) is not inside its district by the margin")
        }
    }

    @Test func withoutBoundariesPointsLieInTheirDistrictsTerritoryAndNeverInAnothers() throws {
        var tables = seedTables
        tables.boundaries = nil
        let regions = try Region.parseCSV(String(contentsOf: project.appendingPathComponent("SeedData/regions.csv"), encoding: .utf8))
            .filter { ["130100", "130102", "130104", "130105", "130108"].contains($0.code) }
        let points = SeedGenerator.demand(regions: regions, tables: tables)
        #expect(!points.isEmpty)
        let byCode = Dictionary(uniqueKeysWithValues: regions.map { ($0.code, $0) })
        var sites: [(code: String, lat: Double, lon: Double)] = []
        for d in regions where !d.isCity {
            for a in seedTables.anchors(in: d.code) { sites.append((d.code, a.lat, a.lon)) }
            sites.append((d.code, d.insidePoint.lat, d.insidePoint.lon))
        }
        for p in points {
            let r = try #require(byCode[p.regionCode])
            #expect(r.bbox.contains(p.location), "\(p.code) outside its bbox")
            let c = cos(p.location.lat * .pi / 180)
            let owner = sites.min { a, b in
                let da = pow(a.lat - p.location.lat, 2) + pow((a.lon - p.location.lon) * c, 2)
                let db = pow(b.lat - p.location.lat, 2) + pow((b.lon - p.location.lon) * c, 2)
                return da < db
            }!.code
            #expect(owner == p.regionCode, "\(p.code) is nearer another district's site")
        }
    }

    @Test func denserInUrbanCoresAndNamedForThePlaceLookup() throws {
        let (_, points) = try generated.get()
        let huangpi = points.filter { $0.regionCode == "420116" }
        let qianchuan = seedTables.anchors(in: "420116").first { $0.place == "前川" }!
        func density(within km: Double) -> Double {
            let pop = huangpi.filter { SeedGenerator.distanceKm($0.location.lat, $0.location.lon, qianchuan.lat, qianchuan.lon) <= km }
                .reduce(0) { $0 + $1.population }
            return Double(pop) / (Double.pi * km * km)
        }
        #expect(density(within: 2) > 10 * 1_151_644 / 2256.7, "the district seat is much denser than the district")
        #expect(huangpi.contains { $0.street == "前川街道" && $0.kind == .community && $0.name.hasPrefix("前川") })
        #expect(huangpi.contains { $0.kind == .village && $0.name.hasSuffix("村") })
        // Names are unique within a district; codes everywhere.
        for (_, ps) in Dictionary(grouping: points, by: \.regionCode) { #expect(Set(ps.map(\.name)).count == ps.count) }
        #expect(Set(points.map(\.code)).count == points.count)
        #expect(Set(points.map { "\($0.location.lat),\($0.location.lon)" }).count == points.count, "no two points share a position")
    }

    @Test func csvRoundTripsAndNamesErrors() throws {
        let (_, points) = try generated.get()
        let text = ([DemandPoint.csvHeader] + points.prefix(50).map { $0.csvLine(districtName: "x") }).joined(separator: "\n")
        #expect(try DemandPoint.parseCSV(text) == Array(points.prefix(50)))
        #expect(throws: DomainError.self) {
            try DemandPoint.parseCSV(DemandPoint.csvHeader + "\n420116-0001,420116,黄陂区,前川街道,x,community,30.8,114.3,0,false")
        }
    }
}
