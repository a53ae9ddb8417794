import ServiceCircleDomain
import Foundation

extension SeedGenerator {
    /// A prefecture-level city (or, for the municipalities and a few large county-level cities, a major
    /// centre) of the national generator's table: one row of `SeedData/generator/national-cities.csv`.
    public struct NationalCity: Hashable, Sendable {
        /// GB/T 2260 code of the city (`420100`); for 重庆's outlying centres and the county-level cities,
        /// the code of that district or city.
        public var code: String
        public var name: String
        public var province: String
        /// WGS-84 centre of the built-up area (to about a kilometre).
        public var lat: Double
        public var lon: Double
        /// Approximate 2020 census population of the city (persons); the sampling weight.
        public var population: Int
        /// Telephone area code (`027`).
        public var areaCode: String
        /// Outlets stay within this many kilometres of the centre (smaller for coastal and border cities,
        /// so that points stay on land).
        public var maxKm: Double
    }

    /// Streams `count` synthetic outlets spread over populated mainland China, deterministically from `seed`,
    /// without holding them in memory (a million take a few seconds in a release build).
    ///
    /// A row's city is drawn with probability proportional to its population among the tables'
    /// ``SeedTables/nationalCities`` (about 300 centres covering populated mainland China); its point is the centre
    /// plus a two-dimensional normal offset with σ growing with the city's size (≈4 km for a city of one million,
    /// ≈15 km for twenty million), redrawn when beyond the city's `maxKm` (≤ 30 km).
    /// Kinds follow the proportions of `national-kinds.csv` (e-bike points ≈38 %, 警邮 ≈22 %, clinics ≈10 %,
    /// inspection stations ≈8 %, ...), hours the templates of `national-kind-hours.csv`, and businesses follow the
    /// kind as in the article catalogue.
    ///
    /// National rows carry the **city's** GB/T 2260 code as `district_code` and the city's name as
    /// `district`: the generator knows no district boundaries (for 重庆's outlying centres and the few
    /// county-level cities in the table, the code and name of that district or city, with `city` its parent).
    /// Codes are `NAT-0000001` upwards (seven digits, more when `count` needs them).
    public static func national(count: Int, seed: UInt64 = defaultNationalSeed, tables: SeedTables,
                                body: (OutletRecord) throws -> Void) rethrows {
        guard count > 0 else { return }
        let n = NationalModel(tables: tables)
        var rng = SplitMix64(seed: seed ^ 0x5EED_C1C1_E000_0000)
        var rec = OutletRecord(code: "", name: "", kind: .ebikePlatePoint, address: "", province: "", city: "",
                               district: "", districtCode: "", phone: nil, lat: 0, lon: 0, operatingState: .active,
                               businesses: [], hours: .closed)
        let width = max(7, String(count).count)
        for i in 1...count {
            let c = n.cities[rng.pick(cumulative: n.cityCumulative)]
            let sigma = c.sigmaKm
            var p = (lat: c.city.lat, lon: c.city.lon)
            for attempt in 0..<8 {
                let s = attempt < 6 ? sigma : sigma / 3
                let q = offset(lat: c.city.lat, lon: c.city.lon, dNorthKm: rng.normal() * s, dEastKm: rng.normal() * s)
                let lat = round6(q.lat), lon = round6(q.lon)
                if distanceKm(c.city.lat, c.city.lon, lat, lon) <= c.city.maxKm {
                    p = (lat, lon)
                    break
                }
            }
            let kindIndex = rng.pick(cumulative: n.kindCumulative)
            let kind = n.kinds[kindIndex]
            let road = n.roads[rng.below(n.roads.count)]
            let no = 1 + rng.below(399)

            rec.code = "NAT-" + zeroPad(i, width)
            rec.kind = kind
            rec.name = n.name(kind: kind, city: c.city, road: road, rng: &rng)
            let place = c.cityName == c.city.name ? c.city.name : c.cityName + c.city.name
            rec.address = c.city.province == c.cityName
                ? place + road + String(no) + "号"
                : c.city.province + place + road + String(no) + "号"
            rec.province = c.city.province
            rec.city = c.cityName
            rec.district = c.city.name
            rec.districtCode = c.city.code
            let noPhone = kind == .selfServiceKiosk ? rng.chance(0.2) : rng.chance(0.01)
            rec.phone = noPhone ? nil
                : c.city.areaCode + "-" + localNumber(&rng, digits: c.digits)
            rec.lat = p.lat
            rec.lon = p.lon
            let variant = rng.below(6)
            rec.businesses = n.businesses[kindIndex][variant % n.businesses[kindIndex].count]
            let options = n.hours[kindIndex]
            rec.hours = options[rng.pick(cumulative: n.hoursCumulative[kindIndex])]
            rec.operatingState = rng.chance(0.003) ? .temporarilyClosed : (rng.chance(0.001) ? .closed : .active)
            try body(rec)
        }
    }

