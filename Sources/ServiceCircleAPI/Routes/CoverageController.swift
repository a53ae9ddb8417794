import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Planners' coverage (README "Coverage"): who lives within `radius_m` of an outlet open for the business in a time
/// window, where the uncovered residents are, and where k new sites would help most.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/coverage` | JSON: totals, per-region breakdown, outlets that counted, uncovered cells (GeoJSON), `k` suggestions |
/// | `GET /v1/coverage/suggestions` | JSON: totals and the suggested sites (`k` default 3) |
/// | `GET /v1/coverage.geojson` | one GeoJSON FeatureCollection (cells, outlets, suggestions) for GIS tools |
/// | `GET /v1/coverage.svg` | a self-contained SVG map |
struct CoverageController: Sendable {
    let deps: AppDependencies
    let service: CoverageService

    init(deps: AppDependencies) {
        self.deps = deps
        service = CoverageService(deps: deps)
    }

    /// The coverage routes and the regions they are about (``RegionsController``).
    func register(on router: Router<AppContext>) {
        RegionsController(deps: deps).register(on: router)
        router.get("/v1/coverage", use: coverage)
        router.get("/v1/coverage/suggestions", use: suggestions)
        router.get("/v1/coverage.geojson", use: geojson)
        router.get("/v1/coverage.svg", use: svg)
    }

    @Sendable func coverage(_ request: Request, context: AppContext) async throws -> Response {
        try await answer(request, format: .json, defaultK: 0)
    }

    @Sendable func suggestions(_ request: Request, context: AppContext) async throws -> Response {
        try await answer(request, format: .json, defaultK: 3, suggestionsOnly: true)
    }

    @Sendable func geojson(_ request: Request, context: AppContext) async throws -> Response {
        try await answer(request, format: .geojson, defaultK: 0)
    }

    @Sendable func svg(_ request: Request, context: AppContext) async throws -> Response {
        try await answer(request, format: .svg, defaultK: 0)
    }

    /// The server-side time of the whole answer (parse, read, analyse, render), for BENCHMARKS.md.
    static let timingHeader = HTTPFields.Element.Name("Server-Timing")!

    func answer(_ request: Request, format: CoverageOutput.Format, defaultK: Int, suggestionsOnly: Bool = false) async throws -> Response {
        let started = ContinuousClock.now
        // The same query reader as every other route (its text rules, `+` as a space), not Hummingbird's.
        let allowed = format == .geojson ? CoverageService.geojsonParameterNames : CoverageService.parameterNames
        let parsed = try await service.parse(QueryParameters(request, allowed: allowed), defaultK: defaultK)
        let t1 = ContinuousClock.now
        let input = try await service.load(parsed)
        let t2 = ContinuousClock.now
        let report = CoverageAnalysis.run(area: input.area, demand: input.demand, outlets: input.outlets, parameters: parsed.parameters, sites: input.sites)
        let t3 = ContinuousClock.now
        let body = CoverageOutput.render(report, as: format, suggestionsOnly: suggestionsOnly, layer: parsed.layer)
        let t4 = ContinuousClock.now
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
        var headers = HTTPFields()
        headers[.contentType] = CoverageOutput.contentType(format)
        // The whole answer first (the benchmark reads it), then its parts: parse, database reads, maths, body.
        headers[Self.timingHeader] = String(format: "coverage;dur=%.1f, parse;dur=%.1f, read;dur=%.1f, analyse;dur=%.1f, render;dur=%.1f",
                                            ms(t4 - started), ms(t1 - started), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
