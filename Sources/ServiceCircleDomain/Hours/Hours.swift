/// Which dates a rule applies to (docs/hours.md).
public enum DaySelector: String, CaseIterable, Codable, Sendable, Hashable {
    case mon, tue, wed, thu, fri, sat, sun, workday, restday, holiday, daily

    /// The ISO weekday (1 = Monday) a weekday selector names; nil for the calendar selectors.
    public var isoWeekday: Int? {
        switch self {
        case .mon: 1
        case .tue: 2
        case .wed: 3
        case .thu: 4
        case .fri: 5
        case .sat: 6
        case .sun: 7
        default: nil
        }
    }

    public static func weekday(_ iso: Int) -> DaySelector { [.mon, .tue, .wed, .thu, .fri, .sat, .sun][iso - 1] }
}

/// A half-open local-time interval [start, end). `end` may be 24:00; an end before the start runs past
/// midnight and belongs to the day it starts on.
public struct TimeRange: Hashable, Sendable {
    public var start: LocalTime
    public var end: LocalTime
    public init(start: LocalTime, end: LocalTime) {
        self.start = start
        self.end = end
    }
    public init(_ start: String, _ end: String) {
        self.start = LocalTime(start)!
        self.end = LocalTime(end)!
    }
    /// Runs past midnight into the next day.
    public var isOvernight: Bool { end.minutes < start.minutes }
    /// Start and end in minutes from the start of the day it belongs to; the end may exceed 1440.
    public var span: (start: Int, end: Int) { (start.minutes, isOvernight ? end.minutes + 1440 : end.minutes) }
}

/// A weekly rule: on the selected days, open during the intervals, for the businesses (all when nil).
public struct HoursRule: Hashable, Sendable {
    public var days: [DaySelector]
    public var intervals: [TimeRange]
    public var businesses: [BusinessCode]?
    public init(days: [DaySelector], intervals: [TimeRange], businesses: [BusinessCode]? = nil) {
        self.days = days
        self.intervals = intervals
        self.businesses = businesses
    }
}

/// A dated exception (closure, system upgrade, special hours): on the dates from...to it replaces every rule.
public struct HoursException: Hashable, Sendable {
    /// Stable identifier within the outlet (the exceptions API addresses it); nil until the service assigns one.
    public var id: String?
    public var from: LocalDate
    public var to: LocalDate
    public var intervals: [TimeRange]
    public var businesses: [BusinessCode]?
    public var note: String?
    public init(id: String? = nil, from: LocalDate, to: LocalDate, intervals: [TimeRange], businesses: [BusinessCode]? = nil,
                note: String? = nil) {
        self.id = id
        self.from = from
        self.to = to
        self.intervals = intervals
        self.businesses = businesses
        self.note = note
    }
}

/// An outlet's opening hours in Asia/Shanghai local time: weekly rules and dated exceptions.
public struct Hours: Hashable, Sendable {
    public var rules: [HoursRule]
    public var exceptions: [HoursException]
    public init(rules: [HoursRule], exceptions: [HoursException] = []) {
        self.rules = rules
        self.exceptions = exceptions
    }
    public static let closed = Hours(rules: [])
}

// MARK: - JSON form

extension Hours {
    /// The JSON form of docs/hours.md: `{"rules": [{"days": [...], "intervals": [["08:30","12:00"]], "businesses": [...]}], "exceptions": [...]}`.
    public var json: JSONValue {
        func ranges(_ r: [TimeRange]) -> JSONValue {
            .array(r.map { .array([.string($0.start.description), .string($0.end.description)]) })
        }
        func codes(_ b: [BusinessCode]?) -> JSONValue? { b.map { .array($0.map { .string($0.rawValue) }) } }
        return .object([
            "rules": .array(rules.map { rule in
                var o: [String: JSONValue] = [
                    "days": .array(rule.days.map { .string($0.rawValue) }),
                    "intervals": ranges(rule.intervals),
                ]
                o["businesses"] = codes(rule.businesses)
                return .object(o)
            }),
            "exceptions": .array(exceptions.map { e in
                var o: [String: JSONValue] = [
                    "from": .string(e.from.description), "to": .string(e.to.description),
                    "intervals": ranges(e.intervals),
                ]
                o["businesses"] = codes(e.businesses)
                if let n = e.note { o["note"] = .string(n) }
                if let id = e.id { o["id"] = .string(id) }
                return .object(o)
            }),
        ])
    }

