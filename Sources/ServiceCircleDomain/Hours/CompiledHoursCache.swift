/// Hours compiled against a calendar once per distinct (hours, businesses) — outlets share a few hundred distinct
/// hours, and compiling is the costly part of reading them.
public struct CompiledHoursCache: Sendable {
    public struct Key: Hashable, Sendable {
        public var hours: Hours
        public var businesses: [BusinessCode]
        public init(hours: Hours, businesses: [BusinessCode]) {
            self.hours = hours
            self.businesses = businesses
        }
    }
    public let calendar: HolidayCalendar
    var cache: [Key: CompiledHours] = [:]

    public init(calendar: HolidayCalendar) { self.calendar = calendar }

    public mutating func hours(_ o: Outlet) -> CompiledHours {
        let key = Key(hours: o.hours, businesses: o.businesses)
        if let h = cache[key] { return h }
        let h = o.compiledHours(calendar: calendar)
        cache[key] = h
        return h
    }
}
