import Foundation

/// What a caller's sentence says: the place, the businesses (with the words that named them), the kinds of outlet,
/// the visit instant, services done online, and the questions the agent must ask when the words are ambiguous.
public struct Understanding: Sendable {
    public enum Confidence: String, Sendable { case high, confirm, low }
    public struct Business: Sendable {
        public var code: BusinessCode
        public var words: [String]
        public init(code: BusinessCode, words: [String]) {
            self.code = code
            self.words = words
        }
    }
    public struct Question: Sendable {
        public enum Kind: String, Sendable { case place, business }
        public var kind: Kind
        public var questionZh: String
        /// `(value, label)`: a business code, or a place id with its full name.
        public var options: [(value: String, labelZh: String)]
    }

    /// Folded sentence as read (traditional → simplified, pinyin → characters).
    public var normalized: String
    public var place: PlaceMatch?
    public var runnersUp: [PlaceMatch]
    public var confidence: Confidence?
    /// How the place was found: `name`, `pinyin`, `homophone`, `outlet_name`.
    public var placeMatchedBy: String?
    public var placeWords: [String]
    public var businesses: [Business]
    public var kinds: [OutletKind]
    public var kindWords: [String]
    public var online: [OnlineOnlyWord]
    public var time: TimeReading
    public var clarify: [Question]

    /// The place's canonical name (a landmark's own name for an alias).
    public var placeName: String? { place.map { $0.place.aliasOf ?? $0.place.name } }
    /// The place's id without an alias suffix.
    public var placeID: String? { place.map { Self.canonicalID($0.place.id) } }
    static func canonicalID(_ id: String) -> String { id.split(separator: "#").first.map(String.init) ?? id }
    /// A region named alone (a city, district or province): the agent should ask for a street or landmark.
    public var placeIsBareRegion: Bool { [.city, .district, .province].contains(place?.place.kind) }
}

/// Reads a caller's sentence with the vocabulary, the place index (catalogued places, landmarks and the national
/// list of regions) and the calendar. Pure: the same sentence, `now` and data give the same understanding.
///
/// Steps: fold (full-width, traditional → simplified, lower case); read Latin runs as pinyin place names; take the
/// time words; take business words and place names, longest first and without overlaps (a place name beats a
/// business word it contains: 协和医院 is a place, not 医院); try homophones for what is left (黄坡区 → 黄陂区);
/// a place name followed by a kind of outlet (南湖 + 考场) names that outlet when one is called so; search the
/// place index with the place names together (石家庄 + 长安区 → 石家庄's 长安区, not 西安's).
public struct SentenceReader: Sendable {
    public var vocabulary: CallerVocabulary
    public var tables: TextTables
    public var places: PlaceIndex
    public var lexicon: PlaceLexicon

    public init(vocabulary: CallerVocabulary, tables: TextTables, places: PlaceIndex, lexicon: PlaceLexicon) {
        self.vocabulary = vocabulary
        self.tables = tables
        self.places = places
        self.lexicon = lexicon
    }

    public static let maxLength = 200

    static let placeQuestion = "请问您现在在哪个区、哪条街道，或者附近有什么地标（车站、商场、医院、学校）？"
    static let businessQuestion = "请问您要办理什么业务？"
    static let commonBusinesses: [BusinessCode] = [.licenseRenewal, .licenseReplacement, .vehicleInspection, .ebikeRegistration,
                                                   .vehicleRegistration, .violationHandling]

    static func isHan(_ u: Unicode.Scalar) -> Bool { u.value >= 0x3400 && u.value <= 0x9FFF }

    /// Words around a place that are never part of its name (附近, 哪里, 可以…): no homophone may take them.
    static let fillerScalars: [[Unicode.Scalar]] = (PlaceIndex.fillers + ["哪里", "哪儿", "可以", "能不能", "有没有", "那个", "这个",
        "就是", "什么", "怎么", "一下", "想去", "想要", "要去", "过去", "附近", "旁边", "那块", "这块", "那边", "这边"]).map { Array($0.unicodeScalars) }

