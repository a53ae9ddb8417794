// OpenStreetMap `opening_hours` form of outlet hours: a renderer and a parser for a documented subset.

// MARK: - Public API

extension Hours {
    /// The hours as an OpenStreetMap `opening_hours` value, e.g. `Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off`.
    ///
    /// OSM has no notion of China's 调休 (Saturdays/Sundays declared working days) nor of rules limited to some
    /// businesses, so the mapping is a convention, read back exactly by ``init(openingHours:path:)``:
    /// - selectors: `workday` → `Mo-Fr`, `restday` → `Sa,Su`, `daily` → `Mo-Su`, `holiday` → `PH`, weekdays → `Mo`…`Su`
    ///   with runs as ranges (`Mo-We`). A set of plain weekdays whose natural spelling is one of those reserved
    ///   spellings is written so that it is not: Monday–Friday as `Mo-Th,Fr`, all seven as `Mo-Sa,Su`,
    ///   Saturday and Sunday as `Su,Sa`;
    /// - a `daily` rule 00:00–24:00 for every business is `24/7`; a past-midnight interval is `22:00-02:00`;
    /// - a rule limited to businesses carries them as an OSM comment of codes: `Sa 09:00-12:00 "vehicle_inspection"`;
    /// - holidays: when no rule reaches statutory holidays (no `holiday`, no `daily`) the text ends with `PH off`,
    ///   as docs/hours.md's precedence closes them;
    /// - OSM semantics (a later `;` rule replaces earlier ones on its days, a `,` rule adds to them) are honoured:
    ///   rules are written in order, joined by `; `, or by `, ` where docs/hours.md's precedence combines a rule with an
    ///   earlier one on the same days; when no order expresses the precedence (e.g. a `holiday` rule before a
    ///   `daily` one) the rules are reordered by precedence tier, and as a last resort rewritten per day
    ///   (see ``normalizedForOSM()``);
    /// - dated `exceptions` are omitted: the hours JSON stays the source of truth, `opening_hours` is an export;
    /// - no rules at all is `off`.
    public var openingHours: String {
        let plan = OSMHours.plan(rules)
        if plan.rules.isEmpty { return "off" }
        var text = ""
        for (i, rule) in plan.rules.enumerated() {
            if i > 0 { text += plan.additive[i] ? ", " : "; " }
            text += OSMHours.ruleText(rule)
        }
        if plan.phOff { text += "; PH off" }
        return text
    }

    /// The rules-only form that `Hours(openingHours: h.openingHours)` returns: exceptions dropped, each rule's days
    /// in ``DaySelector`` declaration order without duplicates, businesses in catalogue order without duplicates,
    /// rules that can never apply (no days, no intervals, an empty business list) dropped, and the rules reordered
    /// or rewritten per day only when ``openingHours`` had to (see there). It evaluates like `self` on every
    /// ordinary workday, ordinary rest day and statutory holiday; it differs only when the rules had to be
    /// rewritten per day, and then only on 调休 makeup workdays, which OSM cannot describe.
    ///
    /// Round trip: for every valid `h`, `Hours(openingHours: h.openingHours) == h.normalizedForOSM()`, and
    /// `h.normalizedForOSM().openingHours == h.openingHours`.
    public func normalizedForOSM() -> Hours {
        Hours(rules: OSMHours.plan(rules).rules)
    }

