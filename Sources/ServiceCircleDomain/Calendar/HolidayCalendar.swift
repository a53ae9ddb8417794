import Foundation

/// The kind of a date under China's State Council holiday schedule.
public enum DayKind: String, CaseIterable, Codable, Sendable, Hashable {
    /// Statutory holiday, including the weekend days inside a holiday block.
    case holiday
    /// A Saturday or Sunday declared a working day (调休上班).
    case makeupWorkday = "makeup_workday"
    /// Monday to Friday otherwise.
    case workday
    /// Saturday and Sunday otherwise.
    case restday

    var ordinal: Int {
        switch self {
        case .holiday: 0
        case .makeupWorkday: 1
        case .workday: 2
        case .restday: 3
        }
    }

    public var nameZh: String {
        switch self {
        case .holiday: "法定节假日"
        case .makeupWorkday: "调休工作日"
        case .workday: "工作日"
        case .restday: "休息日"
        }
    }

    /// The kind a date has when no schedule says otherwise: by weekday alone.
    public static func ordinary(_ date: LocalDate) -> DayKind { date.isoWeekday >= 6 ? .restday : .workday }
}

/// One special date of a published schedule.
public struct CalendarEntry: Hashable, Sendable {
    public var date: LocalDate
    public var kind: DayKind
    public var nameZh: String?
    public var nameEn: String?
    public var source: String?
    public init(date: LocalDate, kind: DayKind, nameZh: String? = nil, nameEn: String? = nil, source: String? = nil) {
        self.date = date
        self.kind = kind
        self.nameZh = nameZh
        self.nameEn = nameEn
        self.source = source
    }
}

/// What the calendar says of a date.
public struct DayInfo: Hashable, Sendable {
    public var date: LocalDate
    public var kind: DayKind
    public var nameZh: String?
    public var nameEn: String?
    /// False when the date lies outside the loaded schedules and its kind comes from the weekday alone.
    public var known: Bool
}

/// The loaded holiday schedules: a dense table of day kinds over the known range, for O(1) lookups.
public struct HolidayCalendar: Sendable {
    public let first: LocalDate
    public let last: LocalDate
    private let kinds: [UInt8]
    private let names: [Int32: (zh: String?, en: String?)]

    /// A calendar knowing only weekdays.
    public static let empty = HolidayCalendar(first: LocalDate(dayNumber: 1), last: LocalDate(dayNumber: 0), entries: [])

    /// Builds the calendar for `first ... last` from its special dates; every other date in the range is ordinary.
    public init(first: LocalDate, last: LocalDate, entries: [CalendarEntry]) {
        self.first = first
        self.last = last
        var k: [UInt8] = []
        if last >= first {
            k.reserveCapacity(Int(last.dayNumber - first.dayNumber) + 1)
            for d in first.dayNumber...last.dayNumber { k.append(UInt8(DayKind.ordinary(LocalDate(dayNumber: d)).ordinal)) }
        }
        var n: [Int32: (String?, String?)] = [:]
        for e in entries where e.date >= first && e.date <= last {
            k[Int(e.date.dayNumber - first.dayNumber)] = UInt8(e.kind.ordinal)
            n[e.date.dayNumber] = (e.nameZh, e.nameEn)
        }
        kinds = k
        names = n
    }

    /// Builds the calendar covering whole years from the first to the last year named by the entries.
    public init(entries: [CalendarEntry]) {
        guard let minD = entries.map(\.date).min(), let maxD = entries.map(\.date).max() else {
            self = .empty
            return
        }
        self.init(first: LocalDate(year: minD.components.year, month: 1, day: 1)!,
                  last: LocalDate(year: maxD.components.year, month: 12, day: 31)!, entries: entries)
    }

    public func isKnown(_ date: LocalDate) -> Bool { date >= first && date <= last }

    /// The kind's ordinal (holiday 0, makeup 1, workday 2, restday 3): the hot path of evaluation.
    @inline(__always)
    func kindOrdinal(dayNumber: Int32) -> Int {
        if dayNumber >= first.dayNumber && dayNumber <= last.dayNumber {
            return Int(kinds[Int(dayNumber - first.dayNumber)])
        }
        let w = (Int(dayNumber) + 3) % 7
        return (w < 0 ? w + 7 : w) >= 5 ? 3 : 2
    }

    public func info(_ date: LocalDate) -> DayInfo {
        let kind = DayKind.allCases.first { $0.ordinal == kindOrdinal(dayNumber: date.dayNumber) }!
        let n = names[date.dayNumber]
        return DayInfo(date: date, kind: kind, nameZh: kind == .holiday || kind == .makeupWorkday ? n?.zh : nil,
                       nameEn: kind == .holiday || kind == .makeupWorkday ? n?.en : nil, known: isKnown(date))
    }
}

extension HolidayCalendar {
    /// Parses the schedule CSV (`date,day_kind,name_zh,name_en,source`), naming the line of any error.
    public static func parseCSV(_ text: String) throws(DomainError) -> [CalendarEntry] {
        var out: [CalendarEntry] = []
        for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = CSV.splitLine(String(line))
            if i == 0 && fields.first == "date" { continue }
            guard fields.count >= 2, let d = LocalDate(iso: fields[0]), let k = DayKind(rawValue: fields[1]),
                  k == .holiday || k == .makeupWorkday else {
                throw .invalid("calendar line \(i + 1)", "expected date,holiday|makeup_workday,name_zh,name_en,source")
            }
            func f(_ j: Int) -> String? { fields.count > j && !fields[j].isEmpty ? fields[j] : nil }
            out.append(CalendarEntry(date: d, kind: k, nameZh: f(2), nameEn: f(3), source: f(4)))
        }
        return out
    }
}

/// Minimal RFC 4180 CSV line handling (quoted fields, doubled quotes).
public enum CSV {
    public static func splitLine(_ line: String) -> [String] {
        var fields: [String] = []
        var cur = ""
        var inQuotes = false
        var it = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { cur.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else { cur.append(c) }
            } else if c == "\"" { inQuotes = true }
            else if c == "," { fields.append(cur); cur = "" }
            else { cur.append(c) }
        }
        fields.append(cur)
        return fields
    }

    public static func escape(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