    static func isLatin(_ u: Unicode.Scalar) -> Bool {
        (u.value >= 0x61 && u.value <= 0x7A) || (u.value >= 0xC0 && u.value <= 0x24F) || (u.value >= 0x300 && u.value <= 0x36F)
    }

    /// Latin runs (letters, with spaces, apostrophes, hyphens and tone digits inside) replaced by the place names
    /// they spell; returns the text and whether any was read.
    func readLatin(_ s: String) -> (String, Bool) {
        let u = Array(s.decomposedStringWithCanonicalMapping.precomposedStringWithCanonicalMapping.unicodeScalars)
        var out = String.UnicodeScalarView()
        var read = false
        var i = 0
        while i < u.count {
            guard Self.isLatin(u[i]) else { out.append(u[i]); i += 1; continue }
            var j = i
            var last = i
            while j < u.count {
                if Self.isLatin(u[j]) || (u[j].value >= 0x31 && u[j].value <= 0x35 && j > i) { last = j; j += 1; continue }
                if u[j] == " " || u[j] == "'" || u[j] == "’" || u[j] == "-", j + 1 < u.count, Self.isLatin(u[j + 1]) || u[j + 1] == " " { j += 1; continue }
                break
            }
            let run = String(String.UnicodeScalarView(u[i...last]))
            let names = lexicon.readPinyin(run)
            if !names.isEmpty { read = true }
            out.append(" ")
            for n in names { out.append(contentsOf: n.unicodeScalars); out.append(" ") }
            i = last + 1
        }
        return (String(out), read)
    }

