import ServiceCircleDomain
import Foundation

// MARK: - Anchors

extension SeedGenerator {
    /// A hand-picked WGS-84 point well inside a district and on land (a town, street or 街道 centre, or the
    /// region file's inside point or centroid where that is known to be on land), with the radius within which
    /// seed outlets are scattered around it. No boundaries exist in the data, so staying inside a district and
    /// out of rivers and lakes rests on these points and their small radii: in central Wuhan, split by the
    /// Yangtze and the Han and dotted with lakes (东湖, 沙湖, 墨水湖, 龙阳湖, 汤逊湖, 后官湖), radii are 0.2–0.5 km
    /// and anchors sit 1 km or more from the banks.
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

    /// Every anchor, in table order.
    public static let anchors: [Anchor] = parseAnchors(anchorTable)

    /// The anchors of one district, in table order.
    public static func anchors(in districtCode: String) -> [Anchor] { anchorsByDistrict[districtCode] ?? [] }

    static let anchorsByDistrict: [String: [Anchor]] = Dictionary(grouping: anchors, by: \.districtCode)

    static func parseAnchors(_ text: String) -> [Anchor] {
        text.split(separator: "\n").compactMap { line -> Anchor? in
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { return nil }
            let f = t.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            precondition(f.count == 8, "bad anchor line: \(t)")
            let roads = f[7].split(separator: ",").map(String.init)
            return Anchor(districtCode: f[0], place: f[1], street: f[2], lat: Double(f[3])!, lon: Double(f[4])!,
                          radiusKm: Double(f[5])!, weight: Double(f[6])!,
                          roads: roads.isEmpty ? [f[1] + "大街"] : roads)
        }
    }

