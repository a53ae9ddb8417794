import ServiceCircleDomain
import Foundation

// MARK: - Anchors

extension SeedGenerator {
    /// A hand-picked WGS-84 point well inside a district and on land (a town, street or 街道 centre, or the
    /// region file's inside point or centroid where that is known to be on land), with the radius within which
    /// seed outlets are scattered around it. The anchor lies inside its district's real polygon by more than 30 m;
    /// points drawn outside the polygon are pulled back toward the anchor (``SeedBoundaries``). Staying out of
    /// rivers and lakes rests on these points and their small radii: in central Wuhan, split by the
    /// Yangtze and the Han and dotted with lakes (东湖, 沙湖, 墨水湖, 龙阳湖, 汤逊湖, 后官湖), radii are 0.2–0.5 km
    /// and anchors sit 1 km or more from the banks. One row of `SeedData/generator/anchors.csv`.
    public struct Anchor: Hashable, Sendable {
        /// GB/T 2260 code of the district the anchor lies in.
        public var districtCode: String
        /// Short place name used in outlet names (`后湖`, `前川`).
        public var place: String
        /// The 街道/镇/乡 used in addresses (`后湖街道`).
        public var street: String
        public var lat: Double
        public var lon: Double
        /// Outlets are placed uniformly within this distance of the anchor.
        public var radiusKm: Double
        /// Share of the district's outlets that go to this anchor, relative to the district's other anchors.
        public var weight: Double
        /// Roads near the anchor, for addresses.
        public var roads: [String]
    }
}

// MARK: - Article catalogue

extension SeedGenerator {
    /// Stable two- or three-letter kind part of an outlet code (`WH-EB-0001`).
    public static func codeAbbreviation(_ kind: OutletKind) -> String {
        switch kind {
        case .vehicleAdminOffice: "VA"
        case .branchOffice: "BR"
        case .selfServiceOffice: "SS"
        case .selfServiceKiosk: "KS"
        case .policePostPoint: "JY"
        case .policeStationWindow: "PS"
        case .governmentServiceWindow: "GW"
        case .inspectionStation: "IS"
        case .examField: "EX"
        case .medicalClinic: "MC"
        case .ebikePlatePoint: "EB"
        case .registrationStation: "RS"
        case .mobileOffice: "MO"
        }
    }

    /// The 13 districts of 武汉市 in regions.csv, in code order.
    public static let wuhanDistricts = ["420102", "420103", "420104", "420105", "420106", "420107", "420111",
                                        "420112", "420113", "420114", "420115", "420116", "420117"]
    /// Wuhan's 新城区 (outer districts), where the 39 new 警邮 points of the article went.
    public static let wuhanOuterDistricts = ["420112", "420113", "420114", "420115", "420116", "420117"]
    /// The urban districts of 石家庄市 in regions.csv.
    public static let shijiazhuangDistricts = ["130102", "130104", "130105", "130107", "130108", "130109", "130110", "130111"]
    /// The districts of 贵阳市 in regions.csv.
    public static let guiyangDistricts = ["520102", "520103", "520111", "520112", "520113", "520115"]

    /// The illustrative catalogue of the places the source articles name, in the articles' proportions:
    ///
    /// | place | outlets |
    /// |---|---|
    /// | 武汉市 (13 districts) | 1 车管所, 3 分所/服务中心, 8 无人车管所, 2 考场 (南湖, 白沙洲), 110 体检点, 173 警邮 (134 + 39 in 新城区), 1,051 上牌点, 36 检测站, 1 流动车管所 |
    /// | 阳谷县 | 1 车管所, 6 自助一体机, 19 警邮/警保, 6 体检点, 13 检测站, 11 公安服务中心/派出所窗口, 1 考场 |
    /// | 广平县 | 1 车管所, 2 检测站 (会昌, 鑫盛; 双休日不休息), 1 考场 (每周六) |
    /// | 石家庄市 | 1 车管所, 3 分所, 63 检测站, 35 登记服务站 |
    /// | 贵阳市 | 1 车管所业务大厅 (延时 to 20:00, 双休日/节假日加时), 6 政务服务中心窗口, 6 自助一体机, 1 流动车管所 |
    /// | 铜仁市碧江区, 兴义市 | one 7×24 自助车管所 each |
    ///
    /// Every point lies within its anchor's radius (see ``Anchor``; the anchors and name parts come from `tables`),
    /// inside its district's bounding box and, with ``SeedTables/boundaries``, inside its district's real polygon by
    /// ``SeedBoundaries/marginMetres``. Districts missing from `regions` are skipped (their outlets are not
    /// generated).
    public static func articleCatalogue(regions: [Region], tables: SeedTables) -> [OutletRecord] {
        let b = ArticleBuilder(regions: regions, tables: tables)
        b.wuhan()
        b.yanggu()
        b.guangping()
        b.shijiazhuang()
        b.guiyang()
        b.guizhouSelfService()
        return b.records
    }
}

