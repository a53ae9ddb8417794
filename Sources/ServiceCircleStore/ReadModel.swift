import Foundation
import Logging
import PostgresNIO
import ServiceCircleDomain
import Synchronization

/// The in-memory read model of the nearest-outlet search (DESIGN.md "Later (performance issue)").
///
/// Every active outlet is held in an ``OutletGrid`` with its hours compiled against the calendar. It is
/// loaded from PostgreSQL at start and kept fresh by the change feed (`LISTEN servicecircle_changes`,
/// sql/0005_change_feed.sql): a changed outlet is re-read by id, a bulk change or a calendar change reloads
/// everything. The listener subscribes before the first load, so nothing committed in between is missed.
/// Until the first load completes ``answer(_:)`` returns nil and callers use the PostGIS path.
public final class ReadModel: Sendable {
    public static let channel = "servicecircle_changes"

    struct State: Sendable {
        var grid = OutletGrid()
        /// What queries read: the grid as of the last change, behind one reference, so that taking it under the
        /// lock costs one reference count rather than one per array of the grid.
        var published: Published?
        var calendar: HolidayCalendar?
        /// Each distinct (hours, businesses) compiled, rendered and numbered once: its hours class.
        var classes: [HoursKey: HoursClass] = [:]
        var loaded = false
        var generation = 0
    }

    let state = Mutex(State())
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Whether the first load has completed.
    public var isLoaded: Bool { state.withLock { $0.loaded } }
    /// Outlets in the index (active ones).
    public var count: Int { state.withLock { $0.grid.count } }
    /// Bumped by every applied change: tests wait on it.
    public var generation: Int { state.withLock { $0.generation } }

    /// The answer from memory, or nil while the model is not loaded yet.
    public func answer(_ q: NearestQuery) -> NearestAnswer? {
        let published = state.withLock { $0.published }
        return published?.grid.answer(q)
    }

    /// Listens and loads until cancelled; after a lost connection it waits a second and starts over
    /// (subscribe, full reload), so a restarted database cannot leave the model stale.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { conn in
                    try await conn.listen(on: Self.channel) { notifications in
                        try await self.reloadAll()
                        for try await n in notifications {
                            try await self.apply(payload: n.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.error("read model: change feed lost, reloading in 1 s", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Re-reads one outlet now, so that the process that wrote it answers with the change at once (read your
    /// writes); other processes get it from the change feed. Does nothing before the first load.
    public func refresh(outletID id: Int64) async throws {
        guard isLoaded else { return }
        try await apply(payload: #"{"table":"outlets","id":\#(id)}"#)
    }

    struct Change: Decodable {
        var table: String
        var id: Int64?
        var reload: Bool?
    }

    func apply(payload: String) async throws {
        guard let change = try? JSONDecoder().decode(Change.self, from: Data(payload.utf8)) else {
            logger.warning("read model: unreadable change notification", metadata: ["payload": "\(payload)"])
            return
        }
        if change.reload == true || change.table != "outlets" || change.id == nil {
            try await reloadAll()
            return
        }
        let id = change.id!
        let row = try await Catalogue(client: client, logger: logger).outletRow(id: Outlet.ID(id))
        guard let calendar = state.withLock({ $0.calendar }) else { return try await reloadAll() }
        var decoded: [String: Hours] = [:]
        var outlet: Outlet?
        do { outlet = try row.map { try Catalogue.outlet($0, decodedHours: &decoded) } } catch {
            // A row the service cannot read leaves the index (and is logged) rather than stopping the feed.
            logger.error("read model: outlet unreadable, left out", metadata: ["id": "\(id)", "error": "\(error)"])
            outlet = nil
        }
        state.withLock { s in
            if let outlet, let row {
                let cls = Self.hoursClass(for: outlet, text: row.14, calendar: calendar, classes: &s.classes)
                s.grid.upsert(IndexedOutlet(outlet: outlet, hours: cls.hours, hoursTextZh: cls.text, hoursClass: cls.id))
            } else {
                s.grid.remove(id: id)
            }
            s.published = Published(grid: s.grid)
            s.generation += 1
        }
        logger.debug("read model: outlet refreshed", metadata: ["id": "\(id)"])
    }

    /// Reads the calendar and every active outlet into a new grid, then swaps it in.
    public func reloadAll() async throws {
        let started = ContinuousClock.now
        let catalogue = Catalogue(client: client, logger: logger)
        let calendar = try await catalogue.holidayCalendar()
        // Outlets share a few hundred distinct hours: decode, compile and render each distinct one once.
        var classes: [HoursKey: HoursClass] = [:]
        var decoded: [String: Hours] = [:]
        var items: [IndexedOutlet] = []
        let rows = try await client.query(
            "SELECT \(unescaped: Catalogue.outletColumns) FROM outlets WHERE operating_state = 'active'", logger: logger)
        var unreadable = 0
        for try await r in rows.decode(Catalogue.OutletRow.self) {
            let outlet: Outlet
            do { outlet = try Catalogue.outlet(r, decodedHours: &decoded) } catch {
                unreadable += 1
                logger.error("read model: outlet unreadable, left out", metadata: ["id": "\(r.0)", "error": "\(error)"])
                continue
            }
            let cls = Self.hoursClass(for: outlet, text: r.14, calendar: calendar, classes: &classes)
            items.append(IndexedOutlet(outlet: outlet, hours: cls.hours, hoursTextZh: cls.text, hoursClass: cls.id))
        }
        let grid = OutletGrid(items)
        let count = grid.count
        state.withLock { s in
            s.grid = grid
            s.published = Published(grid: grid)
            s.classes = classes
            s.calendar = calendar
            s.loaded = true
            s.generation += 1
        }
        logger.info("read model loaded", metadata: [
            "outlets": "\(count)", "hours_classes": "\(classes.count)", "unreadable": "\(unreadable)", "took": "\(ContinuousClock.now - started)",
        ])
    }

    final class Published: Sendable {
        let grid: OutletGrid
        init(grid: OutletGrid) { self.grid = grid }
    }

    struct HoursKey: Hashable, Sendable {
        var text: String
        var businesses: BusinessSet
    }

    struct HoursClass: Sendable {
        var id: Int
        var hours: CompiledHours
        var text: String
    }

    /// The class of an outlet's hours and businesses, created on first sight.
    static func hoursClass(for outlet: Outlet, text: String, calendar: HolidayCalendar,
                           classes: inout [HoursKey: HoursClass]) -> HoursClass {
        let key = HoursKey(text: text, businesses: BusinessSet(outlet.businesses))
        if let c = classes[key] { return c }
        // Compiled as operating: only active outlets enter the grid, and a class is shared by all of them.
        let hours = CompiledHours(hours: outlet.hours, businesses: key.businesses, operating: true, calendar: calendar)
        let c = HoursClass(id: classes.count, hours: hours, text: outlet.hours.textZh)
        classes[key] = c
        return c
    }
}
