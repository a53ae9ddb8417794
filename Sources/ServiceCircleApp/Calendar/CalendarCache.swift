import Foundation
import ServiceCircleDomain

/// The holiday calendar as loaded from the catalogue: loaded on first use, then replaced whenever the change feed
/// announces a calendar change (a newly loaded year's schedule takes effect without a restart).
public actor CalendarCache: CatalogueView {
    let catalogue: any CatalogueRepository
    var cached: HolidayCalendar?
    public init(catalogue: any CatalogueRepository) { self.catalogue = catalogue }

    public func current() async throws -> HolidayCalendar {
        if let cached { return cached }
        let cal = try await catalogue.holidayCalendar()
        cached = cal
        return cal
    }

    public func reload() async throws {
        cached = try await catalogue.holidayCalendar()
    }

    public func apply(_ change: CatalogueChange) async throws {
        if change.table == "calendar_days" || change.table.isEmpty { try await reload() }
    }
}