    /// Parses and validates the JSON form, naming every invalid field by its path under `path`.
    public init(json: JSONValue, path: String = "hours") throws(DomainError) {
        var errors: [InvalidParam] = []
        func fail(_ p: String, _ reason: String) { errors.append(InvalidParam(name: p, reason: reason)) }

        guard case .object(let obj) = json else { throw .invalid(path, "must be an object with rules and exceptions") }
        for key in obj.keys where key != "rules" && key != "exceptions" { fail("\(path).\(key)", "unknown field") }

        func parseIntervals(_ v: JSONValue?, _ p: String, allowEmpty: Bool) -> [TimeRange] {
            guard case .array(let items)? = v else { fail(p, "must be an array of [\"HH:MM\", \"HH:MM\"] pairs"); return [] }
            if items.isEmpty && !allowEmpty { fail(p, "must not be empty") }
            var out: [TimeRange] = []
            for (i, item) in items.enumerated() {
                let ip = "\(p)[\(i)]"
                guard case .array(let pair) = item, pair.count == 2,
                      case .string(let a) = pair[0], case .string(let b) = pair[1] else {
                    fail(ip, "must be a pair [\"HH:MM\", \"HH:MM\"]"); continue
                }
                guard let s = LocalTime(a), s.minutes < 1440 else { fail(ip, "start '\(a)' is not a time HH:MM from 00:00 to 23:59"); continue }
                guard let e = LocalTime(b) else { fail(ip, "end '\(b)' is not a time HH:MM from 00:00 to 24:00"); continue }
                if e == s { fail(ip, "empty interval: start equals end"); continue }
                out.append(TimeRange(start: s, end: e))
            }
            // Overlaps inside one list.
            let sorted = out.enumerated().sorted { $0.element.span.start < $1.element.span.start }
            for k in sorted.indices.dropFirst() where sorted[k].element.span.start < sorted[k - 1].element.span.end {
                fail("\(p)[\(sorted[k].offset)]", "overlaps interval \(sorted[k - 1].offset)")
            }
            return out
        }
        func parseBusinesses(_ v: JSONValue?, _ p: String) -> [BusinessCode]? {
            guard let v, v != .null else { return nil }
            guard case .array(let items) = v, !items.isEmpty else { fail(p, "must be a non-empty array of business codes"); return nil }
            var out: [BusinessCode] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item, let c = BusinessCode(rawValue: s) else {
                    fail("\(p)[\(i)]", "unknown business code"); continue
                }
                out.append(c)
            }
            return out
        }

        var rules: [HoursRule] = []
        if let r = obj["rules"] {
            if case .array(let items) = r {
                for (i, item) in items.enumerated() {
                    let rp = "\(path).rules[\(i)]"
                    guard case .object(let ro) = item else { fail(rp, "must be an object"); continue }
                    for key in ro.keys where !["days", "intervals", "businesses"].contains(key) { fail("\(rp).\(key)", "unknown field") }
                    var days: [DaySelector] = []
                    if case .array(let ds)? = ro["days"], !ds.isEmpty {
                        for (j, d) in ds.enumerated() {
                            guard case .string(let s) = d, let sel = DaySelector(rawValue: s) else {
                                fail("\(rp).days[\(j)]", "unknown selector; use mon..sun, workday, restday, holiday, daily"); continue
                            }
                            days.append(sel)
                        }
                    } else { fail("\(rp).days", "must be a non-empty array of selectors") }
                    let intervals = parseIntervals(ro["intervals"], "\(rp).intervals", allowEmpty: false)
                    let businesses = parseBusinesses(ro["businesses"], "\(rp).businesses")
                    rules.append(HoursRule(days: days, intervals: intervals, businesses: businesses))
                }
            } else { fail("\(path).rules", "must be an array") }
        }
        // Overlapping intervals on the same selector, between rules that serve a common business.
        for a in rules.indices {
            for b in rules.indices where b > a {
                guard !Set(rules[a].days).isDisjoint(with: rules[b].days) else { continue }
                let ma = rules[a].businesses.map { BusinessSet($0) } ?? .all
                let mb = rules[b].businesses.map { BusinessSet($0) } ?? .all
                guard ma.bits & mb.bits != 0 else { continue }
                for (j, x) in rules[b].intervals.enumerated() {
                    if rules[a].intervals.contains(where: { $0.span.start < x.span.end && x.span.start < $0.span.end }) {
                        fail("\(path).rules[\(b)].intervals[\(j)]", "overlaps an interval of rules[\(a)] on the same day selector")
                    }
                }
            }
        }

        var exceptions: [HoursException] = []
        if let e = obj["exceptions"] {
            if case .array(let items) = e {
                for (i, item) in items.enumerated() {
                    let ep = "\(path).exceptions[\(i)]"
                    guard case .object(let eo) = item else { fail(ep, "must be an object"); continue }
                    for key in eo.keys where !["id", "from", "to", "intervals", "businesses", "note"].contains(key) { fail("\(ep).\(key)", "unknown field") }
                    var from: LocalDate?
                    var to: LocalDate?
                    if case .string(let s)? = eo["from"], let d = LocalDate(iso: s) { from = d } else { fail("\(ep).from", "must be a date YYYY-MM-DD") }
                    if let tv = eo["to"] {
                        if case .string(let s) = tv, let d = LocalDate(iso: s) { to = d } else { fail("\(ep).to", "must be a date YYYY-MM-DD") }
                    } else { to = from }
                    if let f = from, let t = to, f > t { fail("\(ep).from", "is after to") }
                    let intervals = eo["intervals"].map { parseIntervals($0, "\(ep).intervals", allowEmpty: true) } ?? []
                    let businesses = parseBusinesses(eo["businesses"], "\(ep).businesses")
                    var note: String?
                    if let n = eo["note"], n != .null {
                        if case .string(let s) = n { note = s } else { fail("\(ep).note", "must be a string") }
                    }
                    var id: String?
                    if let v = eo["id"], v != .null {
                        if case .string(let s) = v, HoursException.isValidID(s) { id = s }
                        else { fail("\(ep).id", "must be 1 to 40 characters A-Z, a-z, 0-9, '_' or '-'") }
                    }
                    if let id, exceptions.contains(where: { $0.id == id }) { fail("\(ep).id", "duplicates the id of another exception") }
                    if let f = from, let t = to {
                        exceptions.append(HoursException(id: id, from: f, to: t, intervals: intervals, businesses: businesses, note: note))
                    }
                }
            } else { fail("\(path).exceptions", "must be an array") }
        }
        if !errors.isEmpty { throw .invalid(errors) }
        self.init(rules: rules, exceptions: exceptions)
    }
}
