import Foundation

/// The names a caller may say for the places of a ``PlaceIndex`` — regions, streets, landmarks and their aliases,
/// communities and villages, with their short forms (`黄陂` for 黄陂区, `前川` for 前川街道) — to find where in a
/// sentence a place is named, and their pinyin (with every reading of each character, so the homophone typo `黄坡`
/// or `乔口` finds 黄陂 / 硚口).
public struct PlaceLexicon: Sendable {
    /// First scalar → surfaces starting with it, longest first.
    let byFirst: [Unicode.Scalar: [[Unicode.Scalar]]]
    /// Toneless pinyin without spaces → the surface it reads (the better-known place when two read alike).
    let pinyin: [String: String]
    /// The same for the names a homophone typo may stand for: landmarks, regions and streets, not the thousands of
    /// communities and villages (too many read like everyday words).
    let homophones: [String: String]
    public let surfaceCount: Int

    /// Kinds in the order their names win a shared pinyin reading.
    static func priority(_ k: PlaceKind) -> Int {
        switch k {
        case .landmark: 0
        case .district: 1
        case .city: 2
        case .street: 3
        case .province: 4
        case .community: 5
        case .village: 6
        case .outlet: 7
        }
    }

    public init(points: [NamedPoint], tables: TextTables) {
        var surfaces: [String: Int] = [:]
        func add(_ s: String, _ kind: PlaceKind) {
            guard s.unicodeScalars.count >= 2 else { return }
            let p = Self.priority(kind)
            if let old = surfaces[s], old <= p { return }
            surfaces[s] = p
        }
        for p in points where p.kind != .outlet {
            let name = tables.fold(p.name)
            let short = PlaceIndex.shortForm(PlaceIndex.fold(name)).map(PlaceIndex.string)
            switch p.kind {
            case .province, .city, .district:
                add(name, p.kind)
                if let short { add(short, p.kind) }
            case .street:
                add(name, p.kind)
                if let short { add(short, p.kind) }
            case .landmark:
                add(name, p.kind)
            case .community, .village:
                add(name, p.kind)
                if let short, short.unicodeScalars.count >= 3 { add(short, p.kind) }
            case .outlet: break
            }
        }
        var byFirst: [Unicode.Scalar: [[Unicode.Scalar]]] = [:]
        var pinyin: [String: (String, Int)] = [:]
        for (s, prio) in surfaces {
            let sc = Array(s.unicodeScalars)
            byFirst[sc[0], default: []].append(sc)
            for key in tables.pinyinKeys(s, limit: 8) where key.count >= 4 {
                if let old = pinyin[key], (old.1, old.0) <= (prio, s) { continue }
                pinyin[key] = (s, prio)
            }
        }
        for k in byFirst.keys { byFirst[k]!.sort { $0.count > $1.count || ($0.count == $1.count && String(String.UnicodeScalarView($0)) < String(String.UnicodeScalarView($1))) } }
        self.byFirst = byFirst
        self.pinyin = pinyin.mapValues(\.0)
        homophones = pinyin.filter { $0.value.1 <= Self.priority(.province) }.mapValues(\.0)
        surfaceCount = surfaces.count
    }

    public static let empty = PlaceLexicon(points: [], tables: .empty)

    /// Every surface occurring in `t` at a position not blocked: (start, length).
    func occurrences(_ t: [Unicode.Scalar], blocked: [Bool]) -> [(start: Int, length: Int)] {
        var out: [(Int, Int)] = []
        for i in t.indices where !blocked[i] {
            guard let list = byFirst[t[i]] else { continue }
            for s in list where i + s.count <= t.count && t[i..<(i + s.count)].elementsEqual(s)
                && !(i..<(i + s.count)).contains(where: { blocked[$0] }) {
                out.append((i, s.count))
            }
        }
        return out
    }

    /// The surface a pinyin key reads, if any.
    public func surface(pinyin key: String) -> String? { pinyin[key] }

    /// Reads a run of Latin letters as place names: the longest known reading at each point, left to right;
    /// letters that read as nothing are skipped. `hanyang qu` → [汉阳区]; `shijiazhuang changan qu` → [石家庄, 长安区].
    public func readPinyin(_ run: String) -> [String] {
        let bare = Array(TextTables.bareLatin(run))
        var out: [String] = []
        var i = 0
        while i < bare.count {
            var found: (String, Int)?
            var j = min(bare.count, i + 40)
            while j - i >= 4 {
                if let s = pinyin[String(bare[i..<j])] { found = (s, j - i); break }
                j -= 1
            }
            if let (s, n) = found { out.append(s); i += n } else { i += 1 }
        }
        return out
    }
}
