import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Regions and their boundaries. Reads are public; boundary writes need an `editor` key, like catalogue edits.
struct RegionsController: Sendable {
    let store: any RegionRepository
    let locator: RegionLocator
    let auth: WriteSupport

    init(deps: AppDependencies) {
        store = deps.regions
        locator = deps.locator
        auth = WriteSupport(deps: deps)
    }

    func register(on router: Router<AppContext>) {
        router.get("/v1/regions", use: list)
        router.get("/v1/regions/at", use: at)
        router.get("/v1/regions/{code}", use: show)
        router.get("/v1/regions/{code}/boundary", use: boundary)
        registerWrites(on: router.group("/v1/regions"))
    }

    /// Boundary uploads and resets: `Authorization: Bearer KEY` with role editor (401/403 otherwise).
    func registerWrites(on group: RouterGroup<AppContext>) {
        group.put("{code}/boundary", use: upload)
        group.delete("{code}/boundary", use: clear)
    }

    /// Largest boundary body accepted (a detailed county outline is a few megabytes).
    static let maxBodyBytes = 16 << 20

    // MARK: Reads

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        var w = JSONWriter()
        w.beginObject()
        w.key("items")
        w.beginArray()
        for r in try await store.regions() { Self.write(&w, r) }
        w.endArray()
        w.endObject()
        return w.response()
    }

    /// `GET /v1/regions/at?lat=&lon=&coordsys=`: the district, city and province containing the point, and whether the
    /// catalogue covers it. Answered from the boundaries in memory (no database).
    @Sendable func at(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["lat", "lon", "coordsys"])
        let lat = p.required("lat", p.double("lat", in: -90...90))
        let lon = p.required("lon", p.double("lon", in: -180...180))
        let coordsys = p.code("coordsys", CoordinateSystem.self) ?? .wgs84
        try p.check()
        guard let lat, let lon else { throw DomainError.invalid("lat", "is required") }
        let point = Datum.toWGS84(GeoPoint(lat: lat, lon: lon), from: coordsys)
        let (location, coverage) = locator.lookup(point)
        var w = JSONWriter()
        w.beginObject()
        w.key("city"); w.adminRegion(location.city)
        w.key("coverage"); w.coverage(coverage)
        w.key("district"); w.adminRegion(location.district)
        w.key("province"); w.adminRegion(location.province)
        w.key("query")
        w.beginObject()
        w.key("coordsys"); w.string(coordsys.rawValue)
        w.key("lat"); w.double(lat)
        w.key("location"); w.point(PointDTO(point))
        w.key("lon"); w.double(lon)
        w.endObject()
        w.endObject()
        return w.response()
    }

    func code(_ context: AppContext) throws -> String {
        let code = context.parameters.get("code") ?? ""
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError.invalid("code", "'\(code)' is not a six-digit GB/T 2260 code")
        }
        return code
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let code = try code(context)
        guard let r = try await store.region(code: code) else { throw DomainError.notFound("no region \(code)") }
        var w = JSONWriter()
        Self.write(&w, r, boundary: true)
        return w.response()
    }

    /// The effective boundary as a GeoJSON Feature (`application/geo+json`), the region's figures as properties.
    @Sendable func boundary(_ request: Request, context: AppContext) async throws -> Response {
        let code = try code(context)
        guard let r = try await store.region(code: code) else { throw DomainError.notFound("no region \(code)") }
        guard let b = r.region.boundary else { throw DomainError.notFound("region \(code) has no boundary yet (no demand loaded, none uploaded)") }
        var w = JSONWriter()
        w.beginObject()
        w.key("geometry"); Self.multiPolygon(&w, b)
        w.key("id"); w.string(r.region.code)
        w.key("properties")
        w.beginObject()
        w.key("boundary_source"); w.optional(r.region.boundarySource)
        w.key("code"); w.string(r.region.code)
        w.key("name"); w.string(r.region.name)
        w.endObject()
        w.key("type"); w.string("Feature")
        w.endObject()
        var response = w.response()
        response.headers[.contentType] = "application/geo+json; charset=utf-8"
        return response
    }

    // MARK: Writes

    /// `PUT /v1/regions/{code}/boundary` with a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection (WGS-84).
    @Sendable func upload(_ request: Request, context: AppContext) async throws -> Response {
        _ = try await auth.require(.editor, request)
        let code = try code(context)
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: Self.maxBodyBytes) } catch let e as any HTTPResponseError {
            throw Problem(status: e.status, detail: "boundary body larger than \(Self.maxBodyBytes >> 20) MB")
        }
        // The service's JSON reader, within a boundary's limits (depth 64, 1,000,000 values). Foundation's JSONDecoder
        // read it before: it stops at 512 levels, but decoding JSONValue recurses through Codable once per level.
        let json: JSONValue
        do { json = try JSONValue.read(Array(buffer.readableBytesView), limits: .boundary) } catch {
            throw DomainError.invalid("boundary", "the body is not a JSON document the service reads: \(error.detail); "
                                      + "send a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection")
        }
        let polygons = try GeoJSONBoundary.parse(json)
        let r = try await store.upload(boundary: polygons, for: code)
        var w = JSONWriter()
        Self.write(&w, r)
        return w.response()
    }

    /// `DELETE /v1/regions/{code}/boundary`: back to the reference land polygon of the seed (or the approximation).
    @Sendable func clear(_ request: Request, context: AppContext) async throws -> Response {
        _ = try await auth.require(.editor, request)
        let code = try code(context)
        let r = try await store.clearUpload(for: code)
        var w = JSONWriter()
        Self.write(&w, r)
        return w.response()
    }

    // MARK: Bodies

    static func multiPolygon(_ w: inout JSONWriter, _ mp: MultiPolygon) {
        w.beginObject()
        w.key("coordinates")
        w.beginArray()
        // RFC 7946 §3.1.6: exteriors counter-clockwise, holes clockwise, whatever order PostGIS or an upload gave.
        for poly in mp {
            w.beginArray()
            for ring in PolygonRing.rfc7946(poly) { CoverageOutput.ring(&w, ring) }
            w.endArray()
        }
        w.endArray()
        w.key("type"); w.string("MultiPolygon")
        w.endObject()
    }

    static func write(_ w: inout JSONWriter, _ r: StoredRegion, boundary: Bool = false) {
        w.beginObject()
        w.key("area_km2"); w.double(r.areaKm2)
        w.key("bbox"); w.beginArray(); w.double(r.bbox.minLon); w.double(r.bbox.minLat); w.double(r.bbox.maxLon); w.double(r.bbox.maxLat); w.endArray()
        if boundary {
            w.key("boundary")
            if let b = r.region.boundary { multiPolygon(&w, b) } else { w.null() }
        }
        w.key("boundary_area_km2")
        if let a = r.boundaryAreaKm2 { w.double((a * 10).rounded() / 10) } else { w.null() }
        w.key("boundary_source"); w.optional(r.region.boundarySource)
        w.key("boundary_uploaded_at"); w.optional(r.uploadedAt)
        w.key("city"); w.string(r.city)
        w.key("code"); w.string(r.region.code)
        w.key("demand_points"); w.int(r.demandPoints)
        w.key("demand_population"); w.int(r.demandPopulation)
        w.key("level"); w.string(r.level)
        w.key("name"); w.string(r.region.name)
        w.key("parent_code"); w.optional(r.region.parentCode)
        w.key("population"); w.optional(r.region.population)
        w.key("population_estimated"); w.bool(r.region.populationEstimated)
        w.key("population_source"); w.string(r.populationSource)
        w.key("province"); w.string(r.province)
        w.endObject()
    }
}

extension JSONWriter {
    /// `{code, level, name}` of a district, city or province, or null.
    mutating func adminRegion(_ r: AdminRegion?) {
        guard let r else { null(); return }
        beginObject()
        key("code"); string(r.code)
        key("level"); string(r.level.rawValue)
        key("name"); string(r.name)
        endObject()
    }

    /// `{city, district, province}` of a located point (each ``adminRegion(_:)``).
    mutating func regionLocation(_ l: RegionLocation) {
        beginObject()
        key("city"); adminRegion(l.city)
        key("district"); adminRegion(l.district)
        key("province"); adminRegion(l.province)
        endObject()
    }

    /// `{in_catalogue, message_zh, region: {city, code, name, province} | null}`: the one coverage shape.
    mutating func coverage(_ c: CatalogueCoverage) {
        beginObject()
        key("in_catalogue"); if let v = c.inCatalogue { bool(v) } else { null() }
        key("message_zh"); string(c.messageZh)
        key("region")
        if let r = c.region {
            beginObject()
            key("city"); string(r.city)
            key("code"); string(r.code)
            key("name"); string(r.name)
            key("province"); string(r.province)
            endObject()
        } else { null() }
        endObject()
    }
}
