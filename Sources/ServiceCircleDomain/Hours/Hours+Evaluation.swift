/// Which rules decided a date's hours.
public enum RuleSource: Hashable, Sendable {
    /// Dated exceptions covering the date (indexes into `hours.exceptions`).
    case exceptions([Int])
    /// Weekly rules chosen by the selector that won the precedence (indexes into `hours.rules`).
    case rules(selector: DaySelector, indexes: [Int])
    /// No rule applies on that date: closed.
    case none
    /// The outlet is not active: closed whatever its hours say.
    case notOperating
}

/// The answer to "is it open for this business at this instant?" (docs/hours.md, status).
public struct OpenStatus: Hashable, Sendable {
    public var open: Bool
    /// First closed instant at or after the query instant when open; nil if open through the next 366 days.
    public var closesAt: Instant?
    /// First open instant after the query instant when closed; nil if none within 366 days.
    public var nextOpensAt: Instant?
    /// The rules that decided the local date of the instant (or of the previous day for a past-midnight interval).
    public var source: RuleSource
    public var day: DayInfo
}

/// Hours compiled for evaluation: for every (day kind, weekday) the chosen spans, precomputed once per outlet
/// so that a status check is a table lookup and a scan of two or three spans, with no allocation.
/// Immutable once compiled; what searches remember of the answers (the last verdict, the last status sentence) is
/// kept by the search, per hours class, not here.
public final class CompiledHours: Sendable {
    @usableFromInline
    struct Span: Sendable {
        var start: Int32   // minutes from the start of the day the span belongs to
        var end: Int32     // may exceed 1440 for past-midnight intervals
        var mask: UInt64   // businesses served (already intersected with the outlet's businesses)
    }

    struct Choice: Sendable {
        var spans: [Span]
        var selector: DaySelector?
        var ruleIndexes: [Int]
    }

    struct ExceptionBlock: Sendable {
        var from: Int32
        var to: Int32
        var spans: [Span]
        var index: Int
    }

    /// [dayKind.ordinal * 7 + (isoWeekday - 1)]
    let choices: [Choice]
    let exceptions: [ExceptionBlock]
    let operating: Bool
    public let offered: BusinessSet
    let calendar: HolidayCalendar
    /// The notes of `hours.exceptions`, by index (read by the Chinese status text).
    let exceptionNotes: [String?]
    static let horizonDays = 366

    public init(hours: Hours, businesses: BusinessSet, operating: Bool = true, calendar: HolidayCalendar) {
        self.offered = businesses
        self.operating = operating
        self.calendar = calendar
        self.exceptionNotes = hours.exceptions.map { $0.note.map(ChineseHoursText.trimmed) }
        func spans(_ intervals: [TimeRange], _ b: [BusinessCode]?) -> [Span] {
            let mask = (b.map { BusinessSet($0) } ?? .all).bits & businesses.bits
            return intervals.map { Span(start: Int32($0.span.start), end: Int32($0.span.end), mask: mask) }
        }
        var ch: [Choice] = []
        for kind in [DayKind.holiday, .makeupWorkday, .workday, .restday] {
            for wd in 1...7 {
                let weekday = DaySelector.weekday(wd)
                let order: [DaySelector] = switch kind {
                case .holiday: [.holiday, .daily]
                case .makeupWorkday, .workday: [.workday, weekday, .daily]
                case .restday: [.restday, weekday, .daily]
                }
                var choice = Choice(spans: [], selector: nil, ruleIndexes: [])
                for sel in order {
                    let idx = hours.rules.indices.filter { hours.rules[$0].days.contains(sel) }
                    if !idx.isEmpty {
                        choice = Choice(spans: idx.flatMap { spans(hours.rules[$0].intervals, hours.rules[$0].businesses) }
                            .sorted { $0.start < $1.start }, selector: sel, ruleIndexes: idx)
                        break
                    }
                }
                ch.append(choice)
            }
        }
        choices = ch
        exceptions = hours.exceptions.enumerated().map { i, e in
            ExceptionBlock(from: e.from.dayNumber, to: e.to.dayNumber, spans: spans(e.intervals, e.businesses), index: i)
        }
    }

    // MARK: Day lookup

    /// The spans that apply to a day, without allocating in the common case of no exceptions.
    @inline(__always)
    func withSpans<R>(day: Int32, _ body: ([Span]) -> R) -> R {
        if !exceptions.isEmpty {
            var hit: [Span]? = nil
            for e in exceptions where day >= e.from && day <= e.to {
                hit = (hit ?? []) + e.spans
            }
            if let hit { return body(hit) }
        }
        let kind = calendar.kindOrdinal(dayNumber: day)
        let w = (Int(day) + 3) % 7
        return body(choices[kind * 7 + (w < 0 ? w + 7 : w)].spans)
    }

    /// Union of the business masks served at local minute `m` (minutes since epoch, local).
    @inline(__always)
    func servedMask(atLocalMinute m: Int64) -> UInt64 {
        let day = Int32(m >= 0 ? m / 1440 : (m - 1439) / 1440)
        let mod = Int32(m - Int64(day) * 1440)
        var mask: UInt64 = 0
        withSpans(day: day) { spans in
            for s in spans where s.start <= mod && mod < s.end { mask |= s.mask }
        }
        withSpans(day: day - 1) { spans in
            let t = mod + 1440
            for s in spans where s.end > 1440 && s.start <= t && t < s.end { mask |= s.mask }
        }
        return mask
    }