/// Assembles the article catalogue; one instance per call.
final class ArticleBuilder {
    typealias G = SeedGenerator
    typealias Anchor = SeedGenerator.Anchor
    typealias T = SeedGenerator.HoursTemplate

    let regions: [String: Region]
    let tables: SeedTables
    private(set) var records: [OutletRecord] = []
    private var counters: [String: Int] = [:]
    private var usedNames: Set<String> = []
    private var hoursCache: [T: Hours] = [:]

    init(regions: [Region], tables: SeedTables) {
        var d: [String: Region] = [:]
        for r in regions { d[r.code] = r }
        self.regions = d
        self.tables = tables
    }

    /// Name parts (`SeedData/generator/article-*.csv`).
    var ebikeBrands: [String] { tables.articleEbikeBrands }
    var communities: [String] { tables.articleCommunityWords }
    var inspectionWords: [String] { tables.articleInspectionWords }

    // MARK: Primitives

    func hours(_ t: T) -> Hours {
        if let h = hoursCache[t] { return h }
        let h = t.hours
        hoursCache[t] = h
        return h
    }

    func nextCode(_ place: String, _ kind: OutletKind) -> String {
        let key = place + "-" + G.codeAbbreviation(kind)
        let n = (counters[key] ?? 0) + 1
        counters[key] = n
        return key + "-" + G.zeroPad(n, 4)
    }

    /// The first (name, road) candidate whose name is not used yet; else the first with a running number.
    func uniqueChoice(_ candidates: [(name: String, road: String?)]) -> (name: String, road: String?) {
        for c in candidates where !usedNames.contains(c.name) {
            usedNames.insert(c.name)
            return c
        }
        return (uniqueName([candidates[0].name]), candidates[0].road)
    }

    /// Rotating candidates `{prefix}{community}{suffix}`, starting at `offset`.
    func communityNames(_ prefix: String, _ suffix: String, offset: Int) -> [(name: String, road: String?)] {
        let n = communities.count
        return (0..<n).map { (prefix + communities[(offset + $0) % n] + suffix, nil) }
    }

    /// Rotating dealer candidates `{brand}电动车（{road}店）电动自行车上牌点`, starting at `offset`.
    func dealerNames(_ a: Anchor, offset: Int) -> [(name: String, road: String?)] {
        let nb = ebikeBrands.count, nr = a.roads.count
        return (0..<(nb * nr)).map { i in
            let road = a.roads[(offset + i / nb) % nr]
            return (ebikeBrands[(offset + i) % nb] + "电动车（" + road + "店）电动自行车上牌点", road)
        }
    }

    /// Rotating inspection-company candidates `{prefix}{word}机动车检测有限公司`, starting at `offset`.
    func companyNames(_ prefix: String, offset: Int) -> [String] {
        let n = inspectionWords.count
        return (0..<n).map { prefix + inspectionWords[(offset + $0) % n] + "机动车检测有限公司" }
    }

    /// The first candidate not used yet; else the first with a running number.
    func uniqueName(_ candidates: [String]) -> String {
        for c in candidates where !usedNames.contains(c) {
            usedNames.insert(c)
            return c
        }
        var k = 2
        while true {
            let c = candidates[0] + "（\(k)）"
            if !usedNames.contains(c) { usedNames.insert(c); return c }
            k += 1
        }
    }

    /// A point uniformly within the anchor's radius and inside the district's bbox, then inside its polygon
    /// (``inDistrict(_:_:_:)``).
    func point(_ a: Anchor, _ region: Region, _ rng: inout G.SplitMix64) -> (lat: Double, lon: Double) {
        for _ in 0..<64 {
            let rr = a.radiusKm * rng.unit().squareRoot()
            let th = 2 * Double.pi * rng.unit()
            let p = G.offset(lat: a.lat, lon: a.lon, dNorthKm: rr * Foundation.cos(th), dEastKm: rr * Foundation.sin(th))
            let lat = G.round6(p.lat), lon = G.round6(p.lon)
            if region.bbox.contains(lat: lat, lon: lon) && G.distanceKm(a.lat, a.lon, lat, lon) <= a.radiusKm {
                return inDistrict((lat, lon), a, region)
            }
        }
        return (a.lat, a.lon)
    }

