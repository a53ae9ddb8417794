import Foundation
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleSeed

/// Writes `SeedData/demand/`: the demand points of every district and, for readers, the populations they sum to
/// (census row, estimated development-zone residents, total). The census table and zone shares beside them are inputs.
enum DemandFiles {
    static func write(project: URL, tables: SeedTables) throws {
        let regionsText = try String(contentsOf: project.appendingPathComponent("SeedData/regions.csv"), encoding: .utf8)
        let regions = try Region.parseCSV(regionsText)
        let points = SeedGenerator.demand(regions: regions, tables: tables)
        let names = Dictionary(regions.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let dir = project.appendingPathComponent("SeedData/demand")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pointsWriter = try LineWriter(path: dir.appendingPathComponent("demand-points.csv").path)
        pointsWriter.write(DemandPoint.csvHeader)
        for p in points { pointsWriter.write(p.csvLine(districtName: names[p.regionCode] ?? "")) }
        pointsWriter.close()
        let popWriter = try LineWriter(path: dir.appendingPathComponent("district-populations.csv").path)
        popWriter.write("code,name,population,census_2020,zone_estimate,estimated,points,communities,villages,method")
        let byRegion = Dictionary(grouping: points, by: \.regionCode)
        for d in DistrictPopulation.all(regions: regions, census: tables.census) {
            let ps = byRegion[d.code] ?? []
            let census: String = d.census.map { String($0) } ?? ""
            let communities = ps.filter { $0.kind == .community }.count
            let fields: [String] = [d.code, d.name, String(d.population), census, String(d.zoneResidents), d.estimated ? "true" : "false",
                                    String(ps.count), String(communities), String(ps.count - communities), d.method]
            popWriter.write(fields.map(CSV.escape).joined(separator: ","))
        }
        popWriter.close()
        FileHandle.standardError.write(Data("wrote \(points.count) demand points (\(points.reduce(0) { $0 + $1.population }) residents) to \(dir.path)\n".utf8))
    }
}
