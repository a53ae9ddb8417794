import Foundation

/// The named time windows of the coverage query (`during=`): a local-time window on a reference date.
///
/// | during | window (Asia/Shanghai) | reference date |
/// |---|---|---|
/// | `weekday_daytime` | 09:00–17:00 | the first ordinary workday (Mon–Fri, not a holiday) on or after today |
/// | `weekday_lunch` | 12:00–14:00 | the same |
/// | `weekday_evening` | 18:00–21:00 | the same |
/// | `saturday` | 09:00–17:00 | the first Saturday on or after today that is an ordinary rest day (not a holiday, not a make-up workday) |
/// | `sunday` | 09:00–17:00 | the same for Sunday |
/// | `holiday` | 09:00–17:00 | the first statutory holiday on or after today in the loaded calendar |
///
/// A `date=` picks another reference date; it must be of the window's kind.
public enum CoverageWindow: String, CaseIterable, Sendable, Hashable {
    case weekdayDaytime = "weekday_daytime"
    case weekdayEvening = "weekday_evening"
    case weekdayLunch = "weekday_lunch"
    case saturday
    case sunday
    case holiday

    /// Local start and end of the window.
    public var interval: (start: LocalTime, end: LocalTime) {
        switch self {
        case .weekdayDaytime, .saturday, .sunday, .holiday: (LocalTime(minutes: 9 * 60), LocalTime(minutes: 17 * 60))
        case .weekdayLunch: (LocalTime(minutes: 12 * 60), LocalTime(minutes: 14 * 60))
        case .weekdayEvening: (LocalTime(minutes: 18 * 60), LocalTime(minutes: 21 * 60))
        }
    }

    /// Chinese label used in the map headline (`周六`).
    public var nameZh: String {
        switch self {
        case .weekdayDaytime: "工作日白天"
        case .weekdayEvening: "工作日晚间"
        case .weekdayLunch: "工作日午间"
        case .saturday: "周六"
        case .sunday: "周日"
        case .holiday: "法定节假日"
        }
    }

    /// What kind of date the window needs, in words (for error messages).
    public var dateRequirement: String {
        switch self {
        case .weekdayDaytime, .weekdayEvening, .weekdayLunch: "an ordinary workday (Monday to Friday, not a holiday) or a make-up workday"
        case .saturday: "a Saturday"
        case .sunday: "a Sunday"
        case .holiday: "a statutory holiday of the loaded calendar"
        }
    }

    /// Whether `day` may serve as this window's reference date when given explicitly (`date=`).
    public func accepts(_ day: DayInfo) -> Bool {
        switch self {
        case .weekdayDaytime, .weekdayEvening, .weekdayLunch: day.kind == .workday || day.kind == .makeupWorkday
        case .saturday: day.date.isoWeekday == 6
        case .sunday: day.date.isoWeekday == 7
        case .holiday: day.kind == .holiday && day.known
        }
    }

    /// Whether `day` is this window's default reference date kind (the stricter test the search uses).
    func isDefault(_ day: DayInfo) -> Bool {
        switch self {
        case .weekdayDaytime, .weekdayEvening, .weekdayLunch: day.kind == .workday
        case .saturday: day.date.isoWeekday == 6 && day.kind == .restday
        case .sunday: day.date.isoWeekday == 7 && day.kind == .restday
        case .holiday: day.kind == .holiday && day.known
        }
    }

    /// The first default reference date on or after `today`, within 400 days; nil when there is none
    /// (a `holiday` after the end of the loaded calendar).
    public func referenceDate(onOrAfter today: LocalDate, calendar: HolidayCalendar) -> LocalDate? {
        for k in 0..<400 {
            let d = today.adding(days: k)
            if self == .holiday && d > calendar.last { return nil }
            if isDefault(calendar.info(d)) { return d }
        }
        return nil
    }
}

/// When outlets must be open to count: a window `[from, to)` and the minimum continuous opening inside it.
public struct CoverageTime: Sendable, Hashable {
    /// The named window, or nil for an instant (`at=`).
    public var window: CoverageWindow?
    public var from: Instant
    public var to: Instant
    /// An outlet counts when it is open for the businesses for at least this long without a break inside the window.
    public var minOpenMinutes: Int
    /// The reference date and what the calendar says of it.
    public var day: DayInfo

    public static let defaultMinOpenMinutes = 30

    /// A named window on its reference date.
    public init(window: CoverageWindow, date: LocalDate, calendar: HolidayCalendar, minOpenMinutes: Int = defaultMinOpenMinutes) {
        self.window = window
        let (s, e) = window.interval
        from = Instant(date: date, time: s)
        to = Instant(date: date, time: e)
        self.minOpenMinutes = minOpenMinutes
        day = calendar.info(date)
    }

    /// An instant: outlets count when open at `at` and for `minOpenMinutes` after it.
    public init(at: Instant, calendar: HolidayCalendar, minOpenMinutes: Int = defaultMinOpenMinutes) {
        window = nil
        from = at
        to = at.adding(minutes: max(1, minOpenMinutes))
        self.minOpenMinutes = max(1, minOpenMinutes)
        day = calendar.info(at.localDate)
    }

    /// The open intervals of `hours` for `required` inside the window, when one lasts at least ``minOpenMinutes``;
    /// nil when the outlet does not count.
    public func countingIntervals(_ hours: CompiledHours, required: BusinessSet) -> [(Instant, Instant)]? {
        let intervals = hours.openIntervals(from: from, to: to, for: required)
        let need = Int64(minOpenMinutes) * 60
        return intervals.contains { $0.1.seconds - $0.0.seconds >= need } ? intervals : nil
    }

    /// The Chinese label of the time (`周六`, `国庆节`, or `2026-02-14 10:00`).
    public var labelZh: String {
        guard let window else {
            let m = from.localTimeMinutes
            return "\(from.localDate) \(LocalTime(minutes: m))"
        }
        if window == .holiday, let name = day.nameZh { return name }
        return window.nameZh
    }
}