    /// The drawn point when it lies inside the district's real polygon by ``SeedBoundaries/marginMetres``; otherwise
    /// the first point on the way back to the anchor (in twentieths of the way) that does. Deterministic and draws
    /// no random number, so a point already inside is unchanged and the rest of the catalogue with it. Anchors lie
    /// inside their district by more than the margin (a test checks it), so the anchor itself ends the walk.
    func inDistrict(_ p: (lat: Double, lon: Double), _ a: Anchor, _ region: Region) -> (lat: Double, lon: Double) {
        guard let b = tables.boundaries, b.has(region.code), !b.isWellInside(region.code, lat: p.lat, lon: p.lon) else { return p }
        for k in 1..<20 {
            let t = 1 - Double(k) / 20
            let q = (lat: G.round6(a.lat + t * (p.lat - a.lat)), lon: G.round6(a.lon + t * (p.lon - a.lon)))
            if b.isWellInside(region.code, lat: q.lat, lon: q.lon) { return q }
        }
        return (a.lat, a.lon)
    }

    func address(_ region: Region, _ a: Anchor, _ rng: inout G.SplitMix64, road: String? = nil) -> String {
        let rd = road ?? rng.element(a.roads)
        let no = 1 + rng.below(268)
        let street = a.street == rd ? "" : a.street
        return region.name + street + rd + "\(no)号"
    }

    func add(place: String, kind: OutletKind, region: Region, anchor: Anchor, name: String, address: String,
             phone: String?, businesses: [BusinessCode], hours: Hours, state: OperatingState = .active,
             rng: inout G.SplitMix64) {
        let p = point(anchor, region, &rng)
        let rec = OutletRecord(code: nextCode(place, kind), name: name, kind: kind, address: address,
                               province: region.province, city: region.city, district: region.name,
                               districtCode: region.code, phone: phone, lat: p.lat, lon: p.lon,
                               operatingState: state, businesses: businesses, hours: hours)
        records.append(rec)
    }

    /// Apportions `total` outlets over `districts` by `weights`, then over each district's anchors by their
    /// weights, and calls `make` for each with (region, anchor, index at the anchor, index in the district).
    func spread(_ districts: [String], weights: [Double], total: Int, label: String,
                _ make: (Region, Anchor, Int, Int, inout G.SplitMix64) -> Void) {
        let perDistrict = G.apportion(total, weights: weights)
        for (i, code) in districts.enumerated() {
            guard let region = regions[code] else { continue }
            let anchors = tables.anchors(in: code)
            guard !anchors.isEmpty else { continue }
            var rng = G.SplitMix64(label + "/" + code)
            let perAnchor = G.apportion(perDistrict[i], weights: anchors.map(\.weight))
            var k = 0
            for (ai, a) in anchors.enumerated() {
                for j in 0..<perAnchor[ai] {
                    make(region, a, j, k, &rng)
                    k += 1
                }
            }
        }
    }

    func popWeights(_ codes: [String]) -> [Double] {
        codes.map { Double(regions[$0]?.population2020 ?? 300_000) }
    }

    func anchor(_ code: String, _ place: String) -> Anchor? {
        tables.anchors(in: code).first { $0.place == place }
    }

    /// Runs `body` with the region and anchor when both exist.
    func at(_ code: String, _ place: String, label: String, _ body: (Region, Anchor, inout G.SplitMix64) -> Void) {
        guard let region = regions[code], let a = anchor(code, place) else { return }
        var rng = G.SplitMix64(label + "/" + code + "/" + place)
        body(region, a, &rng)
    }

    // MARK: Phones

    func wuhanPhone(_ code: String, _ rng: inout G.SplitMix64) -> String {
        let prefix: String
        switch code {
        case "420116": prefix = "61"
        case "420117": prefix = "89"
        case "420115": prefix = "81"
        case "420114", "420113": prefix = "84"
        case "420112": prefix = "83"
        default: prefix = "8" + String(2 + rng.below(7))
        }
        return "027-" + G.localNumber(&rng, digits: 8, prefix: prefix)
    }

    func yangguPhone(_ rng: inout G.SplitMix64) -> String { "0635-" + G.localNumber(&rng, digits: 7, prefix: "6") }
    func guangpingPhone(_ rng: inout G.SplitMix64) -> String { "0310-" + G.localNumber(&rng, digits: 7, prefix: "25") }
    func shijiazhuangPhone(_ rng: inout G.SplitMix64) -> String { "0311-" + G.localNumber(&rng, digits: 8, prefix: "8") }
    /// Guizhou merged its area codes into 0851 (8-digit numbers) in 2015; 铜仁 (formerly 0856) and 兴义
    /// (formerly 0859) numbers are therefore written 0851-xxxxxxxx.
    func guizhouPhone(_ rng: inout G.SplitMix64, prefix: String = "8") -> String {
        "0851-" + G.localNumber(&rng, digits: 8, prefix: prefix)
    }

