import Foundation

/// A region boundary as planners upload it: GeoJSON (RFC 7946, WGS-84 longitude/latitude) Polygon or MultiPolygon,
/// bare or as a Feature, or a FeatureCollection whose features are all polygons (merged into one MultiPolygon).
public enum GeoJSONBoundary {
    /// At most this many positions in one boundary (a detailed county outline has a few tens of thousands).
    public static let maxPositions = 200_000

    /// Parses and checks the structure (types, positions in range, closed rings of at least four positions),
    /// naming the JSON path of every problem under `path`. Topology (self-intersection) is checked by PostGIS.
    public static func parse(_ json: JSONValue, path: String = "boundary") throws(DomainError) -> MultiPolygon {
        var errors: [InvalidParam] = []
        var count = 0
        func fail(_ p: String, _ reason: String) { errors.append(InvalidParam(name: p, reason: reason)) }

        func position(_ v: JSONValue, _ p: String) -> GeoPoint? {
            guard case .array(let a) = v, a.count >= 2, case .number(let lon) = a[0], case .number(let lat) = a[1] else {
                fail(p, "must be a position [longitude, latitude]"); return nil
            }
            guard (-180...180).contains(lon), (-90...90).contains(lat) else {
                fail(p, "longitude must be within ±180 and latitude within ±90 (WGS-84 degrees, longitude first)"); return nil
            }
            count += 1
            return GeoPoint(lat: lat, lon: lon)
        }
        func ring(_ v: JSONValue, _ p: String) -> [GeoPoint]? {
            guard case .array(let a) = v else { fail(p, "must be an array of positions"); return nil }
            guard a.count >= 4 else { fail(p, "a linear ring needs at least 4 positions"); return nil }
            var out: [GeoPoint] = []
            for (i, x) in a.enumerated() { if let pt = position(x, "\(p)[\(i)]") { out.append(pt) } }
            guard out.count == a.count else { return nil }
            guard out.first == out.last else { fail(p, "a linear ring must end where it starts"); return nil }
            return out
        }
        func polygon(_ v: JSONValue, _ p: String) -> [[GeoPoint]]? {
            guard case .array(let a) = v, !a.isEmpty else { fail(p, "must be a non-empty array of linear rings"); return nil }
            let rings = a.enumerated().compactMap { ring($1, "\(p)[\($0)]") }
            return rings.count == a.count ? rings : nil
        }
        func geometry(_ v: JSONValue, _ p: String) -> MultiPolygon {
            guard case .object(let o) = v, case .string(let type)? = o["type"] else { fail(p, "must be a GeoJSON object with a type"); return [] }
            switch type {
            case "Polygon":
                guard let c = o["coordinates"] else { fail("\(p).coordinates", "is required"); return [] }
                return polygon(c, "\(p).coordinates").map { [$0] } ?? []
            case "MultiPolygon":
                guard case .array(let a)? = o["coordinates"], !a.isEmpty else { fail("\(p).coordinates", "must be a non-empty array of polygons"); return [] }
                return a.enumerated().compactMap { polygon($1, "\(p).coordinates[\($0)]") }
            case "Feature":
                guard let g = o["geometry"], g != .null else { fail("\(p).geometry", "is required"); return [] }
                return geometry(g, "\(p).geometry")
            case "FeatureCollection":
                guard case .array(let fs)? = o["features"], !fs.isEmpty else { fail("\(p).features", "must be a non-empty array"); return [] }
                return fs.enumerated().flatMap { geometry($1, "\(p).features[\($0)]") }
            default:
                fail("\(p).type", "'\(type)' is not a boundary: use Polygon, MultiPolygon, a Feature or a FeatureCollection of them")
                return []
            }
        }
        if case .object(let o) = json, o["crs"] != nil {
            fail("\(path).crs", "RFC 7946 GeoJSON has no crs member: coordinates must be WGS-84 longitude, latitude")
        }
        let result = geometry(json, path)
        if count > maxPositions { fail(path, "has \(count) positions; at most \(maxPositions)") }
        if errors.isEmpty && result.isEmpty { fail(path, "holds no polygon") }
        if !errors.isEmpty { throw .invalid(errors) }
        return result
    }

    /// The MultiPolygon as GeoJSON text (for PostGIS `ST_GeomFromGeoJSON`).
    public static func geoJSON(_ mp: MultiPolygon) -> String {
        var s = "{\"type\":\"MultiPolygon\",\"coordinates\":["
        for (i, poly) in mp.enumerated() {
            if i > 0 { s += "," }
            s += "["
            for (j, ring) in poly.enumerated() {
                if j > 0 { s += "," }
                s += "[" + ring.map { "[\($0.lon),\($0.lat)]" }.joined(separator: ",") + "]"
            }
            s += "]"
        }
        return s + "]}"
    }
}

/// A GeoJSON `Polygon` or `MultiPolygon` geometry read by `JSONDecoder` as a ``MultiPolygon`` (positions
/// `[lon, lat]`), for trusted files such as `SeedData/boundaries/*.geojson`; client input goes through
/// ``GeoJSONBoundary/parse(_:path:)`` and its checks instead.
public struct GeoJSONGeometry: Decodable, Sendable {
    public var multiPolygon: MultiPolygon

    enum CodingKeys: String, CodingKey { case type, coordinates }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func ring(_ r: [[Double]]) -> [GeoPoint] { r.map { GeoPoint(lat: $0.count > 1 ? $0[1] : 0, lon: $0.first ?? 0) } }
        switch type {
        case "Polygon":
            multiPolygon = [try c.decode([[[Double]]].self, forKey: .coordinates).map(ring)]
        case "MultiPolygon":
            multiPolygon = try c.decode([[[[Double]]]].self, forKey: .coordinates).map { $0.map(ring) }
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "'\(type)' is not a Polygon or MultiPolygon")
        }
    }
}
