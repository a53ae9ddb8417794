import Foundation

/// A word or phrase callers use for a business or a kind of outlet (`SeedData/vocabulary/business-words.csv`).
public struct VocabularyWord: Sendable, Hashable {
    public var word: String
    public var businesses: [BusinessCode]
    public var kinds: [OutletKind]
    /// Set when the word alone does not say which business (`上牌`: car or e-bike); see ``AmbiguitySet``.
    public var ambiguity: String?
    public var weight: Double
}

/// A service done online, not at an outlet (`online-only.csv`), with the sentence an agent reads out.
public struct OnlineOnlyWord: Sendable, Hashable {
    public var word: String
    public var channel: String
    public var readOutZh: String
}

/// The question to ask when a word names several businesses, with its options (the first is the usual reading).
public struct AmbiguitySet: Sendable, Hashable {
    public var id: String
    public var questionZh: String
    public var options: [(code: BusinessCode, labelZh: String)]
    public static func == (a: AmbiguitySet, b: AmbiguitySet) -> Bool { a.id == b.id }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// One place in a sentence where a vocabulary entry was found (scalar offsets into the folded sentence).
public struct VocabularyHit: Sendable {
    public enum Entry: Sendable {
        case business(VocabularyWord)
        case online(OnlineOnlyWord)
    }
    public var entry: Entry
    public var start: Int
    public var length: Int
    public var text: String
}

/// What callers say, mapped to business codes and outlet kinds: the files of `SeedData/vocabulary/`, read as its
/// README says — longest match first, no overlaps, across business words and online-only words together.
public struct CallerVocabulary: Sendable {
    public var words: [VocabularyWord]
    public var online: [OnlineOnlyWord]
    public var sets: [String: AmbiguitySet]
    /// First scalar → entries starting with it, longest first.
    let byFirst: [Unicode.Scalar: [(scalars: [Unicode.Scalar], entry: VocabularyHit.Entry)]]

    public init(words: [VocabularyWord], online: [OnlineOnlyWord], sets: [String: AmbiguitySet]) {
        self.words = words
        self.online = online
        self.sets = sets
        var map: [Unicode.Scalar: [(scalars: [Unicode.Scalar], entry: VocabularyHit.Entry)]] = [:]
        for w in words { let s = Array(w.word.unicodeScalars); if let f = s.first { map[f, default: []].append((s, .business(w))) } }
        for w in online { let s = Array(w.word.unicodeScalars); if let f = s.first { map[f, default: []].append((s, .online(w))) } }
        for k in map.keys { map[k]!.sort { $0.scalars.count > $1.scalars.count } }
        byFirst = map
    }

    public static let empty = CallerVocabulary(words: [], online: [], sets: [:])

    /// Loads `business-words.csv`, `online-only.csv` and `ambiguities.csv`; an unknown code is an error naming the
    /// file and line.
    public static func load(directory: URL) throws -> CallerVocabulary {
        func rows(_ name: String) throws -> [(Int, [String])] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            return lines.enumerated().dropFirst().compactMap { i, l in
                let s = l.trimmingCharacters(in: .whitespacesAndNewlines)
                return s.isEmpty ? nil : (i + 1, CSV.splitLine(s))
            }
        }
        func bad(_ file: String, _ line: Int, _ why: String) -> DomainError { .invalid("vocabulary", "SeedData/vocabulary/\(file):\(line): \(why)") }
        var sets: [String: AmbiguitySet] = [:]
        for (n, r) in try rows("ambiguities.csv") {
            guard r.count >= 3 else { throw bad("ambiguities.csv", n, "expected 3 fields") }
            var options: [(BusinessCode, String)] = []
            for o in r[2].split(separator: "|") {
                let parts = o.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let c = BusinessCode(rawValue: parts[0]) else { throw bad("ambiguities.csv", n, "bad option \(o)") }
                options.append((c, parts[1]))
            }
            sets[r[0]] = AmbiguitySet(id: r[0], questionZh: r[1], options: options)
        }
        var words: [VocabularyWord] = []
        for (n, r) in try rows("business-words.csv") {
            guard r.count >= 5 else { throw bad("business-words.csv", n, "expected 6 fields") }
            var codes: [BusinessCode] = []
            for c in r[1].split(separator: "|") {
                guard let b = BusinessCode(rawValue: String(c)) else { throw bad("business-words.csv", n, "unknown business \(c)") }
                codes.append(b)
            }
            var kinds: [OutletKind] = []
            for c in r[2].split(separator: "|") {
                guard let k = OutletKind(rawValue: String(c)) else { throw bad("business-words.csv", n, "unknown kind \(c)") }
                kinds.append(k)
            }
            let set = r[3].isEmpty ? nil : r[3]
            if let set, sets[set] == nil { throw bad("business-words.csv", n, "unknown ambiguity set \(set)") }
            words.append(VocabularyWord(word: r[0], businesses: codes, kinds: kinds, ambiguity: set, weight: Double(r[4]) ?? 1))
        }
        var online: [OnlineOnlyWord] = []
        for (n, r) in try rows("online-only.csv") {
            guard r.count >= 3 else { throw bad("online-only.csv", n, "expected 4 fields") }
            online.append(OnlineOnlyWord(word: r[0], channel: r[1], readOutZh: r[2]))
        }
        return CallerVocabulary(words: words, online: online, sets: sets)
    }

