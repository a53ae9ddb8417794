import Foundation
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain

extension Catalogue {
    /// Every outlet (whatever its operating state: a caller may name a closed office as a landmark) as a named
    /// point for the place lookup: name, address, administrative names and position, without hours.
    public func outletPlaces() async throws -> [NamedPoint] {
        let rows = try await client.fetch("""
            SELECT id, name, address, province, city, district, district_code, lat, lon FROM outlets ORDER BY id
            """, logger: logger)
        var out: [NamedPoint] = []
        for try await (id, name, address, province, city, district, code, lat, lon)
            in rows.decode((Int64, String, String, String, String, String, String, Double, Double).self) {
            out.append(NamedPoint.outlet(id: id, name: name, address: address, province: province, city: city, district: district,
                                         districtCode: code, location: GeoPoint(lat: lat, lon: lon)))
        }
        return out
    }
}

extension Catalogue {
    /// The named demand places of the coverage tables (communities and villages, SeedData/demand) and the
    /// streets (街道/镇/乡) they belong to, each street at the population-weighted centre of its places.
    public func demandPlaces() async throws -> [NamedPoint] {
        let rows = try await client.fetch("""
            SELECT d.code, d.region_code, r.province, r.city, r.name, d.street, d.name, d.kind, d.lat, d.lon, d.population
              FROM demand_points d JOIN regions r ON r.code = d.region_code ORDER BY d.id
            """, logger: logger)
        var out: [NamedPoint] = []
        struct Street { var parents: [String]; var lat = 0.0; var lon = 0.0; var people = 0.0 }
        var streets: [String: Street] = [:]
        var order: [String] = []
        for try await (code, region, province, city, district, street, name, kind, lat, lon, population)
            in rows.decode((String, String, String, String, String, String, String, String, Double, Double, Int).self) {
            let parents = city == district ? [province, city] : [province, city, district]
            out.append(NamedPoint(id: "demand:\(code)", kind: kind == "village" ? .village : .community, name: name,
                                  parents: parents + [street], point: GeoPoint(lat: lat, lon: lon), districtCode: region,
                                  source: "demand_points"))
            let key = "street:\(region):\(street)"
            if streets[key] == nil { streets[key] = Street(parents: parents); order.append(key) }
            let w = Double(max(1, population))
            streets[key]!.lat += lat * w
            streets[key]!.lon += lon * w
            streets[key]!.people += w
        }
        for key in order {
            let s = streets[key]!
            out.append(NamedPoint(id: key, kind: .street, name: String(key.split(separator: ":", maxSplits: 2)[2]), parents: s.parents,
                                  point: GeoPoint(lat: s.lat / s.people, lon: s.lon / s.people),
                                  districtCode: String(key.split(separator: ":")[1]), source: "demand_points"))
        }
        return out
    }
}
