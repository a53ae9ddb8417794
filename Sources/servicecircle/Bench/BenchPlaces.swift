import ArgumentParser
import Foundation
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleSeed

extension Bench {
    /// Place lookups per second over the seed catalogue plus a generated national one (no database: the index is
    /// what /v1/places and /v1/nearest?place= search): `swift run -c release servicecircle bench places`.
    struct PlacesBench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "places",
            abstract: "Place index build time and lookups per second (regions + seed outlets + a generated national catalogue).")
        @Option(help: "Generated national outlets added to the seed catalogue.") var national = 100_000
        @Option(help: "Lookups per run.") var iterations = 20_000
        @Option(help: "Runs; the median is reported.") var runs = 3
        @Option(help: "Project folder holding SeedData/.") var projectDir: String?

        /// What agents type: regions, streets with and without their district, outlets by name, fillers, misses.
        static let queries = ["黄陂区前川街道", "我在黄陂区前川街道附近", "前川", "南湖考场", "武汉市", "江夏", "洪山区关山街道", "阳谷县李台镇",
                              "后湖", "雄楚大道230号", "石家庄桥西区", "贵阳", "光谷", "白沙洲考场", "哈尔滨", "广平县城关"]

        func run() throws {
            let project = URL(fileURLWithPath: projectDir ?? FileManager.default.currentDirectoryPath)
            let regions = try Region.parseCSV(String(contentsOf: project.appendingPathComponent("SeedData/regions.csv"), encoding: .utf8))
            let tables = try SeedTables(seedDirectory: project.appendingPathComponent("SeedData"))
            var records = SeedGenerator.articleCatalogue(regions: regions, tables: tables)
            SeedGenerator.national(count: national, tables: tables) { records.append($0) }
            let outlets = records.enumerated().map { i, r in
                NamedPoint.outlet(id: Int64(i + 1), name: r.name, address: r.address, province: r.province, city: r.city,
                                  district: r.district, districtCode: r.districtCode, location: GeoPoint(lat: r.lat, lon: r.lon))
            }
            let t0 = ContinuousClock.now
            let index = PlaceIndex(NamedPoint.regions(regions) + outlets + NamedPoint.streets(fromOutlets: outlets))
            let build = ContinuousClock.now - t0
            var rates: [Double] = []
            var sink = 0
            for _ in 0..<runs {
                let t = ContinuousClock.now
                for i in 0..<iterations {
                    sink &+= index.search(Self.queries[i % Self.queries.count], limit: 10).matches.count
                }
                let d = ContinuousClock.now - t
                rates.append(Double(iterations) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            }
            rates.sort()
            let buildMs = Double(build.components.seconds) * 1000 + Double(build.components.attoseconds) / 1e15
            print(String(format: "places: %d points (%d outlets), index built in %.0f ms; median %.0f lookups/s over %d runs of %d (min %.0f, max %.0f) [sink %d]",
                         index.points.count, outlets.count, buildMs, rates[rates.count / 2], runs, iterations, rates.first!, rates.last!, sink & 1))
        }
    }
}