    /// Parses an OpenStreetMap `opening_hours` value of the supported subset into rules (no exceptions).
    ///
    /// Supported subset:
    /// - rules separated by `;` (a later rule replaces earlier ones on the days it names) or by `,` followed by a
    ///   day selector (an additional rule, adding to earlier ones);
    /// - day selectors: `Mo`…`Su`, ranges (`Mo-We`, wrapping `Fr-Mo`), lists (`Mo-We,Fr`), `PH`; no day selector
    ///   means every day (`daily`), and `24/7` is `daily` 00:00–24:00;
    /// - times `HH:MM-HH:MM` (end up to `24:00`; an end before the start runs past midnight, `22:00-02:00`),
    ///   several joined by `,`; days without times mean 00:00–24:00; `off` / `closed`;
    /// - a comment `"code code"` whose every word is a ``BusinessCode`` raw value limits the rule to those businesses.
    ///
    /// Day mapping (China's calendar, see docs/hours.md): the item `Mo-Fr` is `workday`, the item `Sa-Su` or the
    /// consecutive items `Sa,Su` are `restday`, the item `Mo-Su` is `daily`, `PH` is `holiday`; every other item is
    /// plain weekday selectors. Only `daily` (`Mo-Su`, no day selector, `24/7`) and `PH` reach statutory holidays:
    /// like the hours model, a rule on weekdays does not apply on a holiday falling on them.
    ///
    /// Overrides: when the rules read with OSM semantics (later `;` rules replace earlier ones per day) give the same
    /// per-day result as docs/hours.md's precedence, the rules are kept as written. Otherwise they are rewritten per day so
    /// that the result evaluates the same on every ordinary day and holiday: `Mo-Fr 08:00-17:00; We off` becomes
    /// `mon,tue,thu,fri 08:00-17:00`, `Mo-Su 08:00-18:00; PH off` becomes `workday,restday 08:00-18:00` (not `daily`,
    /// which would reach holidays). A rewritten day set is named by ``DaySelector``s preferring the calendar ones:
    /// all days and PH → `daily`, Mo…Fr → `workday`, Sa+Su → `restday`, PH → `holiday`, the rest as weekdays.
    ///
    /// Anything outside the subset (month/date/year/week selectors, `sunrise`/`sunset`, `Mo[1]`, `SH`, `||`,
    /// open ends `+`, `open`/`unknown`, free-text comments, times past 24:00, overlapping ranges) throws
    /// `DomainError.invalid` naming `path` with a reason that quotes the unsupported part; nothing is
    /// silently dropped.
    public init(openingHours text: String, path: String = "opening_hours") throws(DomainError) {
        var parser = OSMHoursParser(text: text, path: path)
        let rules = try parser.parse()
        self.init(rules: rules)
    }
}

// MARK: - Mapping between the hours model and OSM day slots

/// OSM sees eight day slots: the ordinary Monday…Sunday (bits 0…6) and statutory holidays `PH` (bit 7).
enum OSMHours {
    static let abbr = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    static let allSlots: UInt8 = 0xFF
    static let weekdaySlots: UInt8 = 0x1F
    static let weekendSlots: UInt8 = 0x60
    static let phSlot: UInt8 = 0x80

    static func slots(_ sel: DaySelector) -> UInt8 {
        switch sel {
        case .daily: allSlots
        case .workday: weekdaySlots
        case .restday: weekendSlots
        case .holiday: phSlot
        default: UInt8(1) << UInt8(sel.isoWeekday! - 1)
        }
    }

    static func slots(_ days: [DaySelector]) -> UInt8 { days.reduce(0) { $0 | slots($1) } }

    /// Days in declaration order without duplicates.
    static func canonicalDays(_ days: some Sequence<DaySelector>) -> [DaySelector] {
        let set = Set(days)
        return DaySelector.allCases.filter { set.contains($0) }
    }

    static func canonical(_ rule: HoursRule) -> HoursRule {
        HoursRule(days: canonicalDays(rule.days), intervals: rule.intervals,
                  businesses: rule.businesses.map { Array(Set($0)).sorted() })
    }

    /// A rule that can contribute an open interval.
    static func effective(_ rule: HoursRule) -> Bool {
        !rule.days.isEmpty && !rule.intervals.isEmpty && rule.businesses?.isEmpty != true
    }

    /// For each slot, the labels of the rules docs/hours.md's precedence chooses there (effective ones), sorted.
    /// Slot Mo…Fr is an ordinary workday, Sa/Su an ordinary rest day, PH a holiday.
    static func modelChoice(_ rules: [(label: Int, rule: HoursRule)]) -> [[Int]] {
        (0..<8).map { s -> [Int] in
            let order: [DaySelector] = s == 7 ? [.holiday, .daily]
                : s < 5 ? [.workday, .weekday(s + 1), .daily] : [.restday, .weekday(s + 1), .daily]
            for sel in order {
                let hit = rules.filter { $0.rule.days.contains(sel) }
                if !hit.isEmpty { return hit.filter { effective($0.rule) }.map(\.label).sorted() }
            }
            return []
        }
    }

