import Foundation

/// One administrative region of China's GB/T 2260 hierarchy as the boundary layers name it.
public struct AdminRegion: Hashable, Sendable {
    public enum Level: String, Sendable { case province, city, district }
    /// Six-digit GB/T 2260 code (Amap's 810001–820008 for Hong Kong's districts and Macau's parishes).
    public var code: String
    public var name: String
    public var level: Level
    public init(code: String, name: String, level: Level) {
        self.code = code
        self.name = name
        self.level = level
    }
}

/// The district (or county), city and province containing a point; all nil when the point is in no region of China
/// (at sea, abroad). The three always agree: city and province are the district's parents.
public struct RegionLocation: Hashable, Sendable {
    public var district: AdminRegion?
    public var city: AdminRegion?
    public var province: AdminRegion?
    public init(district: AdminRegion? = nil, city: AdminRegion? = nil, province: AdminRegion? = nil) {
        self.district = district
        self.city = city
        self.province = province
    }
    public static let nowhere = RegionLocation()

    /// `湖北省武汉市江汉区`: the names from the province down, each once (`北京市东城区`, `广东省东莞市`).
    public var fullNameZh: String {
        var out = ""
        var last = ""
        for name in [province?.name, city?.name, district?.name].compactMap({ $0 }) where name != last {
            out += name
            last = name
        }
        return out
    }
}

/// What the catalogue covers: its districts (the district/county rows of `SeedData/regions.csv`).
public struct CatalogueScope: Sendable {
    /// District code → name, for every district the catalogue covers.
    public let districts: [String: String]
    /// City name → the names of its covered districts, in file order (to say what is covered in a partly covered city).
    public let districtsByCity: [String: [String]]

    public init(_ regions: [Region]) {
        var districts: [String: String] = [:]
        var byCity: [String: [String]] = [:]
        for r in regions where !r.isCity {
            districts[r.code] = r.name
            byCity[r.city, default: []].append(r.name)
        }
        self.districts = districts
        districtsByCity = byCity
    }

    public func covers(_ districtCode: String) -> Bool { districts[districtCode] != nil }
}

/// Whether the catalogue covers a place, one shape for every answer that locates a point (`/v1/regions/at`,
/// `/v1/nearest` `query.coverage`, the hotline): `inCatalogue` true for a covered district, false for a place in China
/// the catalogue does not cover (named, never snapped to the nearest covered city), nil when the place is in no
/// Chinese region or could not be located.
public struct CatalogueCoverage: Hashable, Sendable {
    /// The named place: the district with its city and province names.
    public struct Place: Hashable, Sendable {
        public var code: String
        public var name: String
        public var city: String
        public var province: String
        public init(code: String, name: String, city: String, province: String) {
            self.code = code
            self.name = name
            self.city = city
            self.province = province
        }
    }

    public var inCatalogue: Bool?
    public var region: Place?
    public var messageZh: String

    public init(inCatalogue: Bool?, region: Place?, messageZh: String) {
        self.inCatalogue = inCatalogue
        self.region = region
        self.messageZh = messageZh
    }

    /// When no boundaries are loaded: nothing can be said.
    public static let unknown = CatalogueCoverage(inCatalogue: nil, region: nil,
                                                  messageZh: "未加载行政区划边界，无法判断该位置所属地区及是否在服务范围内。")

    /// The coverage of a located point.
    public static func of(_ location: RegionLocation, scope: CatalogueScope) -> CatalogueCoverage {
        guard let district = location.district else {
            return CatalogueCoverage(inCatalogue: nil, region: nil,
                                     messageZh: "该位置不在中国任何县级行政区内（可能在海上或境外），无法判断所属地区；本服务只覆盖中国境内的部分城市。")
        }
        let city = location.city?.name ?? ""
        let province = location.province?.name ?? ""
        let place = Place(code: district.code, name: district.name, city: city, province: province)
        let full = location.fullNameZh
        if scope.covers(district.code) {
            return CatalogueCoverage(inCatalogue: true, region: place, messageZh: "该位置在\(full)，在本服务覆盖范围内。")
        }
        let message: String
        if let covered = scope.districtsByCity[city], !covered.isEmpty {
            message = "该位置在\(full)。本服务在\(city)只覆盖\(covered.joined(separator: "、"))，不覆盖\(district.name)，暂无该地的网点信息。"
        } else {
            let area = RegionLocation(city: location.city, province: location.province).fullNameZh
            message = "该位置在\(full)。本服务暂不覆盖\(area.isEmpty ? district.name : area)，暂无该地的网点信息。"
        }
        return CatalogueCoverage(inCatalogue: false, region: place, messageZh: message)
    }
}
