import Foundation

/// A residential demand point: a community (社区) or village (村) with its population, the unit of the planners'
/// coverage analysis. One line of `SeedData/demand/demand-points.csv`.
public struct DemandPoint: Hashable, Sendable {
    /// Community or village.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case community
        case village
    }

    /// Stable external code: the district code and a running number (`420116-0042`).
    public var code: String
    /// GB/T 2260 code of the district the point was generated in.
    public var regionCode: String
    /// The 街道/镇/乡 it belongs to (`前川街道`).
    public var street: String
    /// The community or village name (`前川百秀社区`, `张家湾村`).
    public var name: String
    public var kind: Kind
    public var location: GeoPoint
    /// Residents.
    public var population: Int
    /// True when the point's residents are an estimate: an area × density figure (no census row), or a district's
    /// share of a development zone the census counts apart (``Census2020``).
    public var estimated: Bool

    public init(code: String, regionCode: String, street: String, name: String, kind: Kind, location: GeoPoint,
                population: Int, estimated: Bool) {
        self.code = code
        self.regionCode = regionCode
        self.street = street
        self.name = name
        self.kind = kind
        self.location = location
        self.population = population
        self.estimated = estimated
    }

    public static let csvHeader = "code,region_code,district,street,name,kind,lat,lon,population,estimated"

    /// One CSV line in the layout of ``csvHeader`` (`district` is the region's name, for readers of the file).
    public func csvLine(districtName: String) -> String {
        [code, regionCode, districtName, street, name, kind.rawValue, String(location.lat), String(location.lon),
         String(population), estimated ? "true" : "false"].map(CSV.escape).joined(separator: ",")
    }

    /// Parses the demand CSV (header required), naming the line and field of every error.
    public static func parseCSV(_ text: String) throws(DomainError) -> [DemandPoint] {
        var out: [DemandPoint] = []
        var errors: [InvalidParam] = []
        var codes: Set<String> = []
        for (i, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let f = CSV.splitLine(String(raw))
            if i == 0 {
                if f.joined(separator: ",") != csvHeader { errors.append(InvalidParam(name: "demand line 1", reason: "expected header \(csvHeader)")) }
                continue
            }
            let at = "demand line \(i + 1)"
            guard f.count == 10 else { errors.append(InvalidParam(name: at, reason: "expected 10 fields, found \(f.count)")); continue }
            guard let lat = Double(f[6]), let lon = Double(f[7]), (-90...90).contains(lat), (-180...180).contains(lon) else {
                errors.append(InvalidParam(name: "\(at).lat", reason: "lat/lon must be WGS-84 degrees")); continue
            }
            guard let pop = Int(f[8]), pop > 0 else { errors.append(InvalidParam(name: "\(at).population", reason: "must be a positive integer")); continue }
            guard let kind = Kind(rawValue: f[5]) else { errors.append(InvalidParam(name: "\(at).kind", reason: "community or village")); continue }
            guard f[1].count == 6, f[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                errors.append(InvalidParam(name: "\(at).region_code", reason: "six-digit GB/T 2260 code")); continue
            }
            guard !f[4].isEmpty, !f[3].isEmpty else { errors.append(InvalidParam(name: "\(at).name", reason: "name and street must not be empty")); continue }
            guard codes.insert(f[0]).inserted else { errors.append(InvalidParam(name: "\(at).code", reason: "duplicate code \(f[0])")); continue }
            out.append(DemandPoint(code: f[0], regionCode: f[1], street: f[3], name: f[4], kind: kind,
                                   location: GeoPoint(lat: lat, lon: lon), population: pop, estimated: f[9] == "true"))
        }
        if !errors.isEmpty { throw .invalid(errors) }
        return out
    }
}

