import Foundation

/// What a named place is. Regions come from the region file, streets (街道/镇/乡) from outlet addresses or a
/// demand-point source, communities and villages from a demand-point source, outlets from the catalogue.
public enum PlaceKind: String, CaseIterable, Codable, Sendable, Hashable {
    case province, city, district, street, landmark, community, village, outlet

    public var nameZh: String {
        switch self {
        case .province: "省"
        case .city: "市"
        case .district: "区县"
        case .street: "街道乡镇"
        case .landmark: "地标"
        case .community: "社区"
        case .village: "村"
        case .outlet: "服务网点"
        }
    }

    /// Order among equally good matches: the wider, better-known area first; outlets last.
    var tieRank: Int {
        switch self {
        case .city: 0
        case .district: 1
        case .province: 2
        case .street: 3
        case .landmark: 4
        case .community: 5
        case .village: 6
        case .outlet: 7
        }
    }
}

/// One named point the place lookup can answer with: a kind, a name, the names of the areas it lies in
/// (outermost first: province, city, district, street) and a WGS-84 point. Every source of places (the region
/// file, the catalogue, demand points) is turned into a list of these.
public struct NamedPoint: Hashable, Sendable {
    /// Stable and unique across sources: `region:420116`, `street:420116:前川街道`, `outlet:12`.
    public var id: String
    public var kind: PlaceKind
    public var name: String
    /// Enclosing areas, outermost first (`["湖北省", "武汉市", "黄陂区"]`).
    public var parents: [String]
    /// The postal address, for outlets.
    public var address: String?
    public var point: GeoPoint
    /// GB/T 2260 code of the region itself or of the district the point lies in.
    public var districtCode: String?
    public var outletID: Int64?
    /// Where the point comes from: `regions_csv`, `outlet_addresses`, `catalogue`, `gazetteer`, `national`, ….
    public var source: String
    /// False for a place the catalogue does not cover (a region of the national list): found only by searches
    /// that ask for such places (the hotline's, to say "not covered" rather than answer with another city).
    public var catalogued: Bool = true
    /// For an alias entry (a landmark's other name), the landmark's own name; the id then ends in `#n`.
    public var aliasOf: String?
    /// The position is an estimate no document backs (a gazetteer row marked approximate).
    public var approximate: Bool = false

    public init(id: String, kind: PlaceKind, name: String, parents: [String], address: String? = nil, point: GeoPoint,
                districtCode: String? = nil, outletID: Int64? = nil, source: String) {
        self.id = id
        self.kind = kind
        self.name = name
        self.parents = parents
        self.address = address
        self.point = point
        self.districtCode = districtCode
        self.outletID = outletID
        self.source = source
    }

    /// `湖北省武汉市黄陂区前川街道`: the parents and the name, without repeating a name its parent already carries.
    public var fullName: String {
        var out = ""
        for p in parents + [name] where !out.hasSuffix(p) { out += p }
        return out
    }
}

extension NamedPoint {
    /// Cities and districts of the region file (`SeedData/regions.csv`) at their inside point (guaranteed to lie
    /// in the area; the file has no boundaries and no province rows).
    public static func regions(_ regions: [Region]) -> [NamedPoint] {
        regions.map { r in
            NamedPoint(id: "region:\(r.code)", kind: r.isCity ? .city : .district, name: r.name,
                       parents: r.isCity ? [r.province] : [r.province, r.city], point: r.insidePoint,
                       districtCode: r.code, source: "regions_csv")
        }
    }

    /// An outlet of the catalogue, found by its name and address; its parents are its province, city,
    /// district and, when the address names it, its street.
    public static func outlet(id: Int64, name: String, address: String, province: String, city: String, district: String,
                              districtCode: String, location: GeoPoint) -> NamedPoint {
        var parents = [province, city, district]
        if let street = street(inAddress: address, district: district) { parents.append(street) }
        return NamedPoint(id: "outlet:\(id)", kind: .outlet, name: name, parents: parents, address: address, point: location,
                          districtCode: districtCode, outletID: id, source: "catalogue")
    }

    /// The 街道/镇/乡 an address names right after its administrative prefix (`黄陂区前川街道前川大道9号` → `前川街道`).
    public static func street(inAddress address: String, district: String) -> String? {
        var rest = Substring(address)
        if rest.hasPrefix(district) { rest = rest.dropFirst(district.count) }
        let chars = Array(rest.prefix(12))
        for i in 2..<max(2, chars.count) {
            if chars[i] == "街", i + 1 < chars.count, chars[i + 1] == "道" { return String(chars[0...(i + 1)]) }
            if chars[i] == "镇" || chars[i] == "乡" { return String(chars[0...i]) }
        }
        return nil
    }

