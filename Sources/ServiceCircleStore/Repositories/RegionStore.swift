import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain


/// Regions, their boundaries and the residential demand in PostgreSQL (sql/0008_coverage.sql).
public struct RegionStore: RegionRepository {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // MARK: Reads

    static let columns = """
        r.code, r.name, r.parent_code, r.population, r.population_estimated, r.boundary_source,
        r.province, r.city, r.level, r.area_km2, r.bbox_min_lat, r.bbox_min_lon, r.bbox_max_lat, r.bbox_max_lon,
        r.population_source, ST_Area(r.boundary::geography) / 1e6, to_char(r.uploaded_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
        COALESCE((SELECT sum(d.population) FROM demand_points d WHERE d.assigned_region = r.code
                     OR d.assigned_region IN (SELECT c.code FROM regions c WHERE c.parent_code = r.code)), 0)::bigint,
        (SELECT count(*) FROM demand_points d WHERE d.assigned_region = r.code
                     OR d.assigned_region IN (SELECT c.code FROM regions c WHERE c.parent_code = r.code))
        """

    typealias Row = (String, String, String?, Int?, Bool, String?, String, String, String, Double, Double, Double, Double, Double,
                     String, Double?, String?, Int64, Int64)

    static func stored(_ r: Row, boundary: MultiPolygon?) -> StoredRegion {
        StoredRegion(region: CoverageRegion(code: r.0, name: r.1, parentCode: r.2, population: r.3, populationEstimated: r.4,
                                            boundarySource: r.5, boundary: boundary),
                     province: r.6, city: r.7, level: r.8, areaKm2: r.9,
                     bbox: Region.BoundingBox(minLat: r.10, minLon: r.11, maxLat: r.12, maxLon: r.13),
                     populationSource: r.14, boundaryAreaKm2: r.15, uploadedAt: r.16, demandPopulation: Int(r.17), demandPoints: Int(r.18))
    }

    /// Every region, by code, without boundaries.
    public func regions() async throws -> [StoredRegion] {
        let rows = try await client.fetch("SELECT \(unescaped: Self.columns) FROM regions r ORDER BY r.code", logger: logger)
        var out: [StoredRegion] = []
        for try await r in rows.decode(Row.self) { out.append(Self.stored(r, boundary: nil)) }
        return out
    }

    /// One region with its boundary; nil when the code is unknown. `simplify` (degrees) thins the outline for maps.
    public func region(code: String, simplify: Double = 0) async throws -> StoredRegion? {
        try await regions(where: "r.code = ", code, simplify: simplify).first
    }

    /// The districts of a city (with boundaries), by code: one query.
    public func children(of code: String, simplify: Double = 0) async throws -> [StoredRegion] {
        try await regions(where: "r.parent_code = ", code, simplify: simplify)
    }

    /// Regions whose column (`r.code = ` or `r.parent_code = `, a constant of this file) equals `value`, with boundaries.
    func regions(where column: StaticString, _ value: String, simplify: Double) async throws -> [StoredRegion] {
        let rows = try await client.fetch("""
            SELECT \(unescaped: Self.columns),
                   ST_AsGeoJSON(CASE WHEN \(simplify) > 0 THEN ST_SimplifyPreserveTopology(r.boundary, \(simplify)) ELSE r.boundary END, 7)
              FROM regions r WHERE \(unescaped: column.description)\(value) ORDER BY r.code
            """, logger: logger)
        var out: [StoredRegion] = []
        for try await r in rows.decode((String, String, String?, Int?, Bool, String?, String, String, String, Double, Double, Double, Double, Double,
                                        String, Double?, String?, Int64, Int64, String?).self) {
            let row: Row = (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16, r.17, r.18)
            out.append(Self.stored(row, boundary: try r.19.map(Self.multiPolygon)))
        }
        return out
    }

    static func multiPolygon(_ text: String) throws -> MultiPolygon {
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return try GeoJSONBoundary.parse(json)
    }