    /// Every entry found in `text`, longest first and without overlaps, in the order of the sentence. `blocked`
    /// marks scalars already taken (time words, places) that no entry may use.
    public func scan(_ text: [Unicode.Scalar], blocked: [Bool]? = nil) -> [VocabularyHit] {
        var found: [VocabularyHit] = []
        for i in text.indices {
            guard let list = byFirst[text[i]] else { continue }
            for (s, e) in list where i + s.count <= text.count && text[i..<(i + s.count)].elementsEqual(s) {
                found.append(VocabularyHit(entry: e, start: i, length: s.count, text: String(String.UnicodeScalarView(s))))
            }
        }
        found.sort { ($0.length, -$0.start) > ($1.length, -$1.start) }
        var taken = blocked ?? [Bool](repeating: false, count: text.count)
        var out: [VocabularyHit] = []
        for h in found where !(h.start..<(h.start + h.length)).contains(where: { taken[$0] }) {
            for k in h.start..<(h.start + h.length) { taken[k] = true }
            out.append(h)
        }
        return out.sorted { $0.start < $1.start }
    }

    /// Business words matching a query, best first: exact words, then words containing the query or contained in
    /// it, then by weight (for `GET /v1/business-types?q=`).
    public func rank(_ query: String, limit: Int = 10) -> [(word: VocabularyWord, match: String)] {
        let q = query.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        var scored: [(VocabularyWord, String, Int, Double)] = []
        for w in words {
            let m: (String, Int)?
            if w.word == q { m = ("exact", 0) }
            else if q.contains(w.word) { m = ("in_query", 1) }
            else if w.word.contains(q) { m = ("partial", 2) }
            else { m = nil }
            if let m { scored.append((w, m.0, m.1, w.weight)) }
        }
        scored.sort { a, b in
            if a.2 != b.2 { return a.2 < b.2 }
            if a.0.word.count != b.0.word.count { return a.2 == 1 ? a.0.word.count > b.0.word.count : a.0.word.count < b.0.word.count }
            if a.3 != b.3 { return a.3 > b.3 }
            return a.0.word < b.0.word
        }
        return scored.prefix(limit).map { ($0.0, $0.1) }
    }
}

extension CallerVocabulary {
    /// Business words that name their businesses outright (no ambiguity set, at least one code): what a bureau's
    /// 业务范围 or `（仅…）` may say instead of the catalogue's names.
    public var businessWordMap: [String: [BusinessCode]] {
        var map: [String: [BusinessCode]] = [:]
        for w in words where w.ambiguity == nil && !w.businesses.isEmpty { map[w.word] = w.businesses }
        return map
    }

    /// Why a word of a bureau's list is not a business: ambiguous (with its options), names only a kind of outlet, or
    /// unknown. Nil when ``businessWordMap`` has it.
    public func whyNotBusiness(_ word: String) -> String? {
        guard let w = words.first(where: { $0.word == word }) else {
            return online.contains { $0.word == word } ? "a service done online, not at an outlet" : "not a business name of the catalogue or the caller vocabulary"
        }
        if let set = w.ambiguity {
            return "ambiguous (\(sets[set]?.questionZh ?? set)): name one of \(w.businesses.map(\.nameZh).joined(separator: "、"))"
        }
        if w.businesses.isEmpty { return "names a kind of outlet, not a business" }
        return nil
    }
}