    @inline(__always)
    func isOpen(mask: UInt64, required: UInt64) -> Bool {
        required == 0 ? mask != 0 : mask & required == required
    }

    // MARK: Queries

    /// Open for every business in `required` (any offered business when empty) at `instant`.
    public func isOpen(at instant: Instant, for required: BusinessSet = .none) -> Bool {
        guard operating, offered.isSuperset(of: required) else { return false }
        return isOpen(mask: servedMask(atLocalMinute: instant.localMinute), required: required.bits)
    }

    /// The first closed instant at or after `instant` (nil if open through the horizon, or past ``Instant/last``).
    public func closesAt(from instant: Instant, for required: BusinessSet = .none) -> Instant? {
        guard let i = closesAtUnbounded(from: instant, for: required), i <= Instant.last else { return nil }
        return i
    }

    /// Assumes nothing about `instant`.
    func closesAtUnbounded(from instant: Instant, for required: BusinessSet) -> Instant? {
        guard operating, offered.isSuperset(of: required) else { return instant }
        var m = instant.localMinute
        if !isOpen(mask: servedMask(atLocalMinute: m), required: required.bits) { return instant }
        let limit = m + Int64(Self.horizonDays + 1) * 1440
        while m < limit {
            // The earliest end among the spans covering m: openness can only change at a span end.
            let day = Int32(m >= 0 ? m / 1440 : (m - 1439) / 1440)
            let base = Int64(day) * 1440
            var next = Int64.max
            withSpans(day: day) { spans in
                for s in spans where base + Int64(s.start) <= m && m < base + Int64(s.end) { next = min(next, base + Int64(s.end)) }
            }
            withSpans(day: day - 1) { spans in
                for s in spans where s.end > 1440 && base - 1440 + Int64(s.start) <= m && m < base - 1440 + Int64(s.end) {
                    next = min(next, base - 1440 + Int64(s.end))
                }
            }
            if next == Int64.max { return Instant(localMinute: m) }
            m = next
            if !isOpen(mask: servedMask(atLocalMinute: m), required: required.bits) { return Instant(localMinute: m) }
        }
        return nil
    }

    /// The first instant strictly after `instant` at which it is open (nil if none within the horizon, which ends
    /// with 9999-12-31 at the latest: ``Instant/last``).
    public func nextOpensAt(after instant: Instant, for required: BusinessSet = .none) -> Instant? {
        guard operating, offered.isSuperset(of: required) else { return nil }
        let m0 = instant.localMinute
        let startDay = Int32(m0 >= 0 ? m0 / 1440 : (m0 - 1439) / 1440)
        let lastDay = min(startDay + Int32(Self.horizonDays), Instant.last.localDate.dayNumber)
        guard startDay <= lastDay else { return nil }
        for day in startDay...lastDay {
            let base = Int64(day) * 1440
            let found: Int64? = withSpans(day: day) { spans in
                for s in spans where base + Int64(s.start) > m0 && s.mask != 0 {
                    let at = base + Int64(s.start)
                    if isOpen(mask: servedMask(atLocalMinute: at), required: required.bits) { return at }
                }
                return nil
            }
            if let found { return Instant(localMinute: found) }
        }
        return nil
    }

    /// The rules that decide a local date.
    public func source(for date: LocalDate) -> RuleSource {
        guard operating else { return .notOperating }
        let ex = exceptions.filter { date.dayNumber >= $0.from && date.dayNumber <= $0.to }.map(\.index)
        if !ex.isEmpty { return .exceptions(ex) }
        let kind = calendar.kindOrdinal(dayNumber: date.dayNumber)
        let c = choices[kind * 7 + date.isoWeekday - 1]
        guard let sel = c.selector else { return .none }
        return .rules(selector: sel, indexes: c.ruleIndexes)
    }

    /// Full status at an instant for the required businesses.
    public func status(at instant: Instant, for required: BusinessSet = .none) -> OpenStatus {
        let date = instant.localDate
        let open = isOpen(at: instant, for: required)
        var source = source(for: date)
        if open, operating {
            // A past-midnight interval of the previous day may be what keeps it open.
            let mod = Int32(instant.localTimeMinutes)
            let todayCovers = withSpans(day: date.dayNumber) { spans in
                spans.contains { $0.start <= mod && mod < $0.end && (required.isEmpty ? $0.mask != 0 : $0.mask & required.bits != 0) }
            }
            if !todayCovers { source = self.source(for: date.adding(days: -1)) }
        }
        return OpenStatus(
            open: open,
            closesAt: open ? closesAt(from: instant, for: required) : nil,
            nextOpensAt: open ? nil : nextOpensAt(after: instant, for: required),
            source: source,
            day: calendar.info(date))
    }

    /// The open intervals for the required businesses over [from, to), merged, clipped to the window.
    public func openIntervals(from: Instant, to: Instant, for required: BusinessSet = .none) -> [(Instant, Instant)] {
        var out: [(Instant, Instant)] = []
        var cur = from
        while cur < to {
            let startOpen: Instant
            if isOpen(at: cur, for: required) { startOpen = cur } else {
                guard let n = nextOpensAt(after: cur, for: required), n < to else { break }
                startOpen = n
            }
            let close = closesAt(from: startOpen, for: required) ?? to
            out.append((startOpen, min(close, to)))
            cur = close
        }
        return out
    }
}
