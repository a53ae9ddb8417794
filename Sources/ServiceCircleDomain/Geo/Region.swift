import Foundation

/// A district, county or city of the reference file `SeedData/regions.csv` (GB/T 2260 code, names, WGS-84
/// centroid, a point guaranteed inside the area, bounding box, area and 2020 census population).
/// Boundaries are not part of the data: the bounding box and the inside point are all there is.
public struct Region: Hashable, Sendable {
    /// A WGS-84 bounding box.
    public struct BoundingBox: Hashable, Sendable {
        public var minLat: Double
        public var minLon: Double
        public var maxLat: Double
        public var maxLon: Double
        public init(minLat: Double, minLon: Double, maxLat: Double, maxLon: Double) {
            self.minLat = minLat
            self.minLon = minLon
            self.maxLat = maxLat
            self.maxLon = maxLon
        }
        /// Inclusive containment test.
        public func contains(lat: Double, lon: Double) -> Bool {
            lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon
        }
        public func contains(_ p: GeoPoint) -> Bool { contains(lat: p.lat, lon: p.lon) }
    }

    /// GB/T 2260 six-digit code (`420116`).
    public var code: String
    public var province: String
    /// The prefecture-level city (for a city row, its own name).
    public var city: String
    /// The region's own name (`黄陂区`; for a city row, the city's name).
    public var name: String
    public var centroid: GeoPoint
    /// A point guaranteed to lie inside the area (the centroid of a crescent-shaped district may not).
    public var insidePoint: GeoPoint
    public var bbox: BoundingBox
    public var areaKm2: Double
    /// 2020 (7th) census population; nil where the file has none.
    public var population2020: Int?
    /// Where the population figure comes from (or why there is none).
    public var populationSource: String
    /// The code of the city row this district belongs to (same first four digits + `00`), when the file has one.
    public var parentCode: String?

    public init(code: String, province: String, city: String, name: String, centroid: GeoPoint, insidePoint: GeoPoint,
                bbox: BoundingBox, areaKm2: Double, population2020: Int?, populationSource: String, parentCode: String? = nil) {
        self.code = code
        self.province = province
        self.city = city
        self.name = name
        self.centroid = centroid
        self.insidePoint = insidePoint
        self.bbox = bbox
        self.areaKm2 = areaKm2
        self.population2020 = population2020
        self.populationSource = populationSource
        self.parentCode = parentCode
    }

    /// True for a prefecture-level city row (code ending in `00`).
    public var isCity: Bool { code.hasSuffix("00") }
}

extension Region {
    /// Parses the regions CSV:
    /// `adcode,province,city,name,centroid_lat_wgs84,centroid_lon_wgs84,inside_lat_wgs84,inside_lon_wgs84,
    /// bbox_wgs84_minlat_minlon_maxlat_maxlon,area_km2,pop_2020_census,pop_source` (the bbox is one quoted field
    /// of four comma-separated numbers). A header line is skipped. Errors name the line and the field.
    /// Sets ``parentCode`` of every district whose city row is in the same file.
    public static func parseCSV(_ text: String) throws(DomainError) -> [Region] {
        var out: [Region] = []
        var errors: [InvalidParam] = []
        var seen: Set<String> = []
        for (i, raw) in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let f = CSV.splitLine(line)
            if i == 0 && f.first == "adcode" { continue }
            let where_ = "regions line \(i + 1)"
            guard f.count == 12 else {
                errors.append(InvalidParam(name: where_, reason: "expected 12 fields, found \(f.count)"))
                continue
            }
            var bad = false
            func fail(_ field: String, _ reason: String) {
                errors.append(InvalidParam(name: "\(where_).\(field)", reason: reason))
                bad = true
            }
            func number(_ s: String, _ field: String) -> Double {
                guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    fail(field, "'\(s)' is not a number"); return 0
                }
                return v
            }
            let code = f[0].trimmingCharacters(in: .whitespaces)
            if code.count != 6 || !code.allSatisfy({ $0.isASCII && $0.isNumber }) { fail("adcode", "'\(code)' is not a six-digit GB/T 2260 code") }
            if seen.contains(code) { fail("adcode", "duplicate code \(code)") }
            seen.insert(code)
            for (j, field) in [(1, "province"), (2, "city"), (3, "name")] where f[j].isEmpty { fail(field, "must not be empty") }
            let cLat = number(f[4], "centroid_lat_wgs84"), cLon = number(f[5], "centroid_lon_wgs84")
            let iLat = number(f[6], "inside_lat_wgs84"), iLon = number(f[7], "inside_lon_wgs84")
            let bparts = f[8].split(separator: ",").map(String.init)
            var box = BoundingBox(minLat: 0, minLon: 0, maxLat: 0, maxLon: 0)
            if bparts.count == 4 {
                box = BoundingBox(minLat: number(bparts[0], "bbox"), minLon: number(bparts[1], "bbox"),
                                  maxLat: number(bparts[2], "bbox"), maxLon: number(bparts[3], "bbox"))
                if box.minLat > box.maxLat || box.minLon > box.maxLon { fail("bbox", "min exceeds max") }
            } else { fail("bbox", "expected \"minlat,minlon,maxlat,maxlon\"") }
            for (lat, lon, field) in [(cLat, cLon, "centroid"), (iLat, iLon, "inside")] {
                if !(-90...90).contains(lat) || !(-180...180).contains(lon) { fail(field, "coordinates out of range") }
            }
            let area = number(f[9], "area_km2")
            var pop: Int?
            let popText = f[10].trimmingCharacters(in: .whitespaces)
            if !popText.isEmpty {
                if let p = Int(popText), p >= 0 { pop = p } else { fail("pop_2020_census", "'\(popText)' is not a whole number") }
            }
            if bad { continue }
            if !box.contains(lat: iLat, lon: iLon) { fail("inside", "inside point is outside the bbox"); continue }
            out.append(Region(code: code, province: f[1], city: f[2], name: f[3],
                              centroid: GeoPoint(lat: cLat, lon: cLon), insidePoint: GeoPoint(lat: iLat, lon: iLon),
                              bbox: box, areaKm2: area, population2020: pop, populationSource: f[11]))
        }
        if !errors.isEmpty { throw .invalid(errors) }
        let codes = Set(out.map(\.code))
        for k in out.indices where !out[k].isCity {
            let parent = String(out[k].code.prefix(4)) + "00"
            if codes.contains(parent) { out[k].parentCode = parent }
        }
        return out
    }
}
