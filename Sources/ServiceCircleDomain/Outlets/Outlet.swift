/// Whether an outlet operates at all; anything but `active` is closed at every instant.
public enum OperatingState: String, CaseIterable, Codable, Sendable {
    case active
    case temporarilyClosed = "temporarily_closed"
    case closed
}

/// A WGS-84 point.
public struct GeoPoint: Hashable, Sendable, Codable {
    public var lat: Double
    public var lon: Double
    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }
}

/// An outlet of the network as the catalogue holds it.
public struct Outlet: Hashable, Sendable, Identifiable {
    /// Database identity; stable for the life of the row.
    public struct ID: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var rawValue: Int64
        public init(_ rawValue: Int64) { self.rawValue = rawValue }
        public static func < (a: ID, b: ID) -> Bool { a.rawValue < b.rawValue }
        public var description: String { String(rawValue) }
    }

    public var id: ID
    /// Stable external code (e.g. `WH-EB-0001`), unique across the catalogue.
    public var code: String
    public var name: String
    public var kind: OutletKind
    public var address: String
    public var province: String
    public var city: String
    public var district: String
    /// GB/T 2260 six-digit code of the district the outlet lies in.
    public var districtCode: String
    public var phone: String?
    public var location: GeoPoint
    public var operatingState: OperatingState
    public var businesses: [BusinessCode]
    public var hours: Hours
    /// Where the data came from and when it was last confirmed (not an editable field: the write path sets it).
    public var provenance: Provenance

    public init(id: ID, code: String, name: String, kind: OutletKind, address: String, province: String, city: String,
                district: String, districtCode: String, phone: String?, location: GeoPoint,
                operatingState: OperatingState, businesses: [BusinessCode], hours: Hours, provenance: Provenance = Provenance()) {
        self.provenance = provenance
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.address = address
        self.province = province
        self.city = city
        self.district = district
        self.districtCode = districtCode
        self.phone = phone
        self.location = location
        self.operatingState = operatingState
        self.businesses = businesses
        self.hours = hours
    }

    public func compiledHours(calendar: HolidayCalendar) -> CompiledHours {
        CompiledHours(hours: hours, businesses: BusinessSet(businesses), operating: operatingState == .active, calendar: calendar)
    }
}

/// An outlet as the seed files and bulk loads carry it: everything but the database id.
/// One JSON object per line in `SeedData/outlets/*.jsonl`.
public struct OutletRecord: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var kind: OutletKind
    public var address: String
    public var province: String
    public var city: String
    public var district: String
    public var districtCode: String
    public var phone: String?
    public var lat: Double
    public var lon: Double
    public var operatingState: OperatingState
    public var businesses: [BusinessCode]
    public var hours: JSONValue

    enum CodingKeys: String, CodingKey {
        case code, name, kind, address, province, city, district
        case districtCode = "district_code"
        case phone, lat, lon
        case operatingState = "operating_state"
        case businesses, hours
    }

    public init(code: String, name: String, kind: OutletKind, address: String, province: String, city: String,
                district: String, districtCode: String, phone: String?, lat: Double, lon: Double,
                operatingState: OperatingState, businesses: [BusinessCode], hours: Hours) {
        self.init(code: code, name: name, kind: kind, address: address, province: province, city: city, district: district,
                  districtCode: districtCode, phone: phone, lat: lat, lon: lon, operatingState: operatingState,
                  businesses: businesses, hoursJSON: hours.json)
    }

    /// The same with the hours as already-encoded JSON (the import keeps what the file said).
    init(code: String, name: String, kind: OutletKind, address: String, province: String, city: String, district: String,
         districtCode: String, phone: String?, lat: Double, lon: Double, operatingState: OperatingState,
         businesses: [BusinessCode], hoursJSON: JSONValue) {
        self.code = code
        self.name = name
        self.kind = kind
        self.address = address
        self.province = province
        self.city = city
        self.district = district
        self.districtCode = districtCode
        self.phone = phone
        self.lat = lat
        self.lon = lon
        self.operatingState = operatingState
        self.businesses = businesses
        self.hours = hoursJSON
    }
}