    /// One rule of an `opening_hours` value as OSM evaluates it: a `;` rule replaces, a `,` rule adds; label nil = off.
    struct Item {
        var slots: UInt8
        var additive: Bool
        var label: Int?
    }

    /// For each slot, the labels of the rules OSM semantics leave in force there, sorted.
    static func reading(_ items: [Item]) -> [[Int]] {
        (0..<8).map { s -> [Int] in
            var current: [Int] = []
            for item in items where item.slots & (UInt8(1) << UInt8(s)) != 0 {
                if item.additive {
                    if let l = item.label { current.append(l) }
                } else {
                    current = item.label.map { [$0] } ?? []
                }
            }
            return current.sorted()
        }
    }

    /// The selectors naming exactly a set of slots, preferring the calendar selectors: all eight → `daily`,
    /// Mo…Fr → `workday`, Sa+Su → `restday`, PH → `holiday`, other weekdays as themselves.
    static func selectors(forSlots s: UInt8) -> [DaySelector] {
        if s == allSlots { return [.daily] }
        var set = Set<DaySelector>()
        var w = s & 0x7F
        if w & weekdaySlots == weekdaySlots { set.insert(.workday); w &= ~weekdaySlots }
        if w & weekendSlots == weekendSlots { set.insert(.restday); w &= ~weekendSlots }
        for d in 0..<7 where w & (UInt8(1) << UInt8(d)) != 0 { set.insert(.weekday(d + 1)) }
        if s & phSlot != 0 { set.insert(.holiday) }
        return canonicalDays(set)
    }

    /// Rules rewritten per slot: slots with the same chosen rules share one copy of each of them.
    static func flatten(_ choice: [[Int]], _ rule: (Int) -> HoursRule) -> [HoursRule] {
        var groups: [(slots: UInt8, labels: [Int])] = []
        for s in 0..<8 where !choice[s].isEmpty {
            if let g = groups.firstIndex(where: { $0.labels == choice[s] }) {
                groups[g].slots |= UInt8(1) << UInt8(s)
            } else {
                groups.append((UInt8(1) << UInt8(s), choice[s]))
            }
        }
        return groups.flatMap { g in
            let days = selectors(forSlots: g.slots)
            return g.labels.map { label -> HoursRule in
                var r = rule(label)
                r.days = days
                return r
            }
        }
    }

    /// The rules to write, in order, with their separators, such that OSM's reading of them equals the precedence.
    static func plan(_ rules: [HoursRule]) -> (rules: [HoursRule], additive: [Bool], phOff: Bool) {
        let canon = rules.map(canonical)
        let target = modelChoice(canon.enumerated().map { ($0.offset, $0.element) })
        let phOff = target[7].isEmpty
        let effectiveIndexes = canon.indices.filter { effective(canon[$0]) }
        let bySelectorTier = effectiveIndexes.enumerated().sorted {
            (tier(canon[$0.element]), $0.offset) < (tier(canon[$1.element]), $1.offset)
        }.map(\.element)
        for order in [effectiveIndexes, bySelectorTier] {
            let labeled = order.map { ($0, canon[$0]) }
            if let additive = separators(labeled, target: target, phOff: phOff) {
                return (order.map { canon[$0] }, additive, phOff)
            }
        }
        let flat = flatten(target) { canon[$0] }
        let labeled = flat.enumerated().map { ($0.offset, $0.element) }
        let additive = separators(labeled, target: modelChoice(labeled), phOff: phOff)
            ?? flat.indices.map { $0 > 0 }
        return (flat, additive, phOff)
    }

    /// Precedence tier of a rule, lowest first: daily, weekdays, workday/restday, holiday.
    static func tier(_ rule: HoursRule) -> Int {
        rule.days.map { sel -> Int in
            switch sel {
            case .daily: 0
            case .workday, .restday: 2
            case .holiday: 3
            default: 1
            }
        }.max() ?? 0
    }

