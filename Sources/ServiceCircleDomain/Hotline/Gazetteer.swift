import Foundation

/// The places callers name that the catalogue does not hold: landmarks (`SeedData/gazetteer/landmarks.csv`: stations,
/// squares, hospitals, universities, bridges… with their aliases) and the national list of provinces, cities and
/// districts (`SeedData/regions-national.csv`, GB/T 2260), as named points for the place index.
public enum Gazetteer {
    /// A region of the national list: its name, level and the names of the areas it lies in.
    public struct NationalRegion: Sendable {
        public var code: String
        public var name: String
        public var level: String
        public var province: String
        public var city: String
        public var centre: GeoPoint
    }

    public static func nationalRegions(csv: String) throws -> [NationalRegion] {
        var out: [NationalRegion] = []
        for (n, line) in csv.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let r = CSV.splitLine(String(line))
            guard r.count >= 8, let lat = Double(r[6]), let lon = Double(r[7]) else {
                throw DomainError.invalid("regions", "SeedData/regions-national.csv:\(n + 1): expected adcode,name,level,parent_adcode,province,city,lat,lon")
            }
            out.append(NationalRegion(code: r[0], name: r[1], level: r[2], province: r[4], city: r[5], centre: GeoPoint(lat: lat, lon: lon)))
        }
        return out
    }

    /// The national regions as named points the catalogue does not cover (`catalogued: false`), skipping the codes
    /// of `skip` (the catalogue's own regions, already in the index).
    public static func nationalPoints(_ regions: [NationalRegion], skip: Set<String>) -> [NamedPoint] {
        regions.filter { !skip.contains($0.code) }.compactMap { r in
            let kind: PlaceKind
            var parents: [String]
            switch r.level {
            case "province": kind = .province; parents = []
            case "city": kind = .city; parents = [r.province]
            case "district": kind = .district; parents = [r.province, r.city]
            default: return nil
            }
            parents = parents.filter { !$0.isEmpty && $0 != r.name }
            if parents.count == 2 && parents[0] == parents[1] { parents.removeLast() }
            var p = NamedPoint(id: "region:\(r.code)", kind: kind, name: r.name, parents: parents, point: r.centre,
                               districtCode: r.code, source: "national")
            p.catalogued = false
            return p
        }
    }

    /// Landmarks with their aliases: each row a point `landmark:<district>:<name>`, each alias a point of its own
    /// (`…#1`, `aliasOf` the name). `areas` gives a district code's province, city and district names.
    public static func landmarks(csv: String, areas: [String: (province: String, city: String, district: String)]) throws -> [NamedPoint] {
        var out: [NamedPoint] = []
        let lines = csv.split(whereSeparator: \.isNewline)
        guard let header = lines.first.map({ CSV.splitLine(String($0)) }) else { return [] }
        func col(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else { throw DomainError.invalid("gazetteer", "landmarks.csv: no column \(name)") }
            return i
        }
        let (cName, cAliases, cKind, cCode, cLat, cLon, cSource, cApprox) =
            (try col("name"), try col("aliases"), try col("kind"), try col("district_code"), try col("lat_wgs84"), try col("lon_wgs84"),
             try col("source"), try col("approximate"))
        for (n, line) in lines.enumerated().dropFirst() {
            let r = CSV.splitLine(String(line))
            guard r.count == header.count, let lat = Double(r[cLat]), let lon = Double(r[cLon]), let area = areas[r[cCode]] else {
                throw DomainError.invalid("gazetteer", "SeedData/gazetteer/landmarks.csv:\(n + 1): bad row or unknown district_code")
            }
            var parents = [area.province, area.city, area.district].filter { !$0.isEmpty }
            if parents.count >= 2 && parents[0] == parents[1] { parents.remove(at: 1) }
            let id = "landmark:\(r[cCode]):\(r[cName])"
            var p = NamedPoint(id: id, kind: .landmark, name: r[cName], parents: parents, point: GeoPoint(lat: lat, lon: lon),
                               districtCode: r[cCode], source: "gazetteer:" + r[cSource])
            p.approximate = r[cApprox] == "true"
            _ = r[cKind]
            out.append(p)
            for (k, alias) in r[cAliases].split(separator: "|").enumerated() where alias != r[cName] {
                var a = p
                a.id = id + "#\(k + 1)"
                a.name = String(alias)
                a.aliasOf = r[cName]
                out.append(a)
            }
        }
        return out
    }
}