    // MARK: 武汉市

    func wuhan() {
        let d = G.wuhanDistricts
        let w = popWeights(d)

        // 车管所 (午间延时; Saturday morning for routine business).
        at("420105", "王家湾", label: "WH-VA") { region, a, rng in
            add(place: "WH", kind: .vehicleAdminOffice, region: region, anchor: a,
                name: uniqueName(["武汉市公安局交通管理局车辆管理所"]),
                address: address(region, a, &rng, road: "龙阳大道"), phone: "027-" + G.localNumber(&rng, digits: 8, prefix: "84"),
                businesses: G.businesses(for: .vehicleAdminOffice), hours: hours(.officeNoonSaturdayRoutine), rng: &rng)
        }
        // 2 车管分所 and 1 服务中心.
        let branches: [(String, String, String, T)] = [
            ("420102", "后湖", "武汉市公安局交通管理局车辆管理所汉口分所", .officeNoon),
            ("420111", "关山", "武汉市公安局交通管理局车辆管理所武昌分所", .officeNoon),
            ("420112", "吴家山", "武汉市公安局交通管理局车辆管理所车驾管服务中心", .officeSaturdayRoutine),
        ]
        for (code, place, name, t) in branches {
            at(code, place, label: "WH-BR") { region, a, rng in
                add(place: "WH", kind: .branchOffice, region: region, anchor: a, name: uniqueName([name]),
                    address: address(region, a, &rng), phone: wuhanPhone(code, &rng),
                    businesses: G.businesses(for: .branchOffice), hours: hours(t), rng: &rng)
            }
        }
        // 8 无人车管所 (7×24); the 青山 one is 24-hour only for renewal and replacement.
        let selfService: [(String, String)] = [
            ("420102", "后湖"), ("420103", "万松园"), ("420104", "古田"), ("420105", "钟家村"),
            ("420106", "洪山广场"), ("420111", "光谷"), ("420107", "红钢城"), ("420112", "吴家山"),
        ]
        for (code, place) in selfService {
            at(code, place, label: "WH-SS") { region, a, rng in
                let t: T = code == "420107" ? .selfService24Renewal : .selfService24
                add(place: "WH", kind: .selfServiceOffice, region: region, anchor: a,
                    name: uniqueName(["武汉市无人车管所（\(region.name)\(a.place)站）"]),
                    address: address(region, a, &rng), phone: wuhanPhone(code, &rng),
                    businesses: G.businesses(for: .selfServiceOffice), hours: hours(t), rng: &rng)
            }
        }
        // 考场: 南湖 (weekend exam plans) and 白沙洲.
        at("420111", "卓刀泉", label: "WH-EX") { region, a, rng in
            add(place: "WH", kind: .examField, region: region, anchor: a,
                name: uniqueName(["武汉市公安局交通管理局车辆管理所南湖考场"]),
                address: address(region, a, &rng, road: "雄楚大道"), phone: wuhanPhone("420111", &rng),
                businesses: G.businesses(for: .examField, variant: 0), hours: hours(.examWeekend), rng: &rng)
        }
        at("420111", "白沙洲", label: "WH-EX") { region, a, rng in
            add(place: "WH", kind: .examField, region: region, anchor: a,
                name: uniqueName(["武汉市公安局交通管理局车辆管理所白沙洲考场"]),
                address: address(region, a, &rng, road: "白沙洲大道"), phone: wuhanPhone("420111", &rng),
                businesses: G.businesses(for: .examField, variant: 2), hours: hours(.exam), rng: &rng)
        }
        // 110 驾驶人体检点 (hospitals and 社区卫生服务中心 windows).
        spread(d, weights: w, total: 110, label: "WH-MC") { region, a, j, k, rng in
            var names: [(name: String, road: String?)] = []
            if k == 0 { names.append(("\(region.name)人民医院驾驶人体检中心", nil)) }
            if j == 0 { names.append(("\(region.name)\(a.street)社区卫生服务中心驾驶人体检窗口", nil)) }
            names += communityNames(region.name + a.place, "社区卫生服务站驾驶人体检点", offset: j * 5 + k)
            let choice = uniqueChoice(names)
            add(place: "WH", kind: .medicalClinic, region: region, anchor: a, name: choice.name,
                address: address(region, a, &rng), phone: wuhanPhone(region.code, &rng),
                businesses: G.businesses(for: .medicalClinic),
                hours: hours(rng.chance(0.3) ? .clinicSaturday : .clinic), rng: &rng)
        }
        // 警邮: 134 across the city, 39 more in the 新城区.
        let post: (Region, Anchor, Int, Int, inout G.SplitMix64) -> Void = { [self] region, a, j, k, rng in
            var names: [(name: String, road: String?)] = []
            if j == 0 { names.append(("\(region.name)\(a.place)警邮服务站", nil)) }
            let post = a.roads.map { (name: "中国邮政\(region.name)\($0)营业所警邮服务站", road: Optional($0)) }
            let community = communityNames(region.name + a.place, "警邮服务点", offset: j * 7 + k)
            names += j % 2 == 1 ? post + community : community + post
            let choice = uniqueChoice(names)
            let t: T = [.policePost, .policePostWeekend, .policePostLunch][rng.below(3)]
            add(place: "WH", kind: .policePostPoint, region: region, anchor: a, name: choice.name,
                address: address(region, a, &rng, road: choice.road),
                phone: rng.chance(0.012) ? nil : wuhanPhone(region.code, &rng),
                businesses: G.businesses(for: .policePostPoint, variant: j + k), hours: hours(t), rng: &rng)
        }
        spread(d, weights: w, total: 134, label: "WH-JY", post)
        spread(G.wuhanOuterDistricts, weights: popWeights(G.wuhanOuterDistricts), total: 39, label: "WH-JY-new", post)
        // 1,051 电动自行车上牌点 (open Saturdays; dealers often all week).
        spread(d, weights: w, total: 1051, label: "WH-EB") { region, a, j, k, rng in
            var names: [(name: String, road: String?)] = []
            if j == 0 { names.append(("\(region.name)\(a.street)电动自行车登记服务站", nil)) }
            let dealers = dealerNames(a, offset: j + k)
            let community = communityNames(region.name + a.place, "社区电动自行车登记服务点", offset: j * 5 + k)
            names += j % 3 == 0 ? community + dealers : dealers + community
            let choice = uniqueChoice(names)
            let x = rng.unit()
            let t: T = x < 0.65 ? .ebike : (x < 0.9 ? .ebikeWeekend : .ebikeDaily)
            add(place: "WH", kind: .ebikePlatePoint, region: region, anchor: a, name: choice.name,
                address: address(region, a, &rng, road: choice.road),
                phone: rng.chance(0.012) ? nil : wuhanPhone(region.code, &rng),
                businesses: G.businesses(for: .ebikePlatePoint), hours: hours(t), rng: &rng)
        }
        // 36 社会化机动车检测站 (open Saturdays; some all week, a few on holidays too).
        spread(d, weights: w.enumerated().map { i, x in G.wuhanOuterDistricts.contains(d[i]) ? x * 1.6 : x },
               total: 36, label: "WH-IS") { region, a, j, k, rng in
            let companies = companyNames("武汉", offset: k * 3 + j + Int(region.code.suffix(2))!)
            let station = "\(region.name)\(a.place)机动车安全技术检测站"
            let names = j % 2 == 0 ? companies + [station] : [station] + companies
            let x = rng.unit()
            let t: T = x < 0.6 ? .inspection : (x < 0.9 ? .inspectionWeekend : .inspectionAllYear)
            add(place: "WH", kind: .inspectionStation, region: region, anchor: a, name: uniqueName(names),
                address: address(region, a, &rng), phone: wuhanPhone(region.code, &rng),
                businesses: G.businesses(for: .inspectionStation), hours: hours(t), rng: &rng)
        }
        // 流动车管所 (base address; it tours communities on Tuesdays and Thursdays).
        at("420103", "唐家墩", label: "WH-MO") { region, a, rng in
            add(place: "WH", kind: .mobileOffice, region: region, anchor: a,
                name: uniqueName(["武汉市公安局交通管理局车辆管理所流动车管所"]),
                address: address(region, a, &rng, road: "发展大道"), phone: wuhanPhone("420103", &rng),
                businesses: G.businesses(for: .mobileOffice), hours: hours(.mobile), rng: &rng)
        }
        // One 警邮 point closed for refurbishment.
        if let i = records.firstIndex(where: { $0.code.hasPrefix("WH-JY-") && $0.districtCode == "420102" && $0.name.contains("服务点") }) {
            records[i].operatingState = .temporarilyClosed
        }
    }

