import Foundation
import ServiceCircleDomain

/// The real polygons of the seed districts (`SeedData/boundaries/regions.geojson`, WGS-84, each within 30 m of
/// Amap's line; SeedData/boundaries/README.md), for the generators to keep every outlet and demand point inside the
/// district it names. Only the `district` features are kept; they form a coverage (no overlap), so a point lies in
/// at most one of them.
public struct SeedBoundaries: Sendable {
    /// The file under `SeedData/`.
    public static let path = "boundaries/regions.geojson"
    /// Points are placed at least this far inside their district's polygon: the polygons' simplification error
    /// (worst 24.6 m), so that a point inside the simplified line is inside the source's line too.
    public static let marginMetres = 30.0

    let index: PolygonIndex
    let codes: [String]
    let featureOf: [String: Int]
    /// The bounding box of each district's polygon.
    public let bboxes: [String: Region.BoundingBox]
    /// Each district's polygon, as read.
    public let polygons: [String: MultiPolygon]

    /// The districts with a polygon.
    public var districtCodes: [String] { codes }

    public init(districts: [(code: String, polygon: MultiPolygon)]) {
        codes = districts.map(\.code)
        var f: [String: Int] = [:]
        var b: [String: Region.BoundingBox] = [:]
        var p: [String: MultiPolygon] = [:]
        for (i, d) in districts.enumerated() {
            f[d.code] = i
            p[d.code] = d.polygon
            let pts = d.polygon.flatMap { $0.first ?? [] }
            b[d.code] = Region.BoundingBox(minLat: pts.map(\.lat).min() ?? 0, minLon: pts.map(\.lon).min() ?? 0,
                                           maxLat: pts.map(\.lat).max() ?? 0, maxLon: pts.map(\.lon).max() ?? 0)
        }
        featureOf = f
        bboxes = b
        polygons = p
        index = PolygonIndex(districts.map(\.polygon), cellDegrees: 0.05, interiorDegrees: 0.002)
    }

    /// Reads `SeedData/boundaries/regions.geojson` under `seedDirectory`.
    public init(seedDirectory: URL) throws {
        let url = seedDirectory.appendingPathComponent(Self.path)
        let collection: GeoFeatureCollection
        do {
            collection = try JSONDecoder().decode(GeoFeatureCollection.self, from: Data(contentsOf: url))
        } catch {
            throw SeedTableError(file: "../" + Self.path, line: nil, message: "cannot read the seed boundaries (\(error))")
        }
        self.init(districts: collection.features.filter { $0.properties.level == "district" }
            .map { ($0.properties.adcode, $0.geometry.multiPolygon) })
    }

    /// Whether `code` has a polygon.
    public func has(_ code: String) -> Bool { featureOf[code] != nil }

    /// The district (of those with a polygon) containing the point, nil when none does.
    public func district(containing lat: Double, _ lon: Double) -> String? {
        index.feature(containing: GeoPoint(lat: lat, lon: lon)).map { codes[$0] }
    }

    /// Whether the point lies inside the polygon of `code`.
    public func contains(_ code: String, lat: Double, lon: Double) -> Bool {
        guard let f = featureOf[code] else { return false }
        return index.feature(containing: GeoPoint(lat: lat, lon: lon)) == f
    }

    /// Metres from the point to the nearest border line of any district (its own or another), when within
    /// `metres`; nil when every border is farther.
    public func borderDistance(lat: Double, lon: Double, within metres: Double) -> Double? {
        index.nearestFeature(to: GeoPoint(lat: lat, lon: lon), within: metres) { _ in true }?.metres
    }

    /// Metres from the point to the outline of `code` (itself, not a neighbour), when within `metres`.
    public func distance(to code: String, lat: Double, lon: Double, within metres: Double) -> Double? {
        guard let f = featureOf[code] else { return nil }
        return index.nearestFeature(to: GeoPoint(lat: lat, lon: lon), within: metres) { $0 == f }?.metres
    }

    /// Inside the polygon of `code` and at least `margin` metres from its border.
    public func isWellInside(_ code: String, lat: Double, lon: Double, margin: Double = marginMetres) -> Bool {
        contains(code, lat: lat, lon: lon) && distance(to: code, lat: lat, lon: lon, within: margin) == nil
    }
}

// MARK: GeoJSON as make-boundaries.py writes it

struct GeoFeatureCollection: Decodable {
    struct Feature: Decodable {
        struct Properties: Decodable {
            var adcode: String
            var level: String
        }
        var properties: Properties
        var geometry: GeoJSONGeometry
    }
    var features: [Feature]
}