    typealias DemandRow = (String, String, String, String, String, Double, Double, Int, Bool, String?)
    static let demandColumns = "code, region_code, street, name, kind, lat, lon, population, estimated, assigned_region"

    static func demand(_ r: DemandRow) -> AssignedDemand {
        AssignedDemand(point: DemandPoint(code: r.0, regionCode: r.1, street: r.2, name: r.3, kind: DemandPoint.Kind(rawValue: r.4) ?? .community,
                                          location: GeoPoint(lat: r.5, lon: r.6), population: r.7, estimated: r.8),
                       region: r.9)
    }

    /// The demand assigned to any of `codes`, by code.
    public func demand(assignedTo codes: [String]) async throws -> [AssignedDemand] {
        let rows = try await client.fetch("""
            SELECT \(unescaped: Self.demandColumns) FROM demand_points WHERE assigned_region = ANY(\(codes)::text[]) ORDER BY code
            """, logger: logger)
        var out: [AssignedDemand] = []
        for try await r in rows.decode(DemandRow.self) { out.append(Self.demand(r)) }
        return out
    }

    /// The demand inside a box (edges included), by code.
    public func demand(in b: Region.BoundingBox) async throws -> [AssignedDemand] {
        let rows = try await client.fetch("""
            SELECT \(unescaped: Self.demandColumns) FROM demand_points
             WHERE geom && ST_MakeEnvelope(\(b.minLon), \(b.minLat), \(b.maxLon), \(b.maxLat), 4326)
               AND lat BETWEEN \(b.minLat) AND \(b.maxLat) AND lon BETWEEN \(b.minLon) AND \(b.maxLon)
             ORDER BY code
            """, logger: logger)
        var out: [AssignedDemand] = []
        for try await r in rows.decode(DemandRow.self) { out.append(Self.demand(r)) }
        return out
    }

    /// Active outlets offering every business in `businesses` that could lie within `radius` metres of the box: the
    /// box widened by the radius (with slack) in degrees. The caller measures exact distances.
    public func outlets(near b: Region.BoundingBox, radius: Double, businesses: [BusinessCode]) async throws -> [Outlet] {
        let dLat = radius / 110_574 * 1.02 + 0.001
        let worst = max(abs(b.minLat), abs(b.maxLat)) + dLat
        let dLon = radius / (111_320 * cos(min(89, worst) * .pi / 180)) * 1.02 + 0.001
        let minLat = b.minLat - dLat, maxLat = b.maxLat + dLat, minLon = b.minLon - dLon, maxLon = b.maxLon + dLon
        let codes = businesses.map(\.rawValue)
        // The geography box test uses the GiST index (with 0.1° of slack for great-circle edges); lat/lon are exact.
        let rows = try await client.fetch("""
            SELECT \(unescaped: Catalogue.outletColumns) FROM outlets
             WHERE operating_state = 'active' AND businesses @> \(codes)::text[]
               AND location && ST_MakeEnvelope(\(minLon - 0.1), \(minLat - 0.1), \(maxLon + 0.1), \(maxLat + 0.1), 4326)::geography
               AND lat BETWEEN \(minLat) AND \(maxLat) AND lon BETWEEN \(minLon) AND \(maxLon)
             ORDER BY id
            """, logger: logger)
        var out: [Outlet] = []
        for try await r in rows.decode(Catalogue.OutletRow.self) {
            do { out.append(try Catalogue.outletSharingHours(r)) } catch {
                // As in the read model: an unreadable row is logged and left out rather than failing every query.
                logger.error("coverage: outlet unreadable, left out", metadata: ["id": "\(r.0)", "error": "\(error)"])
            }
        }
        return out
    }

    // MARK: Boundary writes