    /// The national generator's tables, precomputed once per run (weights, hours JSON, business lists).
    final class NationalModel: Sendable {
        struct City: Sendable {
            let city: NationalCity
            /// The prefecture-level city the row belongs to (the parent row for 重庆's districts and the
            /// county-level cities).
            let cityName: String
            let sigmaKm: Double
            let digits: Int
        }
        let cities: [City]
        let cityCumulative: [Double]
        let kinds: [OutletKind]
        let kindCumulative: [Double]
        /// Per kind: the business-list variants.
        let businesses: [[[BusinessCode]]]
        /// Per kind: hours JSON options and their cumulative weights.
        let hours: [[JSONValue]]
        let hoursCumulative: [[Double]]
        let roads: [String]
        let brands: [String]
        let malls: [String]
        let words: [String]

        init(tables: SeedTables) {
            let byCode = Dictionary(uniqueKeysWithValues: tables.nationalCities.map { ($0.code, $0.name) })
            cities = tables.nationalCities.map { c in
                let m = Double(c.population) / 1_000_000
                let sigma = min(16, 2.5 + 1.6 * m.squareRoot() + 0.15 * m)
                let parent = c.code.hasSuffix("00") ? c.name : (byCode[String(c.code.prefix(4)) + "00"] ?? c.name)
                return City(city: c, cityName: parent, sigmaKm: min(sigma, c.maxKm / 2),
                            digits: tables.eightDigitAreaCodes.contains(c.areaCode) ? 8 : 7)
            }
            var acc = 0.0
            cityCumulative = cities.map { acc += Double($0.city.population); return acc }

            let table = tables.nationalKinds
            kinds = table.map(\.kind)
            acc = 0
            kindCumulative = table.map { acc += $0.weight; return acc }
            businesses = table.map(\.kind).map { k in
                var variants: [[BusinessCode]] = []
                for v in 0..<6 {
                    let b = SeedGenerator.businesses(for: k, variant: v)
                    if !variants.contains(b) { variants.append(b) }
                }
                return variants
            }
            hours = table.map { $0.hours.map(\.template.hours.json) }
            hoursCumulative = table.map { row in
                var a = 0.0
                return row.hours.map { a += $0.weight; return a }
            }
            roads = tables.nationalRoads
            brands = tables.nationalEbikeBrands
            malls = tables.nationalMalls
            words = tables.nationalCompanyWords
        }

        func name(kind: OutletKind, city: NationalCity, road: String, rng: inout SeedGenerator.SplitMix64) -> String {
            let c = city.name
            switch kind {
            case .ebikePlatePoint:
                return rng.chance(0.5)
                    ? brands[rng.below(brands.count)] + "电动车（" + c + road + "店）电动自行车上牌点"
                    : c + road + "社区电动自行车登记服务站"
            case .policePostPoint:
                return rng.chance(0.5) ? "中国邮政" + c + road + "营业所警邮服务站" : c + road + "警邮服务点"
            case .medicalClinic:
                return rng.chance(0.7)
                    ? c + road + "社区卫生服务中心驾驶人体检窗口"
                    : c + "第" + ["一", "二", "三", "四", "五"][rng.below(5)] + "人民医院驾驶人体检中心"
            case .inspectionStation:
                return c + words[rng.below(words.count)] + "机动车检测有限公司"
            case .policeStationWindow:
                return c + "公安局" + road + "派出所综合服务窗口"
            case .selfServiceKiosk:
                return c + malls[rng.below(malls.count)] + "交管业务自助一体机"
            case .registrationStation:
                return c + road + "汽车城机动车登记服务站"
            case .governmentServiceWindow:
                return c + "政务服务中心公安交管窗口"
            case .examField:
                return c + road + "机动车驾驶人考场"
            case .branchOffice:
                return c + "公安局交通警察支队车辆管理所" + road + "分所"
            case .vehicleAdminOffice:
                return c + "公安局交通警察支队车辆管理所" + road + "业务大厅"
            case .selfServiceOffice:
                return c + road + "24小时自助车管所"
            case .mobileOffice:
                return c + "流动车管所"
            }
        }
    }
}