    /// code | place | street | lat | lon (WGS-84) | radius km | weight | roads
    static let anchorTable = """
    # 武汉市 江岸区 (Yangtze to the south-east: anchors ≥ 1 km inland)
    420102|二七|二七街道|30.6255|114.3120|0.5|2|二七路,解放大道,中山大道
    420102|后湖|后湖街道|30.6500|114.2830|0.7|3|后湖大道,金桥大道,兴业路
    420102|百步亭|后湖街道|30.6470|114.3060|0.5|2|百步亭花园路,后湖二路
    420102|解放公园|球场街道|30.6060|114.2940|0.5|2|解放公园路,黄浦大街,球场路
    420102|大智路|大智街道|30.5900|114.2875|0.3|1|中山大道,大智路,京汉大道
    # 江汉区 (Han river to the south-west, Yangtze to the south-east)
    420103|民众乐园|民权街道|30.5830|114.2790|0.3|1|中山大道,民权路,前进四路
    420103|万松园|万松街道|30.5940|114.2620|0.4|2|万松园路,新华路,建设大道
    420103|唐家墩|唐家墩街道|30.6120|114.2660|0.4|2|唐家墩路,发展大道,新华路
    420103|汉兴|汉兴街道|30.6047|114.2509|0.35|1|常青路,发展大道
    # 硚口区 (Han river along the south: anchors ≥ 1 km north of it)
    420104|宝丰|宝丰街道|30.5880|114.2480|0.3|1|宝丰路,解放大道,京汉大道
    420104|韩家墩|韩家墩街道|30.5950|114.2300|0.4|2|解放大道,建设大道
    420104|宗关|宗关街道|30.5870|114.2220|0.35|1|解放大道,汉西一路
    420104|古田|古田街道|30.5987|114.1978|0.3|2|古田二路,古田四路,解放大道
    # 汉阳区 (between 月湖, 墨水湖, 龙阳湖 and the rivers: small radii)
    420105|钟家村|建桥街道|30.5525|114.2645|0.25|2|汉阳大道,鹦鹉大道,拦江路
    420105|王家湾|五里墩街道|30.5615|114.2130|0.35|2|龙阳大道,汉阳大道,墨水湖北路
    420105|四新|江堤街道|30.5314|114.2317|0.3|2|四新大道,江城大道,芳草路
    # 武昌区 (Yangtze to the west, 紫阳湖 south of 粮道街, 沙湖 and 东湖 to the north-east)
    420106|洪山广场|中南路街道|30.5436|114.3330|0.45|2|中南路,武珞路,中北路
    420106|司门口|黄鹤楼街道|30.5470|114.3060|0.3|1|解放路,民主路,彭刘杨路
    420106|武昌火车站|紫阳街道|30.5290|114.3190|0.4|2|中山路,武珞路,紫阳路
    420106|粮道街|粮道街街道|30.5500|114.3170|0.25|1|粮道街,胭脂路,中山路
    420106|杨园|杨园街道|30.5930|114.3450|0.3|1|和平大道,铁机路
    # 青山区 (Yangtze to the north, 严西湖 to the south-east)
    420107|红钢城|红钢城街道|30.6300|114.3820|0.5|2|和平大道,建设二路,冶金大道
    420107|工人村|工人村街道|30.6220|114.4050|0.4|2|和平大道,冶金大道
    420107|武东|武东街道|30.6246|114.4528|0.5|1|武东路,三弓路
    420107|白玉山|白玉山街道|30.6242|114.4418|0.4|1|冶金大道,白玉山路
    # 洪山区 (wraps around 武昌: 东湖 to the north, 南湖 and 汤逊湖 to the south)
    420111|街道口|珞南街道|30.5260|114.3520|0.35|2|珞喻路,珞狮路,武珞路
    420111|卓刀泉|卓刀泉街道|30.5120|114.3750|0.4|2|珞喻路,卓刀泉路,雄楚大道
    420111|光谷|关东街道|30.5055|114.3990|0.6|3|珞喻路,鲁磨路,民族大道
    420111|关山|关山街道|30.4970|114.4180|0.5|2|关山大道,珞喻路,光谷大道
    420111|和平|和平街道|30.6000|114.4330|0.35|1|友谊大道,欢乐大道
    420111|白沙洲|张家湾街道|30.4920|114.2940|0.5|2|白沙洲大道,张家湾路
    420111|花山|花山街道|30.5402|114.5082|0.25|1|花城大道,花山大道
    # 东西湖区 (金银湖 to the east of 常青花园: kept small)
    420112|吴家山|吴家山街道|30.6350|114.1400|0.7|3|东吴大道,临空港大道,吴中街
    420112|常青花园|常青花园新区街道|30.6360|114.2370|0.45|2|公园南路,金银湖路
    420112|辛安渡|辛安渡街道|30.6928|114.0714|0.7|1|辛安渡大道
    420112|东山|东山街道|30.6874|114.0786|0.6|1|东山大道
    # 汉南区 (Yangtze to the east and south: region inside point and centroid)
    420113|纱帽|纱帽街道|30.2793|114.0417|0.6|2|汉南大道,纱帽正街
    420113|东荆|东荆街道|30.2883|113.9521|0.7|1|东荆大道
    # 蔡甸区 (the Han north of 蔡甸城区, 后官湖 to the east)
    420114|蔡甸城区|蔡甸街道|30.5730|114.0300|0.45|3|蔡甸大街,树藩大街,汉阳大街
    420114|奓山|奓山街道|30.4692|114.0011|0.5|1|奓山大街
    420114|永安|永安街道|30.4539|113.9593|0.7|1|永安大街
    # 江夏区 (汤逊湖 north of 纸坊, 梁子湖 far east)
    420115|纸坊|纸坊街道|30.3500|114.3180|0.9|3|江夏大道,文化大道,熊廷弼路
    420115|乌龙泉|乌龙泉街道|30.2544|114.3202|0.7|1|乌龙泉大道
    420115|安山|安山街道|30.2472|114.3538|0.7|1|安山大道
    # 黄陂区 (前川 is the district seat; 武湖 and 盘龙湖 avoided)
    420116|前川|前川街道|30.8740|114.3770|1.2|5|黄陂大道,百秀街,前川大道
    420116|前川北|前川街道|30.8900|114.3700|0.8|2|黄陂大道,川龙大道
    420116|横店|横店街道|30.8000|114.3000|0.8|2|横店大街,临空大道
    420116|罗汉寺|罗汉寺街道|30.8450|114.3250|0.8|1|罗汉大道
    420116|天河|天河街道|30.7750|114.2450|0.6|1|机场路,天河大道
    420116|汉口北|滠口街道|30.7150|114.3250|0.6|2|汉口北大道,盘龙大道
    420116|王家河|王家河街道|30.9798|114.3498|0.8|1|王家河大街
    420116|李家集|李家集街道|31.0161|114.3351|0.8|1|李家集大街
    # 新洲区 (涨渡湖 south of 仓埠, the Yangtze south of 阳逻)
    420117|邾城|邾城街道|30.8420|114.8020|0.8|3|问津大道,齐安大道
    420117|阳逻|阳逻街道|30.7000|114.5650|0.5|2|阳逻大道,柴泊大道
    420117|仓埠|仓埠街道|30.7948|114.6801|0.7|1|仓埠大街
    420117|汪集|汪集街道|30.8011|114.7481|0.7|1|汪集大街
    # 阳谷县 (county seat in the west; the Yellow River along the southern edge is avoided)
    371521|博济桥|博济桥街道|36.1130|115.7920|1.0|4|谷山路,清河路,金水路
    371521|狮子楼|狮子楼街道|36.1180|115.7750|0.7|2|狮子楼路,清河路
    371521|侨润|侨润街道|36.1120|115.8060|0.7|2|侨润路,金水路
    371521|李台|李台镇|36.1600|115.9200|0.8|1|李台大街
    371521|郭屯|郭屯镇|36.0700|115.8900|0.8|1|郭屯大街
    371521|安乐|安乐镇|36.2100|115.8400|0.8|1|安乐大街
    371521|大布|大布乡|36.1600|115.8100|0.8|1|大布大街
    371521|金斗营|金斗营镇|36.0300|115.9500|0.8|1|金斗营大街
    371521|阿城|阿城镇|36.2000|116.0000|0.8|1|阿城大街
    371521|石佛|石佛镇|36.0400|115.7500|0.8|1|石佛大街
    371521|定水|定水镇|36.1800|115.7300|0.8|1|定水大街
    371521|寿张|寿张镇|35.9950|115.8800|0.6|1|寿张大街
    371521|张秋|张秋镇|36.0600|116.0300|0.7|1|张秋大街
    # 广平县
    130432|城关|广平镇|36.4830|114.9450|0.9|3|广平大街,文化路,建设路
    130432|城东|广平镇|36.4860|114.9750|0.6|1|邯大公路,广安大街
    130432|平固店|平固店镇|36.4400|114.9600|0.8|1|平固店大街
    130432|十里铺|十里铺乡|36.4800|115.0400|0.8|1|十里铺大街
    130432|胜营|胜营镇|36.5000|115.0800|0.8|1|胜营大街
    130432|南阳堡|南阳堡镇|36.5300|114.9300|0.8|1|南阳堡大街
    # 石家庄市 (no large water inside the urban districts; 滹沱河 lies north of 新华区's anchors)
    130102|中山东路|育才街道|38.0460|114.5250|0.7|2|中山东路,建设北大街,胜利北大街
    130102|谈固|谈固街道|38.0550|114.5550|0.7|1|谈固东街,和平东路
    130102|高营|高营镇|38.0801|114.5776|1.0|1|石家庄东二环北路,高营大街
    130104|维明|维明街道|38.0350|114.4800|0.5|2|维明南大街,裕华西路,中山西路
    130104|振头|振头街道|38.0248|114.4433|0.8|2|红旗大街,裕华西路
    130105|合作路|合作路街道|38.0550|114.4700|0.5|2|合作路,中华北大街,友谊北大街
    130105|赵陵铺|赵陵铺镇|38.0992|114.4414|1.0|1|赵陵铺路,西三庄街
    130107|矿市|矿市街道|38.0802|114.0304|0.6|1|矿市大街
    130107|四微|四微街道|38.0731|114.0373|0.5|1|四微大街
    130108|槐底|槐底街道|38.0220|114.5300|0.6|2|槐安东路,体育南大街,裕华东路
    130108|方村|方村镇|38.0089|114.5780|1.0|1|东二环南路,方村大街
    130109|藁城城区|廉州镇|38.0250|114.8450|1.0|2|廉州路,藁城大道
    130109|岗上|岗上镇|38.0484|114.8039|1.0|1|岗上大街
    130110|鹿泉城区|获鹿镇|38.0880|114.3130|0.9|2|向阳大街,获鹿大街
    130110|上庄|上庄镇|38.0760|114.3360|1.0|1|上庄大街
    130111|栾城城区|栾城镇|37.9000|114.6480|0.9|2|栾武路,裕翔街
    130111|窦妪|窦妪镇|37.8919|114.6289|1.0|1|窦妪大街
    # 贵阳市 (花溪水库, 阿哈湖, 百花湖 and 观山湖 avoided)
    520102|花果园|花果园街道|26.5630|106.6880|0.4|2|花果园大街,解放路
    520102|龙洞堡|龙洞堡街道|26.5408|106.7514|0.5|1|龙洞堡大道
    520103|北京路|北京路街道|26.5950|106.7120|0.4|2|北京路,宝山北路
    520103|大营路|大营路街道|26.6155|106.7141|0.4|1|大营路,新添大道
    520111|花溪城区|贵筑街道|26.4100|106.6700|0.5|2|花溪大道,明珠大道
    520111|清溪|清溪街道|26.3806|106.6637|0.5|1|花溪大道南段
    520112|新添寨|新添寨街道|26.6300|106.7520|0.4|2|新添大道
    520112|东风|东风镇|26.7405|106.8557|0.6|1|东风大街
    520113|西南国际商贸城|泉湖街道|26.7050|106.6750|0.3|1|金苏大道
    520113|云城|云城街道|26.7307|106.6632|0.5|1|白云大道,云环路
    520115|金华|金华园街道|26.6422|106.5661|0.5|1|金华大道
    520115|金阳|观山街道|26.6200|106.6250|0.4|1|林城西路,金阳南路
    # 铜仁市碧江区 (锦江 through the city: region inside point, tiny radius)
    520602|碧江城区|环北街道|27.7087|109.1896|0.15|1|解放路,锦江大道
    # 兴义市
    522301|桔山|桔山街道|25.0780|104.9100|0.3|1|桔山大道
    """
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
    /// Every point lies within its anchor's radius (see ``Anchor``) and inside its district's bounding box.
    /// Districts missing from `regions` are skipped (their outlets are not generated).
    public static func articleCatalogue(regions: [Region]) -> [OutletRecord] {
        let b = ArticleBuilder(regions: regions)
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
    private(set) var records: [OutletRecord] = []
    private var counters: [String: Int] = [:]
    private var usedNames: Set<String> = []
    private var hoursCache: [T: Hours] = [:]

    init(regions: [Region]) {
        var d: [String: Region] = [:]
        for r in regions { d[r.code] = r }
        self.regions = d
    }

    static let ebikeBrands = ["雅迪", "爱玛", "台铃", "新日", "绿源", "小牛", "九号", "立马", "小刀", "绿佳", "欧派", "哈啰"]
    static let communities = ["幸福", "阳光", "和平", "建设", "新村", "花园", "丰收", "朝阳", "民主", "振兴", "长青", "同心",
                              "育才", "新华", "光明", "明珠", "锦绣", "福星", "百合", "怡景", "金桥", "滨江", "安居", "祥和",
                              "馨园", "康宁", "春晓", "翠苑", "永安", "兴隆", "东方", "南苑", "北苑", "西苑", "友谊", "东风"]
    static let inspectionWords = ["通达", "驰远", "鑫诚", "正通", "华安", "宏达", "恒信", "顺安", "路通", "鹏程", "金盾", "畅通",
                                  "安达", "众诚", "天诚", "盛达", "远航", "诚信", "中检", "安捷", "路安", "广顺", "兴旺", "永盛",
                                  "凯达", "德信", "百通", "利民", "安泰", "信达", "捷安", "汇通", "嘉诚", "瑞通", "佳安", "龙腾",
                                  "华通", "新泰", "长风", "东升"]

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
        let n = Self.communities.count
        return (0..<n).map { (prefix + Self.communities[(offset + $0) % n] + suffix, nil) }
    }