    /// Streets derived from outlet addresses: one per (district, street) named by at least one outlet, at the mean
    /// position of those outlets (an approximation of the street's centre, good enough to search around).
    public static func streets(fromOutlets outlets: [NamedPoint]) -> [NamedPoint] {
        struct Key: Hashable { var code: String; var street: String }
        var groups: [Key: (parents: [String], lat: Double, lon: Double, n: Int)] = [:]
        var order: [Key] = []
        for o in outlets where o.kind == .outlet && o.parents.count == 4 {
            let key = Key(code: o.districtCode ?? "", street: o.parents[3])
            if var g = groups[key] {
                g.lat += o.point.lat
                g.lon += o.point.lon
                g.n += 1
                groups[key] = g
            } else {
                groups[key] = (Array(o.parents.prefix(3)), o.point.lat, o.point.lon, 1)
                order.append(key)
            }
        }
        return order.map { k in
            let g = groups[k]!
            return NamedPoint(id: "street:\(k.code):\(k.street)", kind: .street, name: k.street, parents: g.parents,
                              point: GeoPoint(lat: g.lat / Double(g.n), lon: g.lon / Double(g.n)), districtCode: k.code,
                              source: "outlet_addresses")
        }
    }
}

/// How the query met a place's own name (its parents aside).
public enum NameMatch: Int, Comparable, Sendable, CaseIterable {
    /// The query named only the areas the place lies in (or only its address).
    case none = 0
    /// The query shares two or more consecutive characters with the name.
    case partial = 1
    /// The name starts with what the query said of it.
    case prefix = 2
    /// The query said the name, or its short form without 省/市/区/县/街道/镇/乡/社区/村.
    case exact = 3

    public static func < (a: NameMatch, b: NameMatch) -> Bool { a.rawValue < b.rawValue }
    public var label: String {
        switch self {
        case .none: "none"
        case .partial: "partial"
        case .prefix: "prefix"
        case .exact: "exact"
        }
    }
}

/// A ranked answer of ``PlaceIndex/search(_:limit:kinds:)``.
public struct PlaceMatch: Sendable {
    public var place: NamedPoint
    /// Share of the (cleaned) query's characters the place explains: its name, parents or address.
    public var coverage: Double
    public var nameMatch: NameMatch
    /// Share of the place's own name the query covers (a more specific match scores higher).
    public var nameCoverage: Double
    /// One figure in 0…1 for display: 0.7 × coverage + 0.3 × name match.
    public init(place: NamedPoint, coverage: Double, nameMatch: NameMatch, nameCoverage: Double) {
        self.place = place
        self.coverage = coverage
        self.nameMatch = nameMatch
        self.nameCoverage = nameCoverage
    }
    public var score: Double { ((coverage * 0.7 + Double(nameMatch.rawValue) / 3 * 0.3) * 1000).rounded() / 1000 }
}

public struct PlaceSearch: Sendable {
    /// The query as matched: full-width folded, fillers, spaces and punctuation removed.
    public var normalized: String
    /// The filler words removed (`我在`, `附近`).
    public var ignored: [String]
    public var matches: [PlaceMatch]
}

/// Chinese place lookup over a list of named points, for callers who say where they are in words
/// ("我在黄陂区前川街道附近", "南湖考场", "武汉 黄陂 前川"). Pure and immutable: build a new index when the sources change.
///
/// Ranking, best first: (1) the share of the query the place explains (its own name, its short form, its parents'
/// names and short forms, an outlet's name and address — two or more consecutive characters at a time), so
/// "黄陂区前川街道" puts 前川街道 and its outlets (which explain all seven characters) before 黄陂区 (three);
/// (2) how the rest of the query (what the parents do not explain) meets the place's own name: exact, prefix,
/// partial, none — so "黄陂区" puts the district before the outlets whose names merely contain it; (3) the kind,
/// wider areas first and outlets last; (4) the share of its own name the query covers; (5) the shorter full name;
/// (6) the id. The caller's order does not matter, and filler words (我在, 附近, 那边, …) and the administrative
/// suffixes 省/市/区/县/街道/镇/乡 may be left out or added.
public struct PlaceIndex: Sendable {
    struct Prepared: Sendable {
        var name: [UInt32]
        var short: [UInt32]?
        var parents: [[UInt32]]
        /// Each parent's short form, when it has one.
        var parentShorts: [[UInt32]?]
        var address: [UInt32]
        /// Characters of the full name (the last tie-break but the id).
        var fullNameLength: Int
    }

