import Foundation
import Logging
import ServiceCircleDomain

/// One change to the catalogue as the database announces it (sql/0005_change_feed.sql): one outlet, or "reload
/// everything" (a bulk statement, a calendar or region change).
public struct CatalogueChange: Sendable, Equatable, Decodable {
    public var table: String
    public var id: Int64?
    /// The row's version after the change (the ETag's number); nil for deletes of old payloads and reloads.
    public var version: Int?
    /// `insert`, `update`, `delete`, `truncate`.
    public var op: String?
    public var reload: Bool?

    public init(table: String, id: Int64? = nil, version: Int? = nil, op: String? = nil, reload: Bool? = nil) {
        self.table = table
        self.id = id
        self.version = version
        self.op = op
        self.reload = reload
    }

    /// "Something changed; re-read everything": what a lost or unreadable notification must be taken for.
    public static let reloadEverything = CatalogueChange(table: "", reload: true)

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

/// An outlet as the read model loads it: the outlet, its stored hours text (the key of its hours class; nil for
/// an outlet this process has just written) and its row version.
public struct StoredOutlet: Sendable {
    public var outlet: Outlet
    public var hoursText: String?
    public var version: Int
    public init(outlet: Outlet, hoursText: String?, version: Int) {
        self.outlet = outlet
        self.hoursText = hoursText
        self.version = version
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

/// A view derived from the catalogue (the nearest grid, the calendar, the place index), kept fresh by the one
/// ``ChangeFeed``.
public protocol CatalogueView: Sendable {
    /// Rebuilds the view from the catalogue: at start, after the feed was lost (changes may have been missed),
    /// and for bulk changes.
    func reload() async throws
    /// Applies one change; a view that cannot apply it incrementally reloads or marks itself stale.
    func apply(_ change: CatalogueChange) async throws
    /// Whether the view cares about `change` (default: every change but the problem reports', which are no change of
    /// the catalogue and would otherwise read as "reload everything").
    func wants(_ change: CatalogueChange) -> Bool
}

extension CatalogueView {
    public func wants(_ change: CatalogueChange) -> Bool { change.table != ReportBoard.table || change.reload == true }
}

/// The one consumer of the change feed: subscribes, reloads every view (so nothing committed before the
/// subscription is missed), then hands each change to every view in order. After a lost connection it waits a
/// second and starts over, so a restarted database cannot leave a view stale.
public struct ChangeFeed: Sendable {
    let source: any ChangeSource
    let views: [any CatalogueView]
    let logger: Logger

    public init(source: any ChangeSource, views: [any CatalogueView], logger: Logger) {
        self.source = source
        self.views = views
        self.logger = logger
    }

    /// Follows the feed until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await source.run(subscribed: {
                    for view in views { try await view.reload() }
                }, apply: { change in
                    for view in views where view.wants(change) { try await view.apply(change) }
                })
            } catch {
                if Task.isCancelled { break }
                logger.error("change feed lost, reloading in 1 s", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
