import Foundation
import Logging
import ServiceCircleDomain
import ServiceCircleSearch
import Synchronization

/// The in-memory read model of the nearest-outlet search (docs/architecture.md).
///
/// Every active outlet is held in an ``OutletGrid`` with its hours compiled against the calendar. It is one of the
/// views the ``ChangeFeed`` keeps fresh: a changed outlet is re-read by id unless the model already holds that
/// version (the writing process applies its own writes first, see ``apply(written:version:)``); a bulk change or
/// a calendar change reloads everything. Until the first load completes ``answer(_:)`` returns nil and callers use
/// the PostGIS path.
public final class ReadModel: CatalogueView {
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
    public let logger: Logger

    public init(source: any ReadModelSource, logger: Logger) {
        self.source = source
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

    public func reload() async throws { try await reloadAll() }

    /// Applies an outlet this process has just written (read your writes) without reading it back; the feed's
    /// notification of the same version is then skipped. Does nothing before the first load.
    public func apply(written outlet: Outlet, version: Int) {
        applyRow(id: outlet.id.rawValue, StoredOutlet(outlet: outlet, hoursText: nil, version: version))
    }

    public func apply(_ change: CatalogueChange) async throws {
        guard let id = change.outletID else { return try await reloadAll() }
        if let version = change.version, change.op != "delete", let held = heldVersion(id), held >= version { return }
        var stored: StoredOutlet?
        do { stored = try await source.storedOutlet(id: id) } catch let error as CancellationError { throw error } catch {
            // A row the service cannot read leaves the index (and is logged) rather than stopping the feed.
            logger.error("read model: outlet unreadable, left out", metadata: ["id": "\(id)", "error": "\(error)"])
            stored = nil
        }
        if state.withLock({ $0.calendar }) == nil { return try await reloadAll() }
        applyRow(id: id, stored)
    }

    /// The version of the outlet the model holds, if it holds it.
    func heldVersion(_ id: Int64) -> Int? { state.withLock { $0.grid.item(id: id)?.version } }

    /// Puts one outlet in the grid, or takes it out (nil, or not active). A version the model already holds (or an
    /// older one) is ignored: the writer and the feed may both bring the same row.
    func applyRow(id: Int64, _ stored: StoredOutlet?) {
        let applied = state.withLock { s -> Bool in
            guard s.loaded, let calendar = s.calendar else { return false }
            if let stored {
                if let held = s.grid.item(id: id)?.version, held >= stored.version { return false }
                let cls = Self.hoursClass(for: stored.outlet, text: stored.hoursText, calendar: calendar, classes: &s.classes)
                s.grid.upsert(IndexedOutlet(outlet: stored.outlet, hours: cls.hours, hoursTextZh: cls.text, hoursClass: cls.id,
                                            version: stored.version))
            } else {
                s.grid.remove(id: id)
            }
            s.published = Published(grid: s.grid)
            s.generation += 1
            return true
        }
        if applied { logger.debug("read model: outlet refreshed", metadata: ["id": "\(id)"]) }
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
            items.append(IndexedOutlet(outlet: r.outlet, hours: cls.hours, hoursTextZh: cls.text, hoursClass: cls.id, version: r.version))
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
        var source: Hours
    }

    /// The class of an outlet's hours and businesses, created on first sight. Rows read from the store are keyed
    /// by their stored hours text; an outlet this process wrote (no text) finds its class by comparing hours.
    static func hoursClass(for outlet: Outlet, text: String?, calendar: HolidayCalendar,
                           classes: inout [HoursKey: HoursClass]) -> HoursClass {
        let businesses = BusinessSet(outlet.businesses)
        let key: HoursKey
        if let text {
            key = HoursKey(text: text, businesses: businesses)
            if let c = classes[key] { return c }
        } else {
            if let (_, c) = classes.first(where: { $0.key.businesses == businesses && $0.value.source == outlet.hours }) { return c }
            key = HoursKey(text: "written#\(classes.count)", businesses: businesses)
        }
        // Compiled as operating: only active outlets enter the grid, and a class is shared by all of them.
        let hours = CompiledHours(hours: outlet.hours, businesses: businesses, operating: true, calendar: calendar)
        let c = HoursClass(id: classes.count, hours: hours, text: outlet.hours.textZh, source: outlet.hours)
        classes[key] = c
        return c
    }
}