    // MARK: 阳谷县

    func yanggu() {
        let code = "371521"
        guard let region = regions[code] else { return }
        let towns = tables.anchors(in: code).filter { $0.street.hasSuffix("镇") || $0.street.hasSuffix("乡") }
        let seat = tables.anchors(in: code).filter { $0.street.hasSuffix("街道") }

        // 车管所: weekends with all business; one day of system upgrade.
        at(code, "博济桥", label: "YG-VA") { region, a, rng in
            var h = hours(.officeAllWeek)
            h.exceptions = [G.systemUpgrade]
            add(place: "YG", kind: .vehicleAdminOffice, region: region, anchor: a,
                name: uniqueName(["阳谷县公安局交警大队车管所"]), address: address(region, a, &rng, road: "谷山路"),
                phone: yangguPhone(&rng), businesses: G.businesses(for: .vehicleAdminOffice), hours: h, rng: &rng)
        }
        // 6 自助一体机.
        var rng = G.SplitMix64("YG-KS")
        let kiosks: [(String, String, T)] = [
            ("博济桥", "阳谷县公安局交警大队车管所大厅自助一体机", .kioskHall),
            ("侨润", "阳谷县公安服务中心自助一体机", .kioskHall),
            ("狮子楼", "阳谷县狮子楼商业广场车驾管自助一体机", .kioskMall),
            ("博济桥", "阳谷县购物中心车驾管自助一体机", .kioskMall),
            ("侨润", "阳谷县侨润街道金水社区车驾管自助一体机", .kioskCommunity),
            ("阿城", "阳谷县阿城镇便民服务中心车驾管自助一体机", .kioskCommunity),
        ]
        for (i, (place, name, t)) in kiosks.enumerated() {
            guard let a = anchor(code, place) else { continue }
            add(place: "YG", kind: .selfServiceKiosk, region: region, anchor: a, name: uniqueName([name]),
                address: address(region, a, &rng), phone: i < 2 ? yangguPhone(&rng) : nil,
                businesses: G.businesses(for: .selfServiceKiosk, variant: i), hours: hours(t), rng: &rng)
        }
        // 19 警邮 / 警保 stations: one in each town, the rest in the county seat.
        rng = G.SplitMix64("YG-JY")
        var jy: [Anchor] = towns
        while jy.count < 19 { jy.append(seat[jy.count % seat.count]) }
        for (i, a) in jy.enumerated() {
            let insurance = i % 3 == 2
            let names = insurance
                ? ["阳谷县\(a.place)警保服务站", "中国人保财险阳谷支公司\(a.place)警保合作服务站",
                   "阳谷县\(a.place)\(communities[i])警保服务站"]
                : ["阳谷县\(a.place)警邮服务站", "中国邮政阳谷县\(a.place)营业所警邮服务站",
                   "阳谷县\(a.place)\(communities[i])警邮服务站"]
            add(place: "YG", kind: .policePostPoint, region: region, anchor: a, name: uniqueName(names),
                address: address(region, a, &rng), phone: yangguPhone(&rng),
                businesses: G.businesses(for: .policePostPoint, variant: i),
                hours: hours(insurance ? .policePost : .policePostWeekend), rng: &rng)
        }
        // 6 体检 clinics.
        rng = G.SplitMix64("YG-MC")
        let clinics: [(String, String)] = [
            ("博济桥", "阳谷县人民医院驾驶人体检中心"), ("狮子楼", "阳谷县中医医院驾驶人体检点"),
            ("侨润", "阳谷县妇幼保健院驾驶人体检点"), ("阿城", "阳谷县阿城镇中心卫生院驾驶人体检点"),
            ("寿张", "阳谷县寿张镇卫生院驾驶人体检点"), ("张秋", "阳谷县张秋镇中心卫生院驾驶人体检点"),
        ]
        for (place, name) in clinics {
            guard let a = anchor(code, place) else { continue }
            add(place: "YG", kind: .medicalClinic, region: region, anchor: a, name: uniqueName([name]),
                address: address(region, a, &rng), phone: yangguPhone(&rng),
                businesses: G.businesses(for: .medicalClinic), hours: hours(.clinicSaturday), rng: &rng)
        }
        // 13 检测站 ("交钥匙" service).
        rng = G.SplitMix64("YG-IS")
        let isAnchors = seat + seat + towns
        for i in 0..<13 {
            let a = isAnchors[i % isAnchors.count]
            add(place: "YG", kind: .inspectionStation, region: region, anchor: a,
                name: uniqueName(companyNames("阳谷县", offset: i * 5 + 3)),
                address: address(region, a, &rng), phone: yangguPhone(&rng),
                businesses: G.businesses(for: .inspectionStation), hours: hours(i % 3 == 0 ? .inspectionWeekend : .inspection),
                rng: &rng)
        }
        // 公安服务中心 and the 派出所 综合服务大厅 windows of the towns (23 kinds of business).
        rng = G.SplitMix64("YG-PS")
        if let a = anchor(code, "侨润") {
            add(place: "YG", kind: .policeStationWindow, region: region, anchor: a,
                name: uniqueName(["阳谷县公安服务中心交管业务综合窗口"]), address: address(region, a, &rng),
                phone: yangguPhone(&rng), businesses: G.businesses(for: .policeStationWindow),
                hours: hours(.policeWindowSaturday), rng: &rng)
        }
        for a in towns {
            add(place: "YG", kind: .policeStationWindow, region: region, anchor: a,
                name: uniqueName(["阳谷县公安局\(a.place)派出所综合服务大厅"]), address: address(region, a, &rng),
                phone: yangguPhone(&rng), businesses: G.businesses(for: .policeStationWindow),
                hours: hours(.policeWindow), rng: &rng)
        }
        // 考场 (全科考试; 科目二 field).
        at(code, "狮子楼", label: "YG-EX") { region, a, rng in
            add(place: "YG", kind: .examField, region: region, anchor: a,
                name: uniqueName(["阳谷县机动车驾驶人考试中心"]), address: address(region, a, &rng),
                phone: yangguPhone(&rng), businesses: G.businesses(for: .examField, variant: 1),
                hours: hours(.exam), rng: &rng)
        }
    }

