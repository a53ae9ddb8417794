import Foundation

/// The character tables a caller's sentence is read with (`SeedData/text/`, generated from OpenCC and pypinyin by
/// `scripts/make-text-tables.py`): traditional characters folded to simplified one by one, and the toneless pinyin of
/// names, so that `漢陽區`, `hanyang qu`, `hàn yáng qū` and the homophone typo `黄坡区` read as 汉阳区 / 黄陂区.
public struct TextTables: Sendable {
    /// Traditional → simplified, one character each (only characters that differ).
    public var simplified: [Unicode.Scalar: Unicode.Scalar]
    /// Phrase-aware toneless pinyin of known names and words, syllables joined without spaces (`汉口火车站` →
    /// `hankouhuochezhan`).
    public var namePinyin: [String: String]
    /// Every toneless reading of a character, most common first (for text not in `namePinyin`).
    public var readings: [Unicode.Scalar: [String]]

    public init(simplified: [Unicode.Scalar: Unicode.Scalar] = [:], namePinyin: [String: String] = [:],
                readings: [Unicode.Scalar: [String]] = [:]) {
        self.simplified = simplified
        self.namePinyin = namePinyin
        self.readings = readings
    }

    public static let empty = TextTables()

    /// Loads `traditional-simplified.csv`, `pinyin.csv` and `pinyin-chars.csv` from `directory`; a missing file
    /// leaves its table empty.
    public static func load(directory: URL) throws -> TextTables {
        func rows(_ name: String) throws -> [[String]] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            let text = try String(contentsOf: url, encoding: .utf8)
            return text.split(whereSeparator: \.isNewline).dropFirst().map { CSV.splitLine(String($0)) }
        }
        var t = TextTables()
        for r in try rows("traditional-simplified.csv") where r.count >= 2 {
            if let a = r[0].unicodeScalars.first, let b = r[1].unicodeScalars.first, r[0].unicodeScalars.count == 1 { t.simplified[a] = b }
        }
        for r in try rows("pinyin.csv") where r.count >= 2 {
            t.namePinyin[r[0]] = r[1].replacingOccurrences(of: " ", with: "")
        }
        for r in try rows("pinyin-chars.csv") where r.count >= 2 {
            if let c = r[0].unicodeScalars.first { t.readings[c] = r[1].split(separator: ";").map(String.init) }
        }
        return t
    }

    /// Full-width to half-width, traditional to simplified, lower case.
    public func fold(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            out.append(simplified[u] ?? u)
        }
        return String(out)
    }

    /// The toneless pinyin of `text` without spaces: the phrase table's reading when it has one, otherwise each
    /// character's first reading; nil when a character has none (not Chinese).
    public func pinyinKey(_ text: String) -> String? {
        if let p = namePinyin[text] { return p }
        var out = ""
        for u in text.unicodeScalars {
            guard let r = readings[u]?.first else { return nil }
            out += r
        }
        return out
    }

    /// Every reading of `text` built from its characters' readings (at most `limit`), for homophone matching.
    public func pinyinKeys(_ text: String, limit: Int = 16) -> [String] {
        var keys = [""]
        for u in text.unicodeScalars {
            guard let rs = readings[u], !rs.isEmpty else { return [] }
            var next: [String] = []
            for k in keys { for r in rs.prefix(3) where next.count < limit { next.append(k + r) } }
            keys = next
        }
        if let p = namePinyin[text], !keys.contains(p) { keys.insert(p, at: 0) }
        return keys
    }

    /// Latin letters of a pinyin spelling reduced to the bare syllables: tone marks and tone digits, apostrophes,
    /// spaces and hyphens dropped, `ü`/`v` read as `v`… as pypinyin writes it (`lü` → `lv`).
    public static func bareLatin(_ s: String) -> String {
        var out = ""
        for u in s.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if u.value >= 0x61 && u.value <= 0x7A { out.unicodeScalars.append(u) }
            else if u.value == 0x308 { if out.last == "u" { out.removeLast(); out += "v" } }
        }
        return out
    }
}