    /// Separators (`true` = additional `,` rule) for writing `rules` in this order, or nil when the model's
    /// precedence over these rules differs from `target` or OSM's reading of them would.
    static func separators(_ rules: [(label: Int, rule: HoursRule)], target: [[Int]], phOff: Bool) -> [Bool]? {
        guard modelChoice(rules) == target else { return nil }
        var additive: [Bool] = []
        for (i, r) in rules.enumerated() {
            let si = slots(r.rule.days)
            var add = false
            for j in 0..<i {
                let common = si & slots(rules[j].rule.days)
                for s in 0..<8 where common & (UInt8(1) << UInt8(s)) != 0
                    && target[s].contains(r.label) && target[s].contains(rules[j].label) {
                    add = true
                }
            }
            additive.append(add)
        }
        var items = rules.enumerated().map { Item(slots: slots($1.rule.days), additive: additive[$0], label: $1.label) }
        if phOff && !rules.isEmpty { items.append(Item(slots: phSlot, additive: false, label: nil)) }
        return reading(items) == target ? additive : nil
    }

    // MARK: Writing

    static func ruleText(_ rule: HoursRule) -> String {
        if rule.days == [.daily], rule.businesses == nil, rule.intervals.count == 1,
           rule.intervals[0].start.minutes == 0, rule.intervals[0].end.minutes == 1440 {
            return "24/7"
        }
        var text = daysText(rule.days) + " " + rule.intervals.map { "\($0.start)-\($0.end)" }.joined(separator: ",")
        if let b = rule.businesses, !b.isEmpty { text += " \"" + b.map(\.rawValue).joined(separator: " ") + "\"" }
        return text
    }

    /// Day items in a fixed order: `Mo-Su` (daily), `Mo-Fr` (workday), weekday runs, `Sa,Su` (restday), `PH`.
    static func daysText(_ days: [DaySelector]) -> String {
        let set = Set(days)
        var items: [String] = []
        if set.contains(.daily) { items.append("Mo-Su") }
        if set.contains(.workday) { items.append("Mo-Fr") }
        let weekdays = (1...7).filter { set.contains(DaySelector.weekday($0)) }
        for run in ChineseHoursText.runs(weekdays) {
            switch (run.first!, run.last!, run.count) {
            case (_, _, 1): items.append(abbr[run[0] - 1])
            case (6, 7, 2): items += ["Su", "Sa"]              // "Sa,Su" is restday
            case (_, _, 2): items += [abbr[run[0] - 1], abbr[run[1] - 1]]
            case (1, 5, _): items += ["Mo-Th", "Fr"]           // "Mo-Fr" is workday
            case (1, 7, _): items += ["Mo-Sa", "Su"]           // "Mo-Su" is daily
            case (let a, let b, _): items.append("\(abbr[a - 1])-\(abbr[b - 1])")
            }
        }
        if set.contains(.restday) { items += ["Sa", "Su"] }
        if set.contains(.holiday) { items.append("PH") }
        return items.joined(separator: ",")
    }
}

// MARK: - Parser

struct OSMHoursParser {
    enum Kind: Equatable {
        case semicolon, comma, dash
        case comment(String)
        case time(String)
        case twentyFourSeven
        case word(String)
        case number(String)
        case other(String)
    }

    struct Token {
        var kind: Kind
        var range: Range<Int>
    }

    /// One rule as written.
    struct Rule {
        var days: [DaySelector]
        var additive: Bool
        var off: Bool
        var intervals: [TimeRange]
        var businesses: [BusinessCode]?
    }

    let chars: [Character]
    let path: String
    var tokens: [Token] = []
    var pos = 0

    init(text: String, path: String) {
        chars = Array(text)
        self.path = path
    }

    // MARK: Errors

    func fail(_ reason: String) -> DomainError { .invalid(path, reason) }

    /// The whitespace-free stretch of the text around a token, for quoting.
    func chunk(_ range: Range<Int>) -> String {
        func boundary(_ c: Character) -> Bool { c.isWhitespace || c == ";" }
        var lo = range.lowerBound
        var hi = range.upperBound
        if case .comment = tokens.first(where: { $0.range == range })?.kind { return String(chars[lo..<hi]) }
        while lo > 0, !boundary(chars[lo - 1]), chars[lo - 1] != "\"" { lo -= 1 }
        while hi < chars.count, !boundary(chars[hi]), chars[hi] != "\"" { hi += 1 }
        return String(chars[lo..<hi])
    }