    /// Replaces a region's boundary with an uploaded one, in one transaction: checked by PostGIS (valid polygons,
    /// overlapping the region's reference bbox), stored, the city outline and the demand assignment refreshed.
    public func upload(boundary: MultiPolygon, for code: String) async throws -> StoredRegion {
        let text = GeoJSONBoundary.geoJSON(boundary)
        // Checked before the transaction, so that a refusal is the domain's 400/404 and not a failed transaction.
        let rows = try await client.fetch("""
            WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(\(text)), 4326) AS g)
            SELECT ST_IsValid(g.g), ST_IsValidReason(g.g),
                   ST_Intersects(g.g, ST_MakeEnvelope(r.bbox_min_lon, r.bbox_min_lat, r.bbox_max_lon, r.bbox_max_lat, 4326))
              FROM g, regions r WHERE r.code = \(code)
            """, logger: logger)
        var verdict: (Bool, String, Bool)?
        for try await v in rows.decode((Bool, String, Bool).self) { verdict = v }
        guard let (valid, reason, overlaps) = verdict else { throw DomainError.notFound("no region \(code)") }
        guard valid else { throw DomainError.invalid("boundary", "is not a valid polygon: \(reason)") }
        guard overlaps else {
            throw DomainError.invalid("boundary", "does not overlap the region's bounding box in regions.csv (GeoJSON positions are [longitude, latitude])")
        }
        try await client.withTransaction(logger: logger) { conn in
            try await conn.fetch("""
                UPDATE regions SET
                    uploaded_boundary = ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(\(text)), 4326)), 3)),
                    uploaded_at = now()
                 WHERE code = \(code)
                """, logger: logger)
            try await Self.refreshDerived(on: conn, logger: logger, changed: code)
        }
        guard let r = try await region(code: code) else { throw DomainError.notFound("no region \(code)") }
        return r
    }

    /// Drops an uploaded boundary: the reference polygon (or the approximation) applies again. 404 when the region is unknown.
    public func clearUpload(for code: String) async throws -> StoredRegion {
        guard try await region(code: code) != nil else { throw DomainError.notFound("no region \(code)") }
        try await client.withTransaction(logger: logger) { conn in
            try await Self.refreshDerived(on: conn, logger: logger, changed: code, clearing: true)
        }
        guard let r = try await region(code: code) else { throw DomainError.notFound("no region \(code)") }
        return r
    }

    /// The district a demand point belongs to: an uploaded boundary covering it (by code) first; else its own seed
    /// district, unless that district has an upload (then the point left it); else any other boundary covering it.
    /// The seed's demand is placed by a model inside each district's bbox territory, not inside its real outline
    /// (`SeedData/boundaries`), so a reference outline does not move residents between districts: census totals stay.
    static let assignment = """
        COALESCE(
            (SELECT r.code FROM regions r
              WHERE r.level = 'district' AND r.uploaded_boundary IS NOT NULL AND ST_Covers(r.uploaded_boundary, d.geom)
              ORDER BY r.code LIMIT 1),
            (SELECT r.code FROM regions r WHERE r.code = d.region_code AND r.uploaded_boundary IS NULL AND r.boundary IS NOT NULL),
            (SELECT r.code FROM regions r
              WHERE r.level = 'district' AND r.uploaded_boundary IS NULL AND r.boundary IS NOT NULL AND ST_Covers(r.boundary, d.geom)
              ORDER BY r.code LIMIT 1))
        """