    // MARK: 广平县

    func guangping() {
        let code = "130432"
        at(code, "城关", label: "GP-VA") { region, a, rng in
            add(place: "GP", kind: .vehicleAdminOffice, region: region, anchor: a,
                name: uniqueName(["广平县公安局交警大队车管所"]), address: address(region, a, &rng, road: "广平大街"),
                phone: guangpingPhone(&rng), businesses: G.businesses(for: .vehicleAdminOffice),
                hours: hours(.office), rng: &rng)
        }
        // 会昌 and 鑫盛: 双休日不休息 (鑫盛 also on holidays).
        at(code, "城东", label: "GP-IS-1") { region, a, rng in
            add(place: "GP", kind: .inspectionStation, region: region, anchor: a,
                name: uniqueName(["广平县会昌机动车检测有限公司"]), address: address(region, a, &rng),
                phone: guangpingPhone(&rng), businesses: G.businesses(for: .inspectionStation),
                hours: hours(.inspectionWeekend), rng: &rng)
        }
        at(code, "十里铺", label: "GP-IS-2") { region, a, rng in
            add(place: "GP", kind: .inspectionStation, region: region, anchor: a,
                name: uniqueName(["广平县鑫盛机动车检测有限公司"]), address: address(region, a, &rng),
                phone: guangpingPhone(&rng), businesses: G.businesses(for: .inspectionStation),
                hours: hours(.inspectionAllYear), rng: &rng)
        }
        // 全科目考场, open every Saturday.
        at(code, "平固店", label: "GP-EX") { region, a, rng in
            add(place: "GP", kind: .examField, region: region, anchor: a,
                name: uniqueName(["广平县机动车驾驶人全科目考试场"]), address: address(region, a, &rng),
                phone: guangpingPhone(&rng), businesses: G.businesses(for: .examField, variant: 1),
                hours: hours(.examSaturday), rng: &rng)
        }
    }