    public let points: [NamedPoint]
    let prepared: [Prepared]
    /// Points always scored (regions and streets: few); the rest are found through `postings`.
    let small: [Int32]
    /// Character bigram → points whose name or address contains it (outlets, communities, villages).
    let postings: [UInt64: [Int32]]

    public static let maxQueryLength = 50

    /// Builds the index. A point whose id repeats an earlier one replaces it; a street derived from outlet addresses
    /// gives way to a street of the same name in the same district from any other source.
    public init(_ points: [NamedPoint]) {
        var byID: [String: Int] = [:]
        var list: [NamedPoint] = []
        for p in points {
            if let i = byID[p.id] { list[i] = p } else { byID[p.id] = list.count; list.append(p) }
        }
        let explicitStreets = Set(list.filter { $0.kind == .street && $0.source != "outlet_addresses" }
            .map { "\($0.districtCode ?? ""):\($0.name)" })
        if !explicitStreets.isEmpty {
            list.removeAll { $0.source == "outlet_addresses" && explicitStreets.contains("\($0.districtCode ?? ""):\($0.name)") }
        }
        // A landmark entry named like a street of its district (the gazetteer's 前川 = 前川街道) gives way to the street.
        let streetNames = Set(list.filter { $0.kind == .street }.flatMap { p -> [String] in
            let short = Self.shortForm(Self.fold(p.name)).map(Self.string)
            return [p.name, short].compactMap { $0 }.map { "\(p.districtCode ?? ""):\($0)" }
        })
        if !streetNames.isEmpty {
            list.removeAll { $0.kind == .landmark && streetNames.contains("\($0.districtCode ?? ""):\($0.name)") }
        }
        self.points = list
        var prepared: [Prepared] = []
        prepared.reserveCapacity(list.count)
        var small: [Int32] = []
        var postings: [UInt64: [Int32]] = [:]
        for (i, p) in list.enumerated() {
            let name = Self.fold(p.name)
            let short = Self.shortForm(name)
            let parents = p.parents.map(Self.fold)
            prepared.append(Prepared(name: name, short: short, parents: parents, parentShorts: parents.map(Self.shortForm),
                                     address: p.address.map(Self.fold) ?? [], fullNameLength: p.fullName.unicodeScalars.count))
            if p.kind.tieRank <= PlaceKind.street.tieRank && p.catalogued {
                small.append(Int32(i))
            } else {
                var seen = Set<UInt64>()
                for text in [name, prepared[i].address] where text.count >= 2 {
                    for k in 0..<(text.count - 1) {
                        let key = UInt64(text[k]) << 32 | UInt64(text[k + 1])
                        if seen.insert(key).inserted { postings[key, default: []].append(Int32(i)) }
                    }
                }
            }
        }
        self.prepared = prepared
        self.small = small
        self.postings = postings
    }

    // MARK: Text

    /// Words a caller wraps a place in; removed before matching (longest first).
    static let fillers: [String] = [
        "我现在在", "我现在", "我住在", "我家在", "我是在", "我人在", "我在", "住在", "请问", "附近的", "附近", "周边", "周围",
        "旁边", "那边", "这边", "一带", "那儿", "这儿", "那里", "这里", "边上", "左右", "大概", "一下",
    ]

    /// Administrative suffixes a caller may drop or add (longest first).
    static let suffixes: [String] = ["特别行政区", "自治州", "自治县", "自治区", "街道", "社区", "新区", "地区", "省", "市", "区", "县", "镇", "乡", "村", "旗", "盟"]
    static let suffixScalars: [[UInt32]] = suffixes.map { $0.unicodeScalars.map(\.value) }
    /// Ethnic names inside autonomous-area names (`黔西南布依族苗族自治州` → `黔西南`).
    static let ethnicScalars: [[UInt32]] = ethnicNames.map { $0.unicodeScalars.map(\.value) }
    static let ethnicNames = ["布依族", "苗族", "土家族", "侗族", "彝族", "藏族", "壮族", "回族", "蒙古族", "朝鲜族", "哈尼族",
                              "傣族", "白族", "羌族", "瑶族", "黎族", "满族", "仡佬族", "水族", "傈僳族", "景颇族", "哈萨克族"]

    /// Full-width to half-width, lower case, and nothing but letters and digits (Chinese characters are letters).
    static func fold(_ s: String) -> [UInt32] {
        s.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars
            .filter { CharacterSet.alphanumerics.contains($0) }.map(\.value)
    }

    static func string(_ s: [UInt32]) -> String {
        var out = String.UnicodeScalarView()
        for v in s { if let u = Unicode.Scalar(v) { out.append(u) } }
        return String(out)
    }

