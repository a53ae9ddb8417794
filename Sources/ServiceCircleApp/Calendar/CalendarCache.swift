import Foundation
import ServiceCircleDomain

/// The calendar as loaded from PostgreSQL, reloaded at most once a minute so that a newly loaded year's
/// schedule takes effect without a restart.
public actor CalendarCache {
    let catalogue: any CatalogueRepository
    var cached: (HolidayCalendar, ContinuousClock.Instant)?
    public init(catalogue: any CatalogueRepository) { self.catalogue = catalogue }

    public func current() async throws -> HolidayCalendar {
        if let (cal, at) = cached, ContinuousClock.now - at < .seconds(60) { return cal }
        let cal = try await catalogue.holidayCalendar()
        cached = (cal, ContinuousClock.now)
        return cal
    }

    public func invalidate() { cached = nil }
}

