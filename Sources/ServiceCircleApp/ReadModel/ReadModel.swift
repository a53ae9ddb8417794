import Foundation
import Logging
import ServiceCircleDomain
import ServiceCircleSearch
import Synchronization

/// The in-memory read model of the nearest-outlet search (DESIGN.md "Later (performance issue)").
///
/// Every active outlet is held in an ``OutletGrid`` with its hours compiled against the calendar. It is
/// loaded from the catalogue at start and kept fresh by the change feed (a ``ChangeSource``): a changed outlet is
/// re-read by id, a bulk change or a calendar change reloads everything. The source subscribes before the first
/// load, so nothing committed in between is missed.
/// Until the first load completes ``answer(_:)`` returns nil and callers use the PostGIS path.
public final class ReadModel: Sendable {
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
    let source: any ReadModelSource
    let changes: any ChangeSource
    public let logger: Logger

    public init(source: any ReadModelSource, changes: any ChangeSource, logger: Logger) {
        self.source = source
        self.changes = changes
        self.logger = logger
    }

    /// Whether the first load has completed.
    public var isLoaded: Bool { state.withLock { $0.loaded } }
    /// Outlets in the index (active ones).
    public var count: Int { state.withLock { $0.grid.count } }
    /// Bumped by every applied change: tests wait on it.
    public var generation: Int { state.withLock { $0.generation } }

    /// The answer from memory, or nil while the model is not loaded yet.
    public func answer(_ q: NearestQuery) -> NearestAnswer? { search(q)?.answer }

    /// The answer from memory with the memos of the grid that found it (status sentences, outlet summaries: what the
    /// response is built from), or nil while the model is not loaded yet.
    public func search(_ q: NearestQuery) -> (answer: NearestAnswer, memo: SearchMemo)? {
        guard let published = state.withLock({ $0.published }) else { return nil }
        return (published.grid.answer(q), published.memo)
    }

    /// Listens and loads until cancelled; after a lost connection it waits a second and starts over
    /// (subscribe, full reload), so a restarted database cannot leave the model stale.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await changes.run(subscribed: { try await self.reloadAll() }, apply: { try await self.apply($0) })
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
        try await apply(CatalogueChange(table: "outlets", id: id))
    }

    func apply(_ change: CatalogueChange) async throws {
        guard let id = change.outletID else { return try await reloadAll() }
        var stored: StoredOutlet?
        do { stored = try await source.storedOutlet(id: id) } catch let error as CancellationError { throw error } catch {
            // A row the service cannot read leaves the index (and is logged) rather than stopping the feed.
            logger.error("read model: outlet unreadable, left out", metadata: ["id": "\(id)", "error": "\(error)"])
            stored = nil
        }
        guard let calendar = state.withLock({ $0.calendar }) else { return try await reloadAll() }
        state.withLock { s in
            if let stored {
                let cls = Self.hoursClass(for: stored.outlet, text: stored.hoursText, calendar: calendar, classes: &s.classes)
                s.grid.upsert(IndexedOutlet(outlet: stored.outlet, hours: cls.hours, hoursTextZh: cls.text, hoursClass: cls.id))
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
        let calendar = try await source.holidayCalendar()
        // Outlets share a few hundred distinct hours: compile and render each distinct one once.
        var classes: [HoursKey: HoursClass] = [:]
        let unreadable = Mutex(0)
        let rows = try await source.activeOutlets { id, error in
            unreadable.withLock { $0 += 1 }
            self.logger.error("read model: outlet unreadable, left out", metadata: ["id": "\(id)", "error": "\(error)"])
        }
        var items: [IndexedOutlet] = []
        items.reserveCapacity(rows.count)
        for r in rows {
            let cls = Self.hoursClass(for: r.outlet, text: r.hoursText, calendar: calendar, classes: &classes)
            items.append(IndexedOutlet(outlet: r.outlet, hours: cls.hours, hoursTextZh: cls.text, hoursClass: cls.id))
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
            "outlets": "\(count)", "hours_classes": "\(classes.count)", "unreadable": "\(unreadable.withLock { $0 })", "took": "\(ContinuousClock.now - started)",
        ])
    }

    final class Published: Sendable {
        let grid: OutletGrid
        let memo: SearchMemo
        init(grid: OutletGrid) {
            self.grid = grid
            memo = grid.memo
        }
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