/// The population a district's demand points add up to, and where the figure comes from.
public struct DistrictPopulation: Hashable, Sendable {
    public var code: String
    public var name: String
    /// Every resident the district's demand points hold: `census` plus the ``zoneShares``, or an estimate.
    public var population: Int
    /// False when the whole figure is a census row; true when any of it is estimated (area × density, or a share of
    /// a development zone the census counts apart).
    public var estimated: Bool
    /// How the figure was obtained, in words (for the populations file and the API).
    public var method: String
    /// The district's own census row, when there is one (nil for an area × density estimate).
    public var census: Int?
    /// The estimated shares of development zones that lie inside the district's legal boundary (included in
    /// `population`; their demand points are marked estimated).
    public var zoneShares: [Census2020.ZoneShare] = []

    public init(code: String, name: String, population: Int, estimated: Bool, method: String, census: Int? = nil,
                zoneShares: [Census2020.ZoneShare] = []) {
        self.code = code
        self.name = name
        self.population = population
        self.estimated = estimated
        self.method = method
        self.census = census
        self.zoneShares = zoneShares
    }

    /// The ``method`` of a figure taken from regions.csv's census column (whose own source column says more).
    public static let regionsCSVMethod = "2020 census (regions.csv)"

    /// Residents estimated from development zones (0 without any).
    public var zoneResidents: Int { zoneShares.reduce(0) { $0 + $1.residents } }

    /// The districts (every row of regions.csv that is not a prefecture-level city row) with their demand totals.
    ///
    /// With `census` (the repository's `SeedData/demand/` census table): the district's census row plus its estimated
    /// shares of development zones (``Census2020``). Without a census row (or without `census`): the 2020 census
    /// figure of regions.csv where it has one; otherwise area × the density of the prefecture (its city row's census
    /// population ÷ area) when the city row is in the file; otherwise area × the pooled density of the file's
    /// prefecture-level rows. Estimates and zone shares are marked estimated.
    public static func all(regions: [Region], census: Census2020? = nil) -> [DistrictPopulation] {
        let byCode = Dictionary(regions.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let cities = regions.filter { $0.isCity && $0.population2020 != nil && $0.areaKm2 > 0 }
        let pooledPop = cities.reduce(0.0) { $0 + Double($1.population2020!) }
        let pooledArea = cities.reduce(0.0) { $0 + $1.areaKm2 }
        let pooled = pooledArea > 0 ? pooledPop / pooledArea : 500
        return regions.filter { !$0.isCity }.map { r in
            if let census, let row = census.rows[r.code] {
                let shares = census.shares(of: r.code)
                let extra = shares.reduce(0) { $0 + $1.residents }
                var method = "2020 census row \(row.population) (\(row.source))"
                if !shares.isEmpty {
                    method += " + estimated shares of development zones the census counts apart: "
                        + shares.map { "\($0.zone) \($0.residents)" }.joined(separator: ", ") + " (zone-shares.csv)"
                }
                return DistrictPopulation(code: r.code, name: r.name, population: row.population + extra, estimated: !shares.isEmpty,
                                          method: method, census: row.population, zoneShares: shares)
            }
            if let p = r.population2020 {
                return DistrictPopulation(code: r.code, name: r.name, population: p, estimated: false, method: regionsCSVMethod, census: p)
            }
            if let parent = r.parentCode.flatMap({ byCode[$0] }), let pp = parent.population2020, parent.areaKm2 > 0 {
                let density = Double(pp) / parent.areaKm2
                return DistrictPopulation(code: r.code, name: r.name, population: Int((r.areaKm2 * density).rounded()), estimated: true,
                                          method: "estimated: area \(fixed1(r.areaKm2)) km² × \(parent.name) density \(fixed1(density))/km²")
            }
            return DistrictPopulation(code: r.code, name: r.name, population: Int((r.areaKm2 * pooled).rounded()), estimated: true,
                                      method: "estimated: area \(fixed1(r.areaKm2)) km² × pooled density of the file's prefecture rows \(fixed1(pooled))/km² (its prefecture is not in regions.csv)")
        }
    }
}

/// One decimal, for figures written into text.
func fixed1(_ v: Double) -> String { String(format: "%.1f", v) }
