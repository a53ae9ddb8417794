import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceCircleAPI
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore

/// Runs `body` with the application's dependencies on the configured database, migrated and seeded (idempotent:
/// files already loaded are skipped), for the planners' commands.
func withPlannerDependencies<R: Sendable>(_ db: DatabaseOptions, seed: Bool,
                                         _ body: @Sendable (AppDependencies) async throws -> R) async throws -> R {
    let seedDir = try db.seedDirectory
    return try await db.withMigratedDatabase { d in
        if seed { _ = try await SeedLoader(client: d.client, logger: d.logger).load(from: seedDir) }
        return try await body(AppDependencies.postgres(client: d.client, migrations: d.migrations, logger: d.logger))
    }
}

/// Prints a domain error as the API's problem would read, and exits with status 2.
func exitWithProblem(_ error: any Error) -> Never {
    if let d = error as? DomainError, case .invalid(let params) = d {
        for p in params { FileHandle.standardError.write(Data("error: \(p.name): \(p.reason)\n".utf8)) }
    } else {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    }
    exit(2)
}

/// `servicecircle coverage`: the answers of /v1/coverage, /v1/coverage.geojson and /v1/coverage.svg for scripts.
struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Population coverage of outlets open for a business in a time window; uncovered cells; suggested sites.",
        discussion: """
            Same parameters and answers as GET /v1/coverage (json), /v1/coverage.geojson and /v1/coverage.svg.
            Example: servicecircle coverage --region 420116 --business ebike_registration --during saturday --k 3 --format svg --out huangpi.svg
            """)

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Region code (GB/T 2260); a city includes its districts.") var region: String?
    @Option(help: "min_lon,min_lat,max_lon,max_lat (WGS-84) instead of --region; at most 2.5° each way.") var bbox: String?
    @Option(help: "Business code(s), comma-separated; an outlet must offer and be open for all.") var business: String
    @Option(name: .customLong("radius-m"), help: "Service radius in metres (default 5000).") var radiusM: String?
    @Option(help: "weekday_daytime, weekday_evening, weekday_lunch, saturday, sunday or holiday.") var during: String?
    @Option(help: "Reference date YYYY-MM-DD for --during (default: the next date of its kind).") var date: String?
    @Option(help: "An RFC 3339 instant instead of --during.") var at: String?
    @Option(name: .customLong("min-open-minutes"), help: "Minutes an outlet must stay open in the window to count (default 30).") var minOpenMinutes: String?
    @Option(name: .customLong("cell-m"), help: "Hexagon edge in metres for the uncovered cells (default 1000).") var cellM: String?
    @Option(help: "Suggested new sites (default 0; 3 with --suggestions-only).") var k: String?
    @Option(help: "Where suggested sites may go: demand (default), grid:<metres> or kind:<outlet kind>.") var candidates: String?
    @Option(help: "Candidate ids to rule out, comma-separated (demand point codes, grid:… or outlet:… ids).") var exclude: String?
    @Option(help: "With --format geojson: only one layer, cells, sites, outlets or boundary.") var layer: String?
    @Flag(help: "Only the totals and the suggested sites (as /v1/coverage/suggestions).") var suggestionsOnly = false
    @Option(help: "json, geojson or svg.") var format: String = "json"
    @Option(help: "Output file (default: standard output).") var out: String?
    @Flag(help: "Do not load SeedData first.") var noSeed = false

    func run() async throws {
        guard let fmt = CoverageOutput.Format(rawValue: format) else {
            throw ValidationError("--format must be one of \(CoverageOutput.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var values: [String: [String]] = ["business": [business]]
        let options: [(String, String?)] = [("region", region), ("bbox", bbox), ("radius_m", radiusM), ("during", during), ("date", date),
                                            ("at", at), ("min_open_minutes", minOpenMinutes), ("cell_m", cellM), ("k", k),
                                            ("candidates", candidates), ("exclude", exclude), ("layer", layer)]
        for case let (name, value?) in options { values[name] = [value] }
        let frozen = values
        let suggestionsOnly = suggestionsOnly
        if layer != nil && fmt != .geojson { throw ValidationError("--layer applies to --format geojson only") }
        let bytes: [UInt8]
        do {
            bytes = try await withPlannerDependencies(db, seed: !noSeed) { deps in
                let service = CoverageService(deps: deps)
                let request = try await service.parse(frozen, defaultK: suggestionsOnly ? 3 : 0,
                                                      allowed: fmt == .geojson ? CoverageService.geojsonParameterNames : CoverageService.parameterNames)
                return CoverageOutput.render(try await service.run(request), as: fmt, suggestionsOnly: suggestionsOnly, layer: request.layer)
            }
        } catch let e as DomainError { exitWithProblem(e) }
        if let out {
            try Data(bytes).write(to: URL(fileURLWithPath: out))
            FileHandle.standardError.write(Data("wrote \(bytes.count) bytes to \(out)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

/// `servicecircle regions`: list regions; upload or reset a boundary.
struct RegionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regions", abstract: "List regions; upload a boundary (GeoJSON) or go back to the seed's (reference polygon or approximation).",
        subcommands: [List.self, Boundary.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Code, name, population and boundary source of every region (TSV).")
        @OptionGroup var db: DatabaseOptions
        func run() async throws {
            let lines = try await withPlannerDependencies(db, seed: true) { deps in
                try await deps.regions.regions().map { r in
                    [r.region.code, r.region.name, r.region.parentCode ?? "", r.region.population.map(String.init) ?? "",
                     r.region.populationEstimated ? "estimated" : "census", r.region.boundarySource ?? "none",
                     String(r.demandPoints), String(r.demandPopulation)].joined(separator: "\t")
                }
            }
            print("code\tname\tparent\tpopulation\tpopulation_kind\tboundary\tdemand_points\tdemand_population")
            for l in lines { print(l) }
        }
    }

    struct Boundary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a region's boundary with a GeoJSON file (Polygon, MultiPolygon, Feature or FeatureCollection; WGS-84), or --reset it.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "Region code.") var code: String
        @Option(help: "GeoJSON file to upload.") var file: String?
        @Flag(help: "Drop the uploaded boundary: the reference polygon (or the approximation) applies again.") var reset = false

        func run() async throws {
            guard (file != nil) != reset else { throw ValidationError("give --file or --reset") }
            var polygons: MultiPolygon?
            if let file {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                do { polygons = try GeoJSONBoundary.parse(try JSONDecoder().decode(JSONValue.self, from: data)) } catch let e as DomainError {
                    exitWithProblem(e)
                }
            }
            let code = code, frozen = polygons
            do {
                let r = try await withPlannerDependencies(db, seed: true) { deps in
                    let store = deps.regions
                    if let frozen { return try await store.upload(boundary: frozen, for: code) }
                    return try await store.clearUpload(for: code)
                }
                print("\(r.region.code) \(r.region.name): boundary \(r.region.boundarySource ?? "none"), \(r.boundaryAreaKm2.map { String(format: "%.1f km²", $0) } ?? "-"), demand \(r.demandPoints) points, \(r.demandPopulation) residents")
            } catch let e as DomainError { exitWithProblem(e) }
        }
    }
}
