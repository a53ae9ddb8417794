import Foundation
import PostgresNIO
import ServiceCircleDomain

extension Catalogue {
    /// Every outlet (whatever its operating state: a caller may name a closed office as a landmark) as a named
    /// point for the place lookup: name, address, administrative names and position, without hours.
    public func outletPlaces() async throws -> [NamedPoint] {
        let rows = try await client.query("""
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