    /// After a boundary change of `changed` (or of everything when nil): city outlines from their districts, and the
    /// assignment of demand points whose position the change can affect.
    static func refreshDerived(on conn: PostgresConnection, logger: Logger, changed: String? = nil, clearing: Bool = false) async throws {
        // The points inside the old or the new boundary of the changed region are the only ones that can move.
        if let changed {
            try await conn.fetch("""
                CREATE TEMP TABLE IF NOT EXISTS coverage_touched (g geometry) ON COMMIT DROP
                """, logger: logger)
            try await conn.fetch("DELETE FROM coverage_touched", logger: logger)
            try await conn.fetch("""
                INSERT INTO coverage_touched SELECT boundary FROM regions WHERE code = \(changed) AND boundary IS NOT NULL
                """, logger: logger)
            if clearing {
                try await conn.fetch("UPDATE regions SET uploaded_boundary = NULL, uploaded_at = NULL WHERE code = \(changed)", logger: logger)
                try await conn.fetch("""
                    INSERT INTO coverage_touched SELECT boundary FROM regions WHERE code = \(changed) AND boundary IS NOT NULL
                    """, logger: logger)
            }
            // The upload itself was applied before this call: its new boundary is the current one; add the old
            // assignment's extent by the points assigned to the region now.
            try await conn.fetch("""
                INSERT INTO coverage_touched SELECT ST_Extent(geom)::geometry FROM demand_points WHERE assigned_region = \(changed) HAVING count(*) > 0
                """, logger: logger)
            try await conn.fetch("""
                UPDATE demand_points d SET assigned_region = \(unescaped: Self.assignment)
                 WHERE d.region_code = \(changed) OR EXISTS (SELECT 1 FROM coverage_touched t WHERE t.g && d.geom)
                """, logger: logger)
        } else {
            try await conn.fetch("""
                UPDATE demand_points d SET assigned_region = \(unescaped: Self.assignment)
                """, logger: logger)
        }
        // A city's approximate outline is the union of its districts' boundaries.
        try await conn.fetch("""
            UPDATE regions c SET approx_boundary = (
                SELECT ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(d.boundary)), 3))
                  FROM regions d WHERE d.parent_code = c.code AND d.boundary IS NOT NULL)
             WHERE c.level = 'city'
            """, logger: logger)
    }

    // MARK: Seed loading

