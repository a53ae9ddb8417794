import Foundation

/// A rule, standard or practice a guide item rests on (`SeedData/guides/regulations.csv`).
public struct GuideRegulation: Sendable, Hashable {
    public var id: String
    public var titleZh: String
    /// `law`, `regulation`, `rule`, `standard`, `policy`, `local`, `practice`.
    public var kind: String
    public var url: String?
}

/// How sure the cited article is: `confident` (an article given and checked), `uncertain` (the regulation is the
/// source but its article was not verified, so none is given), `not_applicable` (a standard, policy or practice cited
/// as a whole).
public enum ArticleConfidence: String, Sendable, CaseIterable {
    case confident, uncertain
    case notApplicable = "not_applicable"
}

/// Where an item comes from: the regulation and, when known for sure, its article.
public struct GuideSource: Sendable, Hashable {
    public var regulation: GuideRegulation
    public var article: String?
    public var articleConfidence: ArticleConfidence
}

/// The parts of a 办事指南.
public enum GuideSection: String, Sendable, CaseIterable {
    /// 材料: what to bring.
    case document
    /// 委托代理: who may act for the applicant.
    case agent
    /// 网上办理 (交管12123 App).
    case online
    /// 预约.
    case appointment
    /// 收费 (fixed national fees only; otherwise "以当地收费公示为准").
    case fee
    /// 说明.
    case note
}

/// One line of a guide, with its source and the scope it came from (`national`, `region:420100`, `outlet:WH-SS-0001`).
public struct GuideItem: Sendable, Hashable {
    public var section: GuideSection
    public var textZh: String
    /// A short form for read-backs (`身份证明`), documents only.
    public var shortZh: String?
    /// The section's value: online `app|partial|no`, appointment `required|recommended|not_required|local`, agent
    /// `allowed|restricted|not_allowed|local`, fee the amount in yuan.
    public var value: String?
    public var source: GuideSource
    public var scope: String
}

/// Where a local override applies: a region (a province, city or district by GB/T 2260 code) or one outlet by code.
public enum GuideScope: Sendable, Hashable, CustomStringConvertible {
    case region(String)
    case outlet(String)

    public var description: String {
        switch self {
        case .region(let c): "region:\(c)"
        case .outlet(let c): "outlet:\(c)"
        }
    }

    /// The code's significant prefix: 130000 → 13, 420100 → 4201, 420116 → 420116.
    static func prefix(_ code: String) -> String {
        var s = code
        while s.count > 2 && s.hasSuffix("00") { s.removeLast(2) }
        return s
    }

    /// Order of application: provinces, cities, districts, then outlets.
    var level: Int {
        switch self {
        case .region(let c): Self.prefix(c).count
        case .outlet: 8
        }
    }
}

/// A local override: adds an item to a section, or replaces the section's items so far.
public struct GuideOverride: Sendable, Hashable {
    public enum Mode: String, Sendable { case add, replace }
    public var scope: GuideScope
    public var business: BusinessCode
    public var mode: Mode
    public var item: GuideItem
}

/// One business's guide, national rules with the overrides that apply merged in.
public struct Guide: Sendable {
    public var business: BusinessCode
    public var items: [GuideItem]
    /// The override scopes applied, in order.
    public var applied: [String]

    public func items(_ section: GuideSection) -> [GuideItem] { items.filter { $0.section == section } }

    /// The short names of the documents to bring (`身份证明`, `体检证明`), for read-backs.
    public var documentsZh: [String] { items(.document).map { $0.shortZh ?? $0.textZh } }

    /// `请携带：身份证明、体检证明、原驾驶证。`, or nil when the guide lists no documents.
    public var bringZh: String? {
        let d = documentsZh
        return d.isEmpty ? nil : "请携带：\(d.joined(separator: "、"))。"
    }
}

/// Every business's 办事指南 (`SeedData/guides/`): the national items and the local overrides, read once at start.
public struct GuideBook: Sendable {
    public var regulations: [String: GuideRegulation]
    public var national: [BusinessCode: [GuideItem]]
    public var overrides: [GuideOverride]

    public init(regulations: [String: GuideRegulation], national: [BusinessCode: [GuideItem]], overrides: [GuideOverride]) {
        self.regulations = regulations
        self.national = national
        self.overrides = overrides
    }

    public static let empty = GuideBook(regulations: [:], national: [:], overrides: [])

    /// The guide for `business` where `region` (a GB/T 2260 code of a province, city or district) and `outlet` (an
    /// outlet code) apply: national items, then the overrides of the province, the city, the district and the outlet.
    public func guide(for business: BusinessCode, region: String? = nil, outlet: String? = nil) -> Guide {
        var items = national[business] ?? []
        var applied: [String] = []
        let matching = overrides.enumerated().filter { _, o in
            guard o.business == business else { return false }
            switch o.scope {
            case .region(let c): return region.map { $0.hasPrefix(GuideScope.prefix(c)) } ?? false
            case .outlet(let c): return outlet == c
            }
        }.sorted { ($0.element.scope.level, $0.offset) < ($1.element.scope.level, $1.offset) }.map(\.element)
        var replaced = Set<String>()
        for o in matching {
            let key = "\(o.scope)|\(o.item.section.rawValue)"
            if o.mode == .replace && replaced.insert(key).inserted {
                items.removeAll { $0.section == o.item.section }
            }
            items.append(o.item)
            if !applied.contains(o.scope.description) { applied.append(o.scope.description) }
        }
        // Sections in their fixed order, items in file order within a section.
        let order = Dictionary(uniqueKeysWithValues: GuideSection.allCases.enumerated().map { ($1, $0) })
        items = items.enumerated().sorted { (order[$0.element.section]!, $0.offset) < (order[$1.element.section]!, $1.offset) }.map(\.element)
        return Guide(business: business, items: items, applied: applied)
    }

