import Foundation
import ServiceCircleDomain

/// "Where is this point": the district, city and province containing a WGS-84 point anywhere in China, and whether
/// the catalogue covers it. Loaded once at start from `SeedData/boundaries/` and held in memory, so it answers while
/// PostgreSQL is down.
///
/// Two layers of districts: the catalogued districts of `regions.geojson` (simplified to ≤ 30 m) take precedence;
/// every other point is looked up in `national-districts.geojson` (2,875 districts/counties, simplified to ~0.9 km
/// median error). City and province are the district's parents by code (`parent_adcode`, the first two digits):
/// the national city and province layers are exactly the unions of these districts (boundaries README), so looking
/// them up separately could only give the same answer at more cost.
///
/// Where the two layers disagree near a catalogued district's border (the national outline of a catalogued district
/// contains the point, its precise outline does not), the point lies in a neighbour: the nearest other district
/// outline within 6 km answers (the national layer's worst error is 4.9 km).
public final class RegionLocator: Sendable {
    struct Entry: Sendable {
        var district: AdminRegion
        var city: AdminRegion
        var province: AdminRegion
    }
    /// What a lookup answers, built once per district at load (a lookup copies references, builds no text).
    struct Answer: Sendable {
        var location: RegionLocation
        var coverage: CatalogueCoverage
    }

    let fine: PolygonIndex
    let fineEntries: [Entry]
    let fineAnswers: [Answer]
    let national: PolygonIndex
    let nationalEntries: [Entry]
    let nationalAnswers: [Answer]
    let nowhere: Answer
    public let scope: CatalogueScope
    /// How far, in metres, the border repair looks for the neighbouring district.
    static let borderRepairMetres = 6_000.0

    /// A locator that knows no boundaries: every point is nowhere, every coverage unknown.
    public static let empty = RegionLocator(fine: [], national: [], scope: CatalogueScope([]))

    /// Whether any boundary is loaded.
    public var isLoaded: Bool { national.featureCount + fine.featureCount > 0 }
    /// Features and positions held, and the approximate bytes of the indexes.
    public var stats: (districts: Int, catalogued: Int, positions: Int, bytes: Int) {
        (national.featureCount, fine.featureCount, national.positionCount + fine.positionCount, national.approximateBytes + fine.approximateBytes)
    }

    init(fine: [(Entry, MultiPolygon)], national: [(Entry, MultiPolygon)], scope: CatalogueScope) {
        self.fine = PolygonIndex(fine.map(\.1), interiorDegrees: 0.01)
        fineEntries = fine.map(\.0)
        self.national = PolygonIndex(national.map(\.1))
        nationalEntries = national.map(\.0)
        self.scope = scope
        let loaded = !fine.isEmpty || !national.isEmpty
        func answer(_ e: Entry) -> Answer {
            let l = RegionLocation(district: e.district, city: e.city, province: e.province)
            return Answer(location: l, coverage: loaded ? .of(l, scope: scope) : .unknown)
        }
        fineAnswers = fine.map { answer($0.0) }
        nationalAnswers = national.map { answer($0.0) }
        nowhere = Answer(location: .nowhere, coverage: loaded ? .of(.nowhere, scope: scope) : .unknown)
    }

    /// Loads `regions.geojson` and `national-districts.geojson` from `directory` (`SeedData/boundaries`); the
    /// catalogue's districts are those of `catalogue` (`SeedData/regions.csv`). A missing file leaves its layer
    /// empty; a malformed one throws.
    public static func load(boundaries directory: URL, catalogue: [Region]) throws -> RegionLocator {
        let scope = CatalogueScope(catalogue)
        func layer(_ name: String, _ keep: (String) -> Bool) throws -> [(Entry, MultiPolygon)] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            let collection: FeatureCollection
            do {
                collection = try JSONDecoder().decode(FeatureCollection.self, from: Data(contentsOf: url))
            } catch {
                throw LocatorLoadError(file: url.path, reason: String(describing: error))
            }
            return collection.features.compactMap { f in
                let p = f.properties
                guard p.level == "district", keep(p.adcode) else { return nil }
                let provinceCode = String(p.adcode.prefix(2)) + "0000"
                let entry = Entry(district: AdminRegion(code: p.adcode, name: p.name, level: .district),
                                  city: AdminRegion(code: p.parentAdcode ?? String(p.adcode.prefix(4)) + "00", name: p.city ?? p.name, level: .city),
                                  province: AdminRegion(code: provinceCode, name: p.province ?? "", level: .province))
                return (entry, f.geometry.multiPolygon)
            }
        }
        let fine = try layer("regions.geojson") { scope.covers($0) }
        let national = try layer("national-districts.geojson") { _ in true }
        return RegionLocator(fine: fine, national: national, scope: scope)
    }

    /// The district, city and province containing `p` (WGS-84); ``RegionLocation/nowhere`` at sea or abroad.
    public func locate(_ p: GeoPoint) -> RegionLocation { lookup(p).location }

    /// The point's region and whether the catalogue covers it, in one lookup (both built at load).
    public func lookup(_ p: GeoPoint) -> (location: RegionLocation, coverage: CatalogueCoverage) {
        let a = answer(p)
        return (a.location, a.coverage)
    }

    func answer(_ p: GeoPoint) -> Answer {
        if let i = fine.feature(containing: p) { return fineAnswers[i] }
        guard let j = national.feature(containing: p) else { return nowhere }
        let code = nationalEntries[j].district.code
        guard scope.covers(code) && fine.featureCount > 0 else { return nationalAnswers[j] }
        // In the national outline of a catalogued district, outside its precise one: a neighbour's border sliver.
        let a = fine.nearestFeature(to: p, within: Self.borderRepairMetres) { fineEntries[$0].district.code != code }
        let b = national.nearestFeature(to: p, within: Self.borderRepairMetres) { !scope.covers(nationalEntries[$0].district.code) }
        switch (a, b) {
        case let (a?, b?): return a.metres <= b.metres ? fineAnswers[a.feature] : nationalAnswers[b.feature]
        case let (a?, nil): return fineAnswers[a.feature]
        case let (nil, b?): return nationalAnswers[b.feature]
        case (nil, nil): return nationalAnswers[j]
        }
    }

    /// Whether the catalogue covers a location (``CatalogueCoverage/unknown`` when no boundaries are loaded).
    public func coverage(_ location: RegionLocation) -> CatalogueCoverage {
        isLoaded ? CatalogueCoverage.of(location, scope: scope) : .unknown
    }
}

public struct LocatorLoadError: Error, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "cannot read boundaries \(file): \(reason)" }
}

// MARK: GeoJSON as the boundary files write it

private struct FeatureCollection: Decodable {
    var features: [Feature]
}

private struct Feature: Decodable {
    var properties: Properties
    var geometry: GeoJSONGeometry
}

private struct Properties: Decodable {
    var adcode: String
    var name: String
    var level: String
    var parentAdcode: String?
    var province: String?
    var city: String?
    enum CodingKeys: String, CodingKey {
        case adcode, name, level, province, city
        case parentAdcode = "parent_adcode"
    }
}