    /// The name without its administrative suffix (and the ethnic names before 自治州), when two or more characters remain.
    static func shortForm(_ name: [UInt32]) -> [UInt32]? {
        for suffix in suffixScalars where name.count > suffix.count && name.suffix(suffix.count).elementsEqual(suffix) {
            var s = Array(name.dropLast(suffix.count))
            var trimmed = true
            while trimmed {
                trimmed = false
                for es in ethnicScalars {
                    if s.count > es.count + 1, s.suffix(es.count).elementsEqual(es) { s.removeLast(es.count); trimmed = true }
                }
            }
            return s.count >= 2 ? s : nil
        }
        return nil
    }

    /// Cleans a query: filler words out (reported), then spaces and punctuation.
    public static func clean(_ query: String) -> (text: [UInt32], ignored: [String]) {
        var s = query.precomposedStringWithCompatibilityMapping
        var ignored: [String] = []
        for f in fillers where s.contains(f) {
            ignored.append(f)
            s = s.replacingOccurrences(of: f, with: " ")
        }
        var text = fold(s)
        if text.first == "在".unicodeScalars.first!.value, text.count > 2 { text.removeFirst(); ignored.append("在") }
        return (text, ignored)
    }

    // MARK: Search

    /// The best `limit` places for the query (of the given kinds, when any), best first.
    public func search(_ query: String, limit: Int = 10, kinds: Set<PlaceKind> = [], includeOutside: Bool = false) -> PlaceSearch {
        let (q, ignored) = Self.clean(query)
        let normalized = Self.string(q)
        guard !q.isEmpty else { return PlaceSearch(normalized: normalized, ignored: ignored, matches: []) }
        var candidates = Set(small)
        if q.count >= 2 {
            var lists: [[Int32]] = []
            var seen = Set<UInt64>()
            for k in 0..<(q.count - 1) {
                let key = UInt64(q[k]) << 32 | UInt64(q[k + 1])
                if seen.insert(key).inserted, let l = postings[key] { lists.append(l) }
            }
            // Rarest first; stop widening past 50,000 candidates (a national catalogue has 10⁵ outlets per common word).
            var total = 0
            for l in lists.sorted(by: { $0.count < $1.count }) {
                if total > 0 && total + l.count > 50_000 { break }
                candidates.formUnion(l)
                total += l.count
            }
        }
        var scored: [(PlaceMatch, Int32)] = []
        let qShort = Self.shortForm(q)
        for i in candidates {
            let p = points[Int(i)]
            if !kinds.isEmpty && !kinds.contains(p.kind) { continue }
            if !p.catalogued && !includeOutside { continue }
            if let m = score(Int(i), q, qShort: qShort), m.coverage > 0, m.nameMatch > .none || m.coverage >= 0.5 || p.kind != .outlet {
                scored.append((m, i))
            }
        }
        scored.sort { a, b in
            let (x, y) = (a.0, b.0)
            if x.coverage != y.coverage { return x.coverage > y.coverage }
            if x.nameMatch != y.nameMatch { return x.nameMatch > y.nameMatch }
            if x.place.catalogued != y.place.catalogued { return x.place.catalogued }
            if x.place.kind.tieRank != y.place.kind.tieRank { return x.place.kind.tieRank < y.place.kind.tieRank }
            if x.nameCoverage != y.nameCoverage { return x.nameCoverage > y.nameCoverage }
            let (lx, ly) = (prepared[Int(a.1)].fullNameLength, prepared[Int(b.1)].fullNameLength)
            if lx != ly { return lx < ly }
            return x.place.id < y.place.id
        }
        return PlaceSearch(normalized: normalized, ignored: ignored, matches: scored.prefix(limit).map(\.0))
    }

    /// Marks every occurrence of `term` in `q`.
    @inline(__always)
    static func mark(_ term: [UInt32], in q: [UInt32], _ covered: inout [Bool]) -> Bool {
        guard !term.isEmpty, term.count <= q.count else { return false }
        var hit = false
        var i = 0
        while i + term.count <= q.count {
            if q[i] == term[0] && q[i..<(i + term.count)].elementsEqual(term) {
                for k in i..<(i + term.count) { covered[k] = true }
                hit = true
                i += term.count
            } else { i += 1 }
        }
        return hit
    }

