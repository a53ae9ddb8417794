import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain

extension SeedLoader {
    /// The demand files: `SeedData/demand/*points.csv` (the populations file beside them is for readers).
    static func demandFiles(in seedDirectory: URL) -> [URL] {
        let dir = seedDirectory.appendingPathComponent("demand")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix("points.csv") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// Loads `regions.csv`, the demand points (with the census table and zone shares their regions' populations
    /// come from, `demand/census-2020.csv` and `demand/zone-shares.csv`) and the regions' land polygons
    /// (`boundaries/regions.geojson` into `regions.geom`) when any changed since the last load (checksums in
    /// `seed_loads`), in one transaction: regions upserted (uploaded boundaries kept), demand replaced, approximate
    /// boundaries, reference polygons and the
    /// demand's assignment to regions regenerated. Demand is reference data owned by the seed, so a changed file is
    /// re-applied (unlike outlets, which belong to their editors once loaded).
    func loadRegionsAndDemand(from seedDirectory: URL, report: inout Report) async throws {
        let regionsURL = seedDirectory.appendingPathComponent("regions.csv")
        guard FileManager.default.fileExists(atPath: regionsURL.path) else { return }
        let regionsText = try String(contentsOf: regionsURL, encoding: .utf8)
        // The census table and zone shares the demand sums to (inputs of the generator, beside its output).
        let censusTexts = try ["demand/census-2020.csv", "demand/zone-shares.csv"].map { seedDirectory.appendingPathComponent($0) }
            .map { FileManager.default.fileExists(atPath: $0.path) ? try String(contentsOf: $0, encoding: .utf8) : nil }
        let demandTexts = try Self.demandFiles(in: seedDirectory).map { try String(contentsOf: $0, encoding: .utf8) }
        let regionsSum = Migrator.checksum(regionsText)
        let demandSum = Migrator.checksum((demandTexts + censusTexts.compactMap { $0 }).joined(separator: "\n"))
        let geoURL = seedDirectory.appendingPathComponent(Self.referenceBoundaries)
        let geoText = FileManager.default.fileExists(atPath: geoURL.path) ? try String(contentsOf: geoURL, encoding: .utf8) : nil
        let geoSum = geoText.map(Migrator.checksum)
        let regionsRecorded = try await recorded("regions.csv"), demandRecorded = try await recorded("demand")
        let tablesFresh = regionsRecorded == regionsSum && demandRecorded == demandSum
        let geoRecorded = geoSum == nil ? nil : try await recorded(Self.referenceBoundaries)
        let geoFresh = geoSum == nil || geoRecorded == geoSum
        if tablesFresh && geoFresh {
            report.skipped.append("regions.csv")
            report.skipped.append("demand")
            if geoSum != nil { report.skipped.append(Self.referenceBoundaries) }
            return
        }
        let outlines: [(code: String, geometry: String)]
        do {
            outlines = try geoText.map(Self.parseReferenceBoundaries) ?? []
        } catch {
            throw SeedError(description: "\(Self.referenceBoundaries): \(error)")
        }
        let regions: [Region]
        var points: [DemandPoint] = []
        var census: Census2020?
        do {
            regions = try Region.parseCSV(regionsText)
            for t in demandTexts { points += try DemandPoint.parseCSV(t) }
            if let censusText = censusTexts[0] {
                census = try Census2020.parse(census: censusText, shares: censusTexts[1] ?? Census2020.sharesHeader)
            }
        } catch {
            throw SeedError(description: "regions/demand seed: \(error)")
        }
        let known = Set(regions.map(\.code))
        if let stray = points.first(where: { !known.contains($0.regionCode) }) {
            throw SeedError(description: "demand point \(stray.code): region \(stray.regionCode) is not in regions.csv")
        }
        let count = points.count
        try await client.withTransaction(logger: logger) { conn in
            try await RegionStore.upsertRegions(regions, census: census, on: conn, logger: logger)
            if !tablesFresh { try await RegionStore.replaceDemand(points, on: conn, logger: logger) }
            if let geoSum {
                let n = try await RegionStore.setReferenceGeometry(outlines, on: conn, logger: logger)
                try await RegionStore.refreshDerived(on: conn, logger: logger)
                try await self.record(Self.referenceBoundaries, geoSum, n, on: conn)
            }
            try await self.record("regions.csv", regionsSum, regions.count, on: conn)
            try await self.record("demand", demandSum, count, on: conn)
        }
        logger.info("loaded regions, demand and outlines", metadata: ["regions": "\(regions.count)", "demand_points": "\(count)", "outlines": "\(outlines.count)"])
        if !tablesFresh { report.demandPointsLoaded = count }
    }

    /// The real land polygons of the seeded regions (`SeedData/boundaries/README.md`).
    static let referenceBoundaries = "boundaries/regions.geojson"

    /// (adcode, geometry as GeoJSON text) of each feature of a FeatureCollection of Polygons/MultiPolygons.
    static func parseReferenceBoundaries(_ text: String) throws -> [(code: String, geometry: String)] {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let features = root["features"] as? [[String: Any]] else {
            throw SeedError(description: "not a GeoJSON FeatureCollection")
        }
        return try features.enumerated().map { i, f in
            guard let code = (f["properties"] as? [String: Any])?["adcode"] as? String,
                  let g = f["geometry"] as? [String: Any], let type = g["type"] as? String, type == "Polygon" || type == "MultiPolygon" else {
                throw SeedError(description: "feature \(i): needs properties.adcode and a Polygon or MultiPolygon geometry")
            }
            let data = try JSONSerialization.data(withJSONObject: g)
            return (code, String(decoding: data, as: UTF8.self))
        }
    }
}
