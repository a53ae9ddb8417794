import Foundation
import ServiceCircleDomain

/// One change to the catalogue as the database announces it (sql/0005_change_feed.sql): one outlet, or "reload
/// everything" (a bulk statement, a calendar or region change).
public struct CatalogueChange: Sendable, Equatable, Decodable {
    public var table: String
    public var id: Int64?
    public var reload: Bool?

    public init(table: String, id: Int64? = nil, reload: Bool? = nil) {
        self.table = table
        self.id = id
        self.reload = reload
    }

    /// The outlet this change is about, when it is about exactly one.
    public var outletID: Int64? { reload == true || table != "outlets" ? nil : id }
}

/// Where changes come from. The PostgreSQL implementation LISTENs; a source that works on a hot standby can
/// replace it without touching the views that consume the changes.
public protocol ChangeSource: Sendable {
    /// Subscribes, calls `subscribed` once the subscription is in place (so a full load made then misses nothing),
    /// then hands every change to `apply` until cancelled; throws when the connection is lost.
    func run(subscribed: @Sendable () async throws -> Void, apply: @Sendable (CatalogueChange) async throws -> Void) async throws
}

/// An active outlet as the read model loads it: the outlet and its stored hours text (the key of its hours class).
public struct StoredOutlet: Sendable {
    public var outlet: Outlet
    public var hoursText: String
    public init(outlet: Outlet, hoursText: String) {
        self.outlet = outlet
        self.hoursText = hoursText
    }
}

/// What the read model reads from the catalogue.
public protocol ReadModelSource: Sendable {
    func holidayCalendar() async throws -> HolidayCalendar
    /// Every active outlet; a row that cannot be read is handed to `unreadable` (and left out) rather than failing the load.
    func activeOutlets(unreadable: @Sendable (Int64, any Error) -> Void) async throws -> [StoredOutlet]
    /// One outlet as stored (whatever its state), nil when there is no such row; throws when the row cannot be read.
    func storedOutlet(id: Int64) async throws -> StoredOutlet?
}