    // MARK: 石家庄市

    func shijiazhuang() {
        at("130102", "中山东路", label: "SJZ-VA") { region, a, rng in
            add(place: "SJZ", kind: .vehicleAdminOffice, region: region, anchor: a,
                name: uniqueName(["石家庄市公安局交通管理局车辆管理所"]), address: address(region, a, &rng),
                phone: shijiazhuangPhone(&rng), businesses: G.businesses(for: .vehicleAdminOffice),
                hours: hours(.officeSaturdayRoutine), rng: &rng)
        }
        let branches: [(String, String, String)] = [
            ("130105", "合作路", "一分所"), ("130108", "槐底", "二分所"), ("130110", "鹿泉城区", "三分所"),
        ]
        for (code, place, n) in branches {
            at(code, place, label: "SJZ-BR") { region, a, rng in
                add(place: "SJZ", kind: .branchOffice, region: region, anchor: a,
                    name: uniqueName(["石家庄市公安局交通管理局车辆管理所\(n)"]), address: address(region, a, &rng),
                    phone: shijiazhuangPhone(&rng), businesses: G.businesses(for: .branchOffice),
                    hours: hours(.office), rng: &rng)
            }
        }
        let d = G.shijiazhuangDistricts
        // 63 安检机构: more in the outer districts where the stations' large sites are.
        spread(d, weights: [8, 6, 9, 2, 9, 10, 10, 9], total: 63, label: "SJZ-IS") { region, a, j, k, rng in
            let offset = k * 7 + j + Int(region.code.suffix(2))!
            let x = rng.unit()
            let t: T = x < 0.55 ? .inspection : (x < 0.9 ? .inspectionWeekend : .inspectionAllYear)
            add(place: "SJZ", kind: .inspectionStation, region: region, anchor: a,
                name: uniqueName(companyNames("石家庄", offset: offset) + companyNames("石家庄\(a.place)", offset: offset)),
                address: address(region, a, &rng), phone: shijiazhuangPhone(&rng),
                businesses: G.businesses(for: .inspectionStation), hours: hours(t), rng: &rng)
        }
        // 35 机动车登记服务站 (at dealers and used-car markets).
        let dealers = ["汽车城", "二手车交易市场", "汽车贸易园", "汽车广场", "汽车销售服务有限公司"]
        spread(d, weights: [6, 4, 5, 1, 8, 4, 4, 3], total: 35, label: "SJZ-RS") { region, a, j, k, rng in
            let dealer = dealers[(j + k) % dealers.count]
            add(place: "SJZ", kind: .registrationStation, region: region, anchor: a,
                name: uniqueName(["石家庄\(a.place)\(dealer)机动车登记服务站", "石家庄\(region.name)\(a.place)\(dealer)机动车登记服务站"]),
                address: address(region, a, &rng), phone: shijiazhuangPhone(&rng),
                businesses: G.businesses(for: .registrationStation, variant: j + k), hours: hours(.registration), rng: &rng)
        }
    }