    /// Marks the query's characters in runs of two or more that also occur, consecutively, in `text`.
    @inline(__always)
    static func markShared(_ text: [UInt32], in q: [UInt32], _ covered: inout [Bool]) {
        guard text.count >= 2, q.count >= 2 else { return }
        for k in 0..<(q.count - 1) where !(covered[k] && covered[k + 1]) {
            let a = q[k], b = q[k + 1]
            var j = 0
            while j < text.count - 1 {
                if text[j] == a && text[j + 1] == b { covered[k] = true; covered[k + 1] = true; break }
                j += 1
            }
        }
    }

    /// A suffix (区, 街道, …) right after a covered run counts as covered: "黄陂区" names what "黄陂" names.
    static func markSuffixes(in q: [UInt32], _ covered: inout [Bool]) {
        var i = 1
        while i < q.count {
            if covered[i - 1] && !covered[i] {
                for s in suffixScalars where i + s.count <= q.count && q[i..<(i + s.count)].elementsEqual(s) {
                    for k in i..<(i + s.count) { covered[k] = true }
                    break
                }
            }
            i += 1
        }
    }

    /// Unmarks suffix runs (街道, 镇, …) marked only as shared text when nothing before them is marked.
    static func dropLoneSuffixes(in q: [UInt32], shared: inout [Bool], covered: [Bool]) {
        for s in suffixScalars {
            var i = 0
            while i + s.count <= q.count {
                if q[i..<(i + s.count)].elementsEqual(s), (i..<(i + s.count)).allSatisfy({ shared[$0] && !covered[$0] }),
                   i == 0 || !(shared[i - 1] || covered[i - 1]) {
                    for k in i..<(i + s.count) { shared[k] = false }
                }
                i += 1
            }
        }
    }

    func score(_ i: Int, _ q: [UInt32], qShort: [UInt32]?) -> PlaceMatch? {
        let p = prepared[i]
        var byParents = [Bool](repeating: false, count: q.count)
        for (k, parent) in p.parents.enumerated() {
            if !Self.mark(parent, in: q, &byParents), let s = p.parentShorts[k] { _ = Self.mark(s, in: q, &byParents) }
        }
        // What the query says of the place itself, once the areas it lies in are set aside.
        var rest: [UInt32] = []
        var restCovered = byParents
        Self.markSuffixes(in: q, &restCovered)
        for k in q.indices where !restCovered[k] { rest.append(q[k]) }
        let restShort = rest.count == q.count ? qShort : Self.shortForm(rest)

        var covered = byParents
        var nameMatch = NameMatch.none
        if !rest.isEmpty {
            if rest == p.name || (p.short.map { $0 == rest } ?? false) || restShort == p.name
                || (p.short != nil && restShort == p.short) {
                nameMatch = .exact
            } else if rest.count >= 2 && p.name.starts(with: rest) {
                nameMatch = .prefix
            }
        }
        var nameCovered = [Bool](repeating: false, count: q.count)
        if !Self.mark(p.name, in: q, &nameCovered), let s = p.short { _ = Self.mark(s, in: q, &nameCovered) }
        for k in q.indices where nameCovered[k] { covered[k] = true }
        // Runs shared with the name or the address, two characters at a time; a lone administrative suffix among
        // them ("街道" of another street) explains nothing.
        var shared = [Bool](repeating: false, count: q.count)
        Self.markShared(p.name, in: q, &shared)
        var sharedName = shared
        if !p.address.isEmpty { Self.markShared(p.address, in: q, &shared) }
        Self.dropLoneSuffixes(in: q, shared: &shared, covered: covered)
        Self.dropLoneSuffixes(in: q, shared: &sharedName, covered: covered)
        for k in q.indices where sharedName[k] { nameCovered[k] = true }
        if nameMatch == .none && nameCovered.enumerated().contains(where: { $0.element && !restCovered[$0.offset] }) {
            nameMatch = .partial
        }
        for k in q.indices where shared[k] { covered[k] = true }
        Self.markSuffixes(in: q, &covered)
        let n = covered.filter { $0 }.count
        guard n > 0 else { return nil }
        // Share of the own name the query covers.
        var nameHit = [Bool](repeating: false, count: p.name.count)
        if q.count >= 2 && p.name.count >= 2 {
            for k in 0..<(q.count - 1) {
                var j = 0
                while j < p.name.count - 1 {
                    if p.name[j] == q[k] && p.name[j + 1] == q[k + 1] { nameHit[j] = true; nameHit[j + 1] = true }
                    j += 1
                }
            }
        }
        let nameCoverage = p.name.isEmpty ? 0 : Double(nameHit.filter { $0 }.count) / Double(p.name.count)
        return PlaceMatch(place: points[i], coverage: Double(n) / Double(q.count), nameMatch: nameMatch,
                          nameCoverage: (nameCoverage * 1000).rounded() / 1000)
    }
}