    /// Rotating dealer candidates `{brand}电动车（{road}店）电动自行车上牌点`, starting at `offset`.
    func dealerNames(_ a: Anchor, offset: Int) -> [(name: String, road: String?)] {
        let nb = Self.ebikeBrands.count, nr = a.roads.count
        return (0..<(nb * nr)).map { i in
            let road = a.roads[(offset + i / nb) % nr]
            return (Self.ebikeBrands[(offset + i) % nb] + "电动车（" + road + "店）电动自行车上牌点", road)
        }
    }

    /// Rotating inspection-company candidates `{prefix}{word}机动车检测有限公司`, starting at `offset`.
    func companyNames(_ prefix: String, offset: Int) -> [String] {
        let n = Self.inspectionWords.count
        return (0..<n).map { prefix + Self.inspectionWords[(offset + $0) % n] + "机动车检测有限公司" }
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

    /// A point uniformly within the anchor's radius and inside the district's bbox.
    func point(_ a: Anchor, _ region: Region, _ rng: inout G.SplitMix64) -> (lat: Double, lon: Double) {
        for _ in 0..<64 {
            let rr = a.radiusKm * rng.unit().squareRoot()
            let th = 2 * Double.pi * rng.unit()
            let p = G.offset(lat: a.lat, lon: a.lon, dNorthKm: rr * Foundation.cos(th), dEastKm: rr * Foundation.sin(th))
            let lat = G.round6(p.lat), lon = G.round6(p.lon)
            if region.bbox.contains(lat: lat, lon: lon) && G.distanceKm(a.lat, a.lon, lat, lon) <= a.radiusKm {
                return (lat, lon)
            }
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
            let anchors = G.anchors(in: code)
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
        G.anchors(in: code).first { $0.place == place }
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
        let towns = G.anchors(in: code).filter { $0.street.hasSuffix("镇") || $0.street.hasSuffix("乡") }
        let seat = G.anchors(in: code).filter { $0.street.hasSuffix("街道") }

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
                   "阳谷县\(a.place)\(Self.communities[i])警保服务站"]
                : ["阳谷县\(a.place)警邮服务站", "中国邮政阳谷县\(a.place)营业所警邮服务站",
                   "阳谷县\(a.place)\(Self.communities[i])警邮服务站"]
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
            guard let region = regions[code], let a = G.anchors(in: code).first else { continue }
            add(place: "GY", kind: .governmentServiceWindow, region: region, anchor: a,
                name: uniqueName(["贵阳市\(region.name)政务服务中心公安交管窗口"]), address: address(region, a, &rng),
                phone: guizhouPhone(&rng), businesses: G.businesses(for: .governmentServiceWindow),
                hours: hours(.governmentWindow), rng: &rng)
        }
        rng = G.SplitMix64("GY-KS")
        for (i, code) in G.guiyangDistricts.enumerated() {
            guard let region = regions[code], let a = G.anchors(in: code).last else { continue }
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