    // MARK: 贵阳市 and Guizhou's 7×24 offices

    func guiyang() {
        at("520113", "西南国际商贸城", label: "GY-VA") { region, a, rng in
            add(place: "GY", kind: .vehicleAdminOffice, region: region, anchor: a,
                name: uniqueName(["贵阳市公安交通管理局车辆管理所西南商贸城业务大厅"]),
                address: address(region, a, &rng), phone: guizhouPhone(&rng),
                businesses: G.businesses(for: .vehicleAdminOffice), hours: hours(.hallExtended), rng: &rng)
        }
        var rng = G.SplitMix64("GY-GW")
        for code in G.guiyangDistricts {
            guard let region = regions[code], let a = tables.anchors(in: code).first else { continue }
            add(place: "GY", kind: .governmentServiceWindow, region: region, anchor: a,
                name: uniqueName(["贵阳市\(region.name)政务服务中心公安交管窗口"]), address: address(region, a, &rng),
                phone: guizhouPhone(&rng), businesses: G.businesses(for: .governmentServiceWindow),
                hours: hours(.governmentWindow), rng: &rng)
        }
        rng = G.SplitMix64("GY-KS")
        for (i, code) in G.guiyangDistricts.enumerated() {
            guard let region = regions[code], let a = tables.anchors(in: code).last else { continue }
            let mall = i % 2 == 0
            add(place: "GY", kind: .selfServiceKiosk, region: region, anchor: a,
                name: uniqueName([mall ? "贵阳\(a.place)购物中心交管业务自助终端" : "贵阳市\(region.name)\(a.place)社区交管业务自助终端"]),
                address: address(region, a, &rng), phone: nil,
                businesses: G.businesses(for: .selfServiceKiosk, variant: i), hours: hours(mall ? .kioskMall : .kioskCommunity),
                rng: &rng)
        }
        at("520111", "花溪城区", label: "GY-MO") { region, a, rng in
            add(place: "GY", kind: .mobileOffice, region: region, anchor: a,
                name: uniqueName(["贵阳市公安交通管理局流动车管所（送检下乡）"]), address: address(region, a, &rng),
                phone: guizhouPhone(&rng), businesses: G.businesses(for: .mobileOffice), hours: hours(.mobile), rng: &rng)
        }
    }

    func guizhouSelfService() {
        at("520602", "碧江城区", label: "TR-SS") { region, a, rng in
            add(place: "TR", kind: .selfServiceOffice, region: region, anchor: a,
                name: uniqueName(["铜仁市碧江区7×24小时自助车管所"]), address: address(region, a, &rng),
                phone: guizhouPhone(&rng, prefix: "5"), businesses: G.businesses(for: .selfServiceOffice),
                hours: hours(.selfService24), rng: &rng)
        }
        at("522301", "桔山", label: "XY-SS") { region, a, rng in
            add(place: "XY", kind: .selfServiceOffice, region: region, anchor: a,
                name: uniqueName(["黔西南州公安自助车管所"]), address: address(region, a, &rng, road: "桔山大道"),
                phone: guizhouPhone(&rng, prefix: "3"), businesses: G.businesses(for: .selfServiceOffice),
                hours: hours(.selfService24), rng: &rng)
        }
    }
}