    func unsupported(_ token: Token) -> DomainError {
        let why: String
        switch token.kind {
        case .word(let w):
            switch w {
            case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "easter":
                why = "month and date selectors are not supported (dated closures belong in hours.exceptions)"
            case "week": why = "week-number selectors are not supported"
            case "SH": why = "school holidays (SH) are not supported"
            case "sunrise", "sunset", "dawn", "dusk": why = "variable times (sunrise, sunset, dawn, dusk) are not supported"
            case "open", "unknown": why = "only 'off' and 'closed' are supported as rule modifiers"
            case "off", "closed": why = "'off' replaces the times of a rule (Mo off), it cannot follow them"
            case "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "PH":
                why = "days must come first in a rule (Mo-Fr 08:00-12:00); separate rules with ';'"
            default: why = "unknown token '\(w)' (weekdays are Mo Tu We Th Fr Sa Su, holidays PH; case-sensitive)"
            }
        case .number: why = "year and week-number selectors are not supported"
        case .other("||"): why = "fallback rules ('||') are not supported"
        case .other("+"): why = "open ends and day offsets ('+') are not supported"
        case .other("["), .other("]"): why = "nth-weekday selectors like Mo[1] are not supported"
        case .other(let s): why = "unexpected '\(s)'"
        case .comment(let c): why = "comment \"\(c)\" is not in place (it must follow the times of a rule)"
        case .time: why = "unexpected time here"
        case .twentyFourSeven: why = "'24/7' must stand alone as a rule"
        case .semicolon, .comma, .dash: why = "unexpected '\(String(chars[token.range]))'"
        }
        return fail("unsupported '\(chunk(token.range))': \(why)")
    }

    // MARK: Lexer

    mutating func lex() throws(DomainError) {
        var i = 0
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        func isLetter(_ c: Character) -> Bool { c.isASCII && c.isLetter }
        while i < chars.count {
            let c = chars[i]
            let start = i
            if c.isWhitespace { i += 1; continue }
            switch c {
            case ";": i += 1; tokens.append(Token(kind: .semicolon, range: start..<i))
            case ",": i += 1; tokens.append(Token(kind: .comma, range: start..<i))
            case "-": i += 1; tokens.append(Token(kind: .dash, range: start..<i))
            case "\"":
                i += 1
                while i < chars.count, chars[i] != "\"" { i += 1 }
                guard i < chars.count else { throw fail("unsupported '\(String(chars[start...]))': unterminated comment") }
                i += 1
                tokens.append(Token(kind: .comment(String(chars[(start + 1)..<(i - 1)])), range: start..<i))
            case "|" where i + 1 < chars.count && chars[i + 1] == "|":
                i += 2; tokens.append(Token(kind: .other("||"), range: start..<i))
            default:
                if isDigit(c) {
                    while i < chars.count, isDigit(chars[i]) { i += 1 }
                    let digits = String(chars[start..<i])
                    if digits == "24", i + 1 < chars.count, chars[i] == "/", chars[i + 1] == "7" {
                        i += 2
                        tokens.append(Token(kind: .twentyFourSeven, range: start..<i))
                    } else if i < chars.count, chars[i] == ":" {
                        i += 1
                        while i < chars.count, isDigit(chars[i]) { i += 1 }
                        tokens.append(Token(kind: .time(String(chars[start..<i])), range: start..<i))
                    } else {
                        tokens.append(Token(kind: .number(digits), range: start..<i))
                    }
                } else if isLetter(c) {
                    while i < chars.count, isLetter(chars[i]) { i += 1 }
                    tokens.append(Token(kind: .word(String(chars[start..<i])), range: start..<i))
                } else {
                    i += 1
                    tokens.append(Token(kind: .other(String(c)), range: start..<i))
                }
            }
        }
    }

    // MARK: Grammar

    var current: Token? { pos < tokens.count ? tokens[pos] : nil }
    func peek(_ k: Int = 0) -> Token? { pos + k < tokens.count ? tokens[pos + k] : nil }

    static func weekday(_ t: Token?) -> Int? {
        guard case .word(let w)? = t?.kind, let i = OSMHours.abbr.firstIndex(of: w) else { return nil }
        return i + 1
    }