    /// Reads `regulations.csv`, `national.csv` and `local.csv` from `directory`; a missing folder gives an empty
    /// book. A malformed line, an unknown business code, section, regulation or scope is an error naming the file
    /// and line.
    public static func load(directory: URL) throws -> GuideBook {
        guard FileManager.default.fileExists(atPath: directory.path) else { return .empty }
        func bad(_ file: String, _ line: Int, _ why: String) -> DomainError { .invalid("guides", "SeedData/guides/\(file):\(line): \(why)") }
        func rows(_ name: String, fields: Int) throws -> [(Int, [String])] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            var out: [(Int, [String])] = []
            for (i, l) in lines.enumerated().dropFirst() {
                let s = l.trimmingCharacters(in: .whitespacesAndNewlines)
                if s.isEmpty || s.hasPrefix("#") { continue }
                let r = CSV.splitLine(s).map { $0.trimmingCharacters(in: .whitespaces) }
                guard r.count == fields else { throw bad(name, i + 1, "expected \(fields) fields, found \(r.count)") }
                out.append((i + 1, r))
            }
            return out
        }

        var regulations: [String: GuideRegulation] = [:]
        for (n, r) in try rows("regulations.csv", fields: 4) {
            guard !r[0].isEmpty, !r[1].isEmpty else { throw bad("regulations.csv", n, "id and title_zh are required") }
            guard regulations[r[0]] == nil else { throw bad("regulations.csv", n, "duplicate id \(r[0])") }
            regulations[r[0]] = GuideRegulation(id: r[0], titleZh: r[1], kind: r[2], url: r[3].isEmpty ? nil : r[3])
        }

        /// section, text_zh, short_zh, value, regulation, article, article_confidence
        func item(_ file: String, _ n: Int, _ f: ArraySlice<String>, scope: String) throws -> GuideItem {
            let f = Array(f)
            guard let section = GuideSection(rawValue: f[0]) else {
                throw bad(file, n, "unknown section '\(f[0])' (one of \(GuideSection.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !f[1].isEmpty else { throw bad(file, n, "text_zh is required") }
            guard let regulation = regulations[f[4]] else { throw bad(file, n, "unknown regulation '\(f[4])' (not in regulations.csv)") }
            guard let confidence = ArticleConfidence(rawValue: f[6]) else {
                throw bad(file, n, "article_confidence must be confident, uncertain or not_applicable")
            }
            if confidence == .confident && f[5].isEmpty { throw bad(file, n, "a confident citation names its article") }
            if confidence != .confident && !f[5].isEmpty { throw bad(file, n, "an article is given only when confident") }
            if section == .fee, !f[3].isEmpty, Int(f[3]) == nil { throw bad(file, n, "a fee's value is a whole number of yuan") }
            return GuideItem(section: section, textZh: f[1], shortZh: f[2].isEmpty ? nil : f[2], value: f[3].isEmpty ? nil : f[3],
                             source: GuideSource(regulation: regulation, article: f[5].isEmpty ? nil : f[5], articleConfidence: confidence),
                             scope: scope)
        }

        var national: [BusinessCode: [GuideItem]] = [:]
        for (n, r) in try rows("national.csv", fields: 8) {
            guard let code = BusinessCode(rawValue: r[0]) else { throw bad("national.csv", n, "unknown business code '\(r[0])'") }
            national[code, default: []].append(try item("national.csv", n, r[1...], scope: "national"))
        }

        var overrides: [GuideOverride] = []
        for (n, r) in try rows("local.csv", fields: 10) {
            let parts = r[0].split(separator: ":", maxSplits: 1).map(String.init)
            let scope: GuideScope
            if parts.count == 2, parts[0] == "region", parts[1].count == 6, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) {
                scope = .region(parts[1])
            } else if parts.count == 2, parts[0] == "outlet", !parts[1].isEmpty {
                scope = .outlet(parts[1])
            } else {
                throw bad("local.csv", n, "scope must be region:<six-digit GB/T 2260 code> or outlet:<outlet code>, not '\(r[0])'")
            }
            guard let code = BusinessCode(rawValue: r[1]) else { throw bad("local.csv", n, "unknown business code '\(r[1])'") }
            guard let mode = GuideOverride.Mode(rawValue: r[2]) else { throw bad("local.csv", n, "mode must be add or replace") }
            overrides.append(GuideOverride(scope: scope, business: code, mode: mode,
                                           item: try item("local.csv", n, r[3...], scope: scope.description)))
        }
        return GuideBook(regulations: regulations, national: national, overrides: overrides)
    }
}
