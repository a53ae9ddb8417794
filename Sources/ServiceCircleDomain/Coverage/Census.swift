import Foundation

/// The 2020 (7th) census rows the demand follows, and the estimated shares of the development zones the census
/// counts as rows of their own: `SeedData/demand/census-2020.csv` (a copy of the shared census table, with its
/// source and note columns) and `SeedData/demand/zone-shares.csv` (SeedData/README.md describes both).
///
/// Wuhan's and 石家庄's communiqués count development zones (东湖高新区, 东湖风景区, 武汉经开区, 石家庄高新区, 循环化工园区)
/// apart from the districts whose legal boundary (the polygons) contains them. A district's demand is therefore its
/// census row plus its estimated share of each such zone; the zone's shares add up to the zone's census figure, so
/// the covered districts together match the communiqué.
public struct Census2020: Hashable, Sendable {
    /// One row of the census table: a district or county (with its GB/T 2260 code), a city, or a development zone
    /// (no code).
    public struct Row: Hashable, Sendable {
        public var code: String?
        public var name: String
        public var population: Int
        public var source: String
        public var note: String
    }

    /// The part of a development zone's census population estimated to live inside one district's legal boundary,
    /// and where in the district (a centre and radius the demand generator scatters these residents around).
    public struct ZoneShare: Hashable, Sendable {
        /// The zone's name as the census writes it (`东湖高新区`).
        public var zone: String
        /// The zone's census figure that is shared out (without any sub-row counted in a district row of its own).
        public var zonePopulation: Int
        public var districtCode: String
        /// Residents of the zone estimated to live in this district.
        public var residents: Int
        /// Approximate centre and extent of the zone's part of the district.
        public var centre: GeoPoint
        public var radiusKm: Double
        /// Why this share, in words (the estimate's basis and its sources).
        public var basis: String
    }

    /// Census rows with a GB/T 2260 code, by code.
    public var rows: [String: Row]
    /// Rows without a code (the development zones), by name.
    public var zones: [String: Row]
    /// Every zone share, in file order.
    public var shares: [ZoneShare]

    public static let censusHeader = "district_code,name,pop_2020,area_km2,source,note"
    public static let sharesHeader = "zone,zone_population,district_code,district,residents,lat,lon,radius_km,basis"

    /// The shares of one district, in file order.
    public func shares(of districtCode: String) -> [ZoneShare] { shares.filter { $0.districtCode == districtCode } }

    /// Parses both files (headers required), naming the file, line and field of every error. The shares of a zone
    /// must add up to its `zone_population`.
    public static func parse(census: String, shares sharesText: String) throws(DomainError) -> Census2020 {
        var errors: [InvalidParam] = []
        var rows: [String: Row] = [:]
        var zones: [String: Row] = [:]
        for (i, raw) in census.split(whereSeparator: \.isNewline).enumerated() {
            let f = CSV.splitLine(String(raw))
            let at = "census-2020.csv line \(i + 1)"
            if i == 0 {
                if f.joined(separator: ",") != censusHeader { errors.append(InvalidParam(name: at, reason: "expected header \(censusHeader)")) }
                continue
            }
            guard f.count == 6 else { errors.append(InvalidParam(name: at, reason: "expected 6 fields, found \(f.count)")); continue }
            guard let pop = Int(f[2]), pop > 0 else { errors.append(InvalidParam(name: "\(at).pop_2020", reason: "must be a positive integer")); continue }
            let row = Row(code: f[0].isEmpty ? nil : f[0], name: f[1], population: pop, source: f[4], note: f[5])
            if let code = row.code { rows[code] = row } else { zones[row.name] = row }
        }
        var shares: [ZoneShare] = []
        for (i, raw) in sharesText.split(whereSeparator: \.isNewline).enumerated() {
            let f = CSV.splitLine(String(raw))
            let at = "zone-shares.csv line \(i + 1)"
            if i == 0 {
                if f.joined(separator: ",") != sharesHeader { errors.append(InvalidParam(name: at, reason: "expected header \(sharesHeader)")) }
                continue
            }
            guard f.count == 9 else { errors.append(InvalidParam(name: at, reason: "expected 9 fields, found \(f.count)")); continue }
            guard let zonePop = Int(f[1]), zonePop > 0, let residents = Int(f[4]), residents > 0,
                  let lat = Double(f[5]), let lon = Double(f[6]), let r = Double(f[7]), r > 0 else {
                errors.append(InvalidParam(name: at, reason: "zone_population and residents must be positive integers, lat/lon/radius_km numbers"))
                continue
            }
            shares.append(ZoneShare(zone: f[0], zonePopulation: zonePop, districtCode: f[2], residents: residents,
                                    centre: GeoPoint(lat: lat, lon: lon), radiusKm: r, basis: f[8]))
        }
        for (zone, ss) in Dictionary(grouping: shares, by: \.zone) {
            let sum = ss.reduce(0) { $0 + $1.residents }
            if sum != ss[0].zonePopulation {
                errors.append(InvalidParam(name: "zone-shares.csv \(zone)", reason: "shares sum to \(sum), not the zone_population \(ss[0].zonePopulation)"))
            }
        }
        if !errors.isEmpty { throw .invalid(errors) }
        return Census2020(rows: rows, zones: zones, shares: shares)
    }
}