    static func isDayStart(_ t: Token?) -> Bool {
        if weekday(t) != nil { return true }
        if case .word("PH")? = t?.kind { return true }
        return false
    }

    static func isTime(_ t: Token?) -> Bool {
        if case .time? = t?.kind { return true }
        return false
    }

    mutating func parse() throws(DomainError) -> [HoursRule] {
        try lex()
        guard !tokens.isEmpty else { throw fail("is empty; use 'off' for no opening hours") }
        var written: [Rule] = []
        var additive = false
        while pos < tokens.count {
            if case .semicolon = tokens[pos].kind { pos += 1; additive = false; continue }   // empty rule
            let rule = try parseRule(additive: additive)
            written.append(rule)
            guard let t = current else { break }
            switch t.kind {
            case .semicolon:
                pos += 1
                additive = false
            case .comma where Self.isDayStart(peek(1)) || Self.isTime(peek(1)) || peek(1)?.kind == .twentyFourSeven:
                pos += 1
                additive = true
            default:
                throw unsupported(t)
            }
        }
        guard !written.isEmpty else { throw fail("is empty; use 'off' for no opening hours") }
        return try resolve(written)
    }

    mutating func parseRule(additive: Bool) throws(DomainError) -> Rule {
        var rule = Rule(days: [.daily], additive: additive, off: false, intervals: [], businesses: nil)
        if current?.kind == .twentyFourSeven {
            pos += 1
            rule.intervals = [TimeRange(start: LocalTime(minutes: 0), end: LocalTime(minutes: 1440))]
        } else {
            var hasDays = false
            if Self.isDayStart(current) {
                rule.days = try parseDays()
                hasDays = true
            }
            if Self.isTime(current) {
                rule.intervals = try parseTimes()
            } else if case .word(let w)? = current?.kind, w == "off" || w == "closed" {
                pos += 1
                rule.off = true
            } else if hasDays {
                rule.intervals = [TimeRange(start: LocalTime(minutes: 0), end: LocalTime(minutes: 1440))]
            } else if let t = current {
                throw unsupported(t)
            }
        }
        if case .comment(let c)? = current?.kind {
            let t = current!
            if rule.off { throw fail("unsupported '\(chunk(t.range))': a comment on an 'off' rule is not supported") }
            let words = c.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
            let codes = words.compactMap(BusinessCode.init(rawValue:))
            guard !words.isEmpty, codes.count == words.count else {
                throw fail("unsupported '\(chunk(t.range))': comments must list business codes (e.g. \"vehicle_inspection\"); free text is not supported")
            }
            rule.businesses = Array(Set(codes)).sorted()
            pos += 1
        }
        if additive && rule.off {
            throw fail("unsupported 'off' in an additional rule (after ','): separate it with ';'")
        }
        return rule
    }

    /// A day list: items `Mo`, `Mo-We`, `PH` joined by `,`, mapped per the documented convention.
    mutating func parseDays() throws(DomainError) -> [DaySelector] {
        enum DayItem { case single(Int), range(Int, Int), ph }
        var items: [DayItem] = []
        while true {
            let t = current!
            if case .word("PH") = t.kind {
                pos += 1
                items.append(.ph)
            } else {
                let a = Self.weekday(t)!
                pos += 1
                if current?.kind == .dash {
                    guard let b = Self.weekday(peek(1)) else {
                        throw fail("unsupported '\(chunk(t.range))': a weekday range needs an end day (Mo-Fr)")
                    }
                    pos += 2
                    items.append(.range(a, b))
                } else {
                    items.append(.single(a))
                }
            }
            if current?.kind == .comma, Self.isDayStart(peek(1)) { pos += 1; continue }
            break
        }
        var out: [DaySelector] = []
        var k = 0
        while k < items.count {
            switch items[k] {
            case .ph: out.append(.holiday)
            case .range(1, 5): out.append(.workday)
            case .range(6, 7): out.append(.restday)
            case .range(1, 7): out.append(.daily)
            case .range(let a, let b):
                var d = a
                while true {
                    out.append(.weekday(d))
                    if d == b { break }
                    d = d % 7 + 1
                }
            case .single(6):
                if k + 1 < items.count, case .single(7) = items[k + 1] {
                    out.append(.restday)
                    k += 1
                } else {
                    out.append(.sat)
                }
            case .single(let d): out.append(.weekday(d))
            }
            k += 1
        }
        return OSMHours.canonicalDays(out)
    }