    public func read(_ sentence: String, now: Instant, calendar: HolidayCalendar) -> Understanding {
        let folded = tables.fold(sentence)
        let (text, byPinyin) = readLatin(folded)
        let t = Array(text.unicodeScalars)
        let time = TimeWords.read(t, now: now, calendar: calendar)
        var blocked = [Bool](repeating: false, count: t.count)
        for r in time.spans { for k in r { blocked[k] = true } }

        // Business words and place names together, longest first, no overlaps; a tie goes to the business word.
        enum Piece { case word(VocabularyHit), place }
        var candidates: [(start: Int, length: Int, piece: Piece)] = []
        var allHits: [VocabularyHit] = []
        for i in t.indices where !blocked[i] {
            guard let list = vocabulary.byFirst[t[i]] else { continue }
            for (s, e) in list where i + s.count <= t.count && t[i..<(i + s.count)].elementsEqual(s)
                && !(i..<(i + s.count)).contains(where: { blocked[$0] }) {
                allHits.append(VocabularyHit(entry: e, start: i, length: s.count, text: String(String.UnicodeScalarView(s))))
            }
        }
        for h in allHits { candidates.append((h.start, h.length, .word(h))) }
        for o in lexicon.occurrences(t, blocked: blocked) { candidates.append((o.start, o.length, .place)) }
        candidates.sort { a, b in
            if a.length != b.length { return a.length > b.length }
            if case .word = a.piece, case .place = b.piece { return true }
            if case .place = a.piece, case .word = b.piece { return false }
            return a.start < b.start
        }
        var taken = blocked
        var hits: [VocabularyHit] = []
        var placeSpans: [Range<Int>] = []
        for c in candidates where !(c.start..<(c.start + c.length)).contains(where: { taken[$0] }) {
            for k in c.start..<(c.start + c.length) { taken[k] = true }
            switch c.piece {
            case .word(let h): hits.append(h)
            case .place: placeSpans.append(c.start..<(c.start + c.length))
            }
        }
        hits.sort { $0.start < $1.start }

        // Homophones of place names in what is left, or around a name found (汉口 + 火车战 → 汉口火车站): windows of
        // three to seven characters that read like a landmark, region or street and differ from it in one character
        // (two from five characters on), never across a business or time word or a filler, never cutting a name found.
        var matchedBy = byPinyin ? "pinyin" : "name"
        var wordTaken = blocked
        for h in hits { for k in h.start..<(h.start + h.length) { wordTaken[k] = true } }
        for f in Self.fillerScalars {
            var i = 0
            while i + f.count <= t.count {
                if t[i..<(i + f.count)].elementsEqual(f) { for k in i..<(i + f.count) { wordTaken[k] = true } }
                i += 1
            }
        }
        var replaced: [(Range<Int>, String)] = []
        var length = min(7, t.count)
        while length >= 3 {
            var i = 0
            while i + length <= t.count {
                let r = i..<(i + length)
                if r.contains(where: { wordTaken[$0] || !Self.isHan(t[$0]) })
                    || placeSpans.contains(where: { $0.overlaps(r) && !($0.lowerBound >= r.lowerBound && $0.upperBound <= r.upperBound) })
                    || placeSpans.contains(where: { $0.lowerBound <= r.lowerBound && $0.upperBound >= r.upperBound })
                    || replaced.contains(where: { $0.0.overlaps(r) }) {
                    i += 1
                    continue
                }
                let window = Array(t[r])
                var hit: String?
                for key in tables.pinyinKeys(String(String.UnicodeScalarView(window)), limit: 16) where key.count >= 4 {
                    guard let s = lexicon.homophones[key] else { continue }
                    let target = Array(s.unicodeScalars)
                    guard target.count == window.count else { continue }
                    let differing = zip(target, window).filter { $0 != $1 }.count
                    if differing >= 1 && differing <= (length >= 5 ? 2 : 1) { hit = s; break }
                }
                if let hit {
                    placeSpans.removeAll { $0.overlaps(r) }
                    replaced.append((r, hit))
                    matchedBy = "homophone"
                    i += length
                } else { i += 1 }
            }
            length -= 1
        }

        // The place names in sentence order, homophones in their corrected form.
        var pieces: [(Int, String)] = placeSpans.map { ($0.lowerBound, String(String.UnicodeScalarView(t[$0]))) }
        pieces += replaced.map { ($0.0.lowerBound, $0.1) }
        pieces.sort { $0.0 < $1.0 }
        let placeWords = pieces.map(\.1)

        var place: PlaceMatch?
        var runnersUp: [PlaceMatch] = []
        do {
            // Words right before a kind of outlet may be an outlet's own name (南湖考场, 白沙洲考场): the longest run of
            // two or more characters before it that, with the kind word, is part of an outlet's name.
            outletName: for h in hits {
                guard case .business(let w) = h.entry, !w.kinds.isEmpty else { continue }
                var start = h.start
                while start > 0, h.start - start < 8, !wordTaken[start - 1], Self.isHan(t[start - 1]) { start -= 1 }
                var from = start
                while h.start - from >= 2 {
                    let full = String(String.UnicodeScalarView(t[from..<h.start])) + h.text
                    if let m = places.search(full, limit: 3, kinds: [.outlet]).matches.first(where: { $0.place.name.contains(full) }) {
                        place = m
                        matchedBy = "outlet_name"
                        break outletName
                    }
                    from += 1
                }
            }
            if place == nil && !placeWords.isEmpty {
                let search = places.search(placeWords.joined(), limit: 12, includeOutside: true)
                var seen = Set<String>()
                var ranked: [PlaceMatch] = []
                for m in search.matches where seen.insert(Understanding.canonicalID(m.place.id)).inserted { ranked.append(m) }
                // A name said as such (蔡甸街道) beats a region read from its short form and a suffix (蔡甸 + 街道).
                if let top = ranked.first, !placeWords.contains(top.place.name),
                   !placeWords.contains(PlaceIndex.shortForm(PlaceIndex.fold(top.place.name)).map(PlaceIndex.string) ?? top.place.name),
                   let i = ranked.firstIndex(where: { $0.coverage == top.coverage && placeWords.contains($0.place.name) }) {
                    ranked.insert(ranked.remove(at: i), at: 0)
                }
                place = ranked.first
                runnersUp = Array(ranked.dropFirst().prefix(4))
            }
        }

        // Businesses: ambiguous words settled by another word of the sentence, or asked about.
        var online: [OnlineOnlyWord] = []
        var words: [(VocabularyWord, String)] = []
        for h in hits {
            switch h.entry {
            case .online(let o): online.append(o)
            case .business(let w): words.append((w, h.text))
            }
        }
        var codes: [BusinessCode] = []
        var codeWords: [BusinessCode: [String]] = [:]
        var kinds: [OutletKind] = []
        var kindWords: [String] = []
        var clarify: [Understanding.Question] = []
        let plain = words.filter { $0.0.ambiguity == nil }
        func add(_ c: BusinessCode, _ word: String) {
            if !codes.contains(c) { codes.append(c) }
            if !(codeWords[c]?.contains(word) ?? false) { codeWords[c, default: []].append(word) }
        }
        for (w, text) in words {
            for k in w.kinds where !kinds.contains(k) { kinds.append(k) }
            if !w.kinds.isEmpty && w.businesses.isEmpty { kindWords.append(text) }
            if let setID = w.ambiguity, let set = vocabulary.sets[setID] {
                let options = set.options.map(\.code)
                if let settle = plain.first(where: { !Set($0.0.businesses).isDisjoint(with: options) }) {
                    for c in settle.0.businesses where options.contains(c) { add(c, text) }
                } else if let other = words.first(where: { $0.0.ambiguity != nil && $0.0.ambiguity != setID
                                                        && !Set($0.0.businesses).isDisjoint(with: options) }) {
                    // Two ambiguous words that share one reading settle each other (年审 + 检车 …).
                    let common = options.filter { other.0.businesses.contains($0) }
                    if let c = common.first { add(c, text) }
                } else {
                    add(options[0], text)
                    if !clarify.contains(where: { $0.kind == .business }) {
                        clarify.append(.init(kind: .business, questionZh: set.questionZh,
                                             options: set.options.map { ($0.code.rawValue, $0.labelZh) }))
                    }
                }
            } else {
                for c in w.businesses { add(c, text) }
            }
        }
        if !online.isEmpty {
            // A service done online: no outlet business (查违章 is not 处理违章).
            codes = []
            codeWords = [:]
            clarify.removeAll { $0.kind == .business }
        }
        var confidence: Understanding.Confidence?
        if let m = place {
            let p = m.place
            if m.coverage < 0.999 || m.nameMatch < .prefix { confidence = .low }
            else if p.approximate || matchedBy == "homophone" || matchedBy == "pinyin" || [.city, .district, .province].contains(p.kind) {
                confidence = .confirm
            } else { confidence = .high }
        }
        if online.isEmpty && (place == nil || (place.map { [.city, .district, .province].contains($0.place.kind) && $0.place.catalogued } ?? false)) {
            var options: [(String, String)] = []
            if let p = place?.place {
                // Streets of the region, as options the agent may offer.
                let prefix = p.name
                options = places.points.filter { $0.kind == .street && $0.parents.contains(prefix) }.prefix(6).map { ($0.id, $0.name) }
            }
            clarify.insert(.init(kind: .place, questionZh: place.map { "请问您在\($0.place.name)的哪个街道，或者附近有什么地标？" } ?? Self.placeQuestion,
                                 options: options), at: 0)
        }
        if codes.isEmpty && kinds.isEmpty && online.isEmpty && !clarify.contains(where: { $0.kind == .business }) {
            clarify.append(.init(kind: .business, questionZh: Self.businessQuestion,
                                 options: Self.commonBusinesses.map { ($0.rawValue, $0.nameZh) }))
        }
        return Understanding(normalized: text, place: place, runnersUp: runnersUp, confidence: confidence,
                             placeMatchedBy: place == nil ? nil : matchedBy, placeWords: placeWords,
                             businesses: codes.map { Understanding.Business(code: $0, words: codeWords[$0] ?? []) },
                             kinds: kinds, kindWords: kindWords, online: online, time: time, clarify: clarify)
    }
}