    /// Inserts or updates the regions of regions.csv with their demand population (census, census plus estimated
    /// development-zone shares with `census`, or estimate); boundaries are left alone. In the caller's transaction.
    static func upsertRegions(_ regions: [Region], census: Census2020? = nil, on conn: PostgresConnection, logger: Logger) async throws {
        let pops = Dictionary(DistrictPopulation.all(regions: regions, census: census).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        func col<T>(_ f: (Region) -> T) -> [T] { regions.map(f) }
        let population: [Int] = regions.map { r in pops[r.code]?.population ?? r.population2020 ?? -1 }
        let estimated: [Bool] = regions.map { pops[$0.code]?.estimated ?? false }
        // The census table's row with its source (and any zone shares), an estimate's method, or regions.csv's source.
        let source: [String] = regions.map { r in
            pops[r.code].map { $0.method == DistrictPopulation.regionsCSVMethod ? r.populationSource : $0.method } ?? r.populationSource
        }
        try await conn.fetch("""
            INSERT INTO regions (code, province, city, name, parent_code, level, centroid_lat, centroid_lon, inside_lat, inside_lon,
                                 bbox_min_lat, bbox_min_lon, bbox_max_lat, bbox_max_lon, area_km2, population, population_estimated, population_source)
            SELECT code, province, city, name, NULLIF(parent, ''), CASE WHEN code LIKE '%00' THEN 'city' ELSE 'district' END,
                   clat, clon, ilat, ilon, a, b, c, d, area, NULLIF(pop, -1), est, src
              FROM unnest(\(col(\.code)), \(col(\.province)), \(col(\.city)), \(col(\.name)), \(col { $0.parentCode ?? "" }),
                          \(col(\.centroid.lat)), \(col(\.centroid.lon)), \(col(\.insidePoint.lat)), \(col(\.insidePoint.lon)),
                          \(col(\.bbox.minLat)), \(col(\.bbox.minLon)), \(col(\.bbox.maxLat)), \(col(\.bbox.maxLon)), \(col(\.areaKm2)),
                          \(population), \(estimated), \(source))
                AS t(code, province, city, name, parent, clat, clon, ilat, ilon, a, b, c, d, area, pop, est, src)
            ON CONFLICT (code) DO UPDATE SET
                province = EXCLUDED.province, city = EXCLUDED.city, name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
                centroid_lat = EXCLUDED.centroid_lat, centroid_lon = EXCLUDED.centroid_lon,
                inside_lat = EXCLUDED.inside_lat, inside_lon = EXCLUDED.inside_lon,
                bbox_min_lat = EXCLUDED.bbox_min_lat, bbox_min_lon = EXCLUDED.bbox_min_lon,
                bbox_max_lat = EXCLUDED.bbox_max_lat, bbox_max_lon = EXCLUDED.bbox_max_lon, area_km2 = EXCLUDED.area_km2,
                population = EXCLUDED.population, population_estimated = EXCLUDED.population_estimated,
                population_source = EXCLUDED.population_source
            """, logger: logger)
    }

    /// Sets the reference land polygons (`regions.geom`) from `SeedData/boundaries/regions.geojson`: one
    /// (adcode, GeoJSON geometry text) per feature; codes not in `regions` are ignored. In the caller's transaction;
    /// the caller refreshes the assignment. Returns the number of regions updated.
    @discardableResult
    static func setReferenceGeometry(_ features: [(code: String, geometry: String)], on conn: PostgresConnection, logger: Logger) async throws -> Int {
        let codes = features.map(\.code), geoms = features.map(\.geometry)
        let rows = try await conn.query("""
            WITH u AS (
                UPDATE regions r SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(t.g), 4326)), 3))
                  FROM unnest(\(codes)::text[], \(geoms)::text[]) AS t(code, g) WHERE r.code = t.code RETURNING r.code)
            SELECT count(*)::int FROM u
            """, logger: logger)
        var n = 0
        for try await c in rows.decode(Int.self) { n = c }
        return n
    }

    /// Replaces every demand point, then regenerates the approximate boundaries and the assignment. In the caller's
    /// transaction. Regions must exist for every point's district.
    public static func replaceDemand(_ points: [DemandPoint], on conn: PostgresConnection, logger: Logger) async throws {
        try await conn.fetch("DELETE FROM demand_points", logger: logger)
        for start in stride(from: 0, to: points.count, by: 5000) {
            let batch = Array(points[start..<min(start + 5000, points.count)])
            func col<T>(_ f: (DemandPoint) -> T) -> [T] { batch.map(f) }
            try await conn.fetch("""
                INSERT INTO demand_points (code, region_code, street, name, kind, lat, lon, population, estimated)
                SELECT * FROM unnest(\(col(\.code)), \(col(\.regionCode)), \(col(\.street)), \(col(\.name)), \(col(\.kind.rawValue)),
                                     \(col(\.location.lat)), \(col(\.location.lon)), \(col(\.population)), \(col(\.estimated)))
                """, logger: logger)
        }
        try await approximateBoundaries(on: conn, logger: logger)
        try await refreshDerived(on: conn, logger: logger)
    }

    /// Approximate district boundaries from the demand points: the Voronoi cells of all points (every district's
    /// together, so neighbours share edges and never overlap), united per district and clipped to its bbox. Each
    /// point lies inside its own cell, so each district's outline holds exactly its own points.
    static func approximateBoundaries(on conn: PostgresConnection, logger: Logger) async throws {
        try await conn.fetch("""
            WITH cells AS (
                SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(geom)))).geom AS cell FROM demand_points
            ), labelled AS (
                SELECT d.region_code, c.cell FROM cells c JOIN demand_points d ON ST_Intersects(c.cell, d.geom)
            ), unioned AS (
                SELECT region_code, ST_UnaryUnion(ST_Collect(cell)) AS g FROM labelled GROUP BY region_code
            )
            UPDATE regions r SET approx_boundary = ST_Multi(ST_CollectionExtract(
                    ST_Intersection(u.g, ST_MakeEnvelope(r.bbox_min_lon, r.bbox_min_lat, r.bbox_max_lon, r.bbox_max_lat, 4326)), 3))
              FROM unioned u WHERE u.region_code = r.code
            """, logger: logger)
        try await conn.fetch("""
            UPDATE regions r SET approx_boundary = NULL
             WHERE r.level = 'district' AND NOT EXISTS (SELECT 1 FROM demand_points d WHERE d.region_code = r.code)
            """, logger: logger)
    }
}