    /// Time ranges `HH:MM-HH:MM` joined by `,`.
    mutating func parseTimes() throws(DomainError) -> [TimeRange] {
        var out: [TimeRange] = []
        var texts: [String] = []
        while true {
            let t1 = current!
            let start = try time(t1, isEnd: false)
            pos += 1
            guard current?.kind == .dash else {
                if let t = current, t.kind == .other("+") { throw unsupported(t) }
                throw fail("unsupported '\(chunk(t1.range))': a time must be followed by -HH:MM")
            }
            pos += 1
            guard let t2 = current, Self.isTime(t2) else {
                if let t = current { throw unsupported(t) }
                throw fail("unsupported '\(chunk(t1.range))': a time range needs an end time")
            }
            let end = try time(t2, isEnd: true)
            pos += 1
            let text = String(chars[t1.range.lowerBound..<t2.range.upperBound])
            if start == end { throw fail("unsupported '\(text)': empty time range (start equals end)") }
            let r = TimeRange(start: start, end: end)
            if let k = out.firstIndex(where: { $0.span.start < r.span.end && r.span.start < $0.span.end }) {
                throw fail("unsupported '\(texts[k]),\(text)': time ranges overlap")
            }
            out.append(r)
            texts.append(text)
            if current?.kind == .comma, Self.isTime(peek(1)) { pos += 1; continue }
            break
        }
        return out
    }

    func time(_ t: Token, isEnd: Bool) throws(DomainError) -> LocalTime {
        guard case .time(let s) = t.kind else { throw unsupported(t) }
        guard let v = LocalTime(s) else {
            let parts = s.split(separator: ":")
            if parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), h > 24 {
                throw fail("unsupported '\(chunk(t.range))': times after 24:00 are not supported; write a past-midnight range as 22:00-02:00")
            }
            throw fail("unsupported '\(chunk(t.range))': times must be HH:MM from 00:00 to 24:00")
        }
        if !isEnd && v.minutes == 1440 { throw fail("unsupported '\(chunk(t.range))': 24:00 is only valid as an end time") }
        return v
    }

    // MARK: Semantics

    /// Keeps the rules as written when docs/hours.md's precedence agrees with OSM's reading, else rewrites them per day.
    func resolve(_ written: [Rule]) throws(DomainError) -> [HoursRule] {
        var items: [OSMHours.Item] = []
        var direct: [(label: Int, rule: HoursRule)] = []
        for r in written {
            var label: Int?
            if !r.off {
                label = direct.count
                direct.append((direct.count, HoursRule(days: r.days, intervals: r.intervals, businesses: r.businesses)))
            }
            items.append(OSMHours.Item(slots: OSMHours.slots(r.days), additive: r.additive, label: label))
        }
        let osm = OSMHours.reading(items)
        let rules = OSMHours.modelChoice(direct) == osm
            ? direct.map(\.rule)
            : OSMHours.flatten(osm) { direct[$0].rule }
        // Overlaps the hours model rejects (docs/hours.md): rules sharing a selector and a business.
        for a in rules.indices {
            for b in rules.indices where b > a {
                guard !Set(rules[a].days).isDisjoint(with: rules[b].days) else { continue }
                let ma = rules[a].businesses.map { BusinessSet($0) } ?? .all
                let mb = rules[b].businesses.map { BusinessSet($0) } ?? .all
                guard ma.bits & mb.bits != 0 else { continue }
                let clash = rules[b].intervals.contains { x in
                    rules[a].intervals.contains { $0.span.start < x.span.end && x.span.start < $0.span.end }
                }
                if clash {
                    throw fail("unsupported '\(OSMHours.ruleText(rules[a])), \(OSMHours.ruleText(rules[b]))': these rules overlap on the same days")
                }
            }
        }
        let hours = Hours(rules: rules)
        do {
            _ = try Hours(json: hours.json, path: path)
        } catch {
            if case .invalid(let params) = error, let p = params.first {
                throw fail("does not make valid hours: \(p.name) \(p.reason)")
            }
            throw error
        }
        return rules
    }
}
