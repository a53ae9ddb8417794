import Foundation
import ServiceCircleDomain

/// The place index the lookup answers from: the regions given at start, every outlet of the catalogue (and
/// the streets their addresses name) and the named communities and villages of the demand tables (with their
/// streets). Built on first use and rebuilt in the background when the change feed reports an outlet change —
/// at most once per ``minRebuildInterval``, so a burst of edits costs one rebuild. A stale index keeps answering
/// while a rebuild runs, so no request waits on a rebuild after the first.
public actor PlaceDirectory: CatalogueView {
    let catalogue: any CatalogueRepository
    let regionPoints: [NamedPoint]
    /// Landmarks and the national list of regions (``HotlineData``), indexed with the catalogue's places.
    let extraPoints: [NamedPoint]
    let tables: TextTables
    var cached: (index: Built, builtAt: ContinuousClock.Instant)?
    var building: Task<Built, any Error>?
    /// A change arrived after the running (or last) build read the catalogue.
    var stale = false

    /// The least time between two rebuilds: reading every outlet is the costly part, and edits can come in bursts.
    public static let minRebuildInterval: Duration = .seconds(5)

    /// The index and the names a sentence can be searched for (the hotline's ``PlaceLexicon``), built together.
    public struct Built: Sendable {
        public var index: PlaceIndex
        public var lexicon: PlaceLexicon
    }

    public init(catalogue: any CatalogueRepository, regions: [Region], hotline: HotlineData = .empty) {
        self.catalogue = catalogue
        regionPoints = NamedPoint.regions(regions)
        extraPoints = hotline.landmarks + hotline.national
        tables = hotline.tables
    }

    public func current() async throws -> PlaceIndex { try await built().index }

    public func built() async throws -> Built {
        if let c = cached { return c.index }
        if building == nil { startBuild() }
        return try await building!.value
    }

    public func reload() async throws {
        stale = true
        rebuildIfDue()
    }

    public func apply(_ change: CatalogueChange) async throws {
        guard change.table == "outlets" || change.table.isEmpty else { return }
        stale = true
        rebuildIfDue()
    }

    /// Starts a rebuild when the index is stale, none is running and the last one is old enough; otherwise the end
    /// of the running build (or a timer) comes back here.
    private func rebuildIfDue() {
        guard stale, building == nil else { return }
        if let c = cached {
            let wait = Self.minRebuildInterval - (ContinuousClock.now - c.builtAt)
            if wait > .zero {
                building = Task { try await Task.sleep(for: wait); return c.index }
                Task { await self.waited() }
                return
            }
        }
        startBuild()
    }

    private func waited() async {
        _ = await building?.result
        building = nil
        rebuildIfDue()
    }

    private func startBuild() {
        stale = false
        let catalogue = catalogue
        let regions = regionPoints
        let extra = extraPoints
        let tables = tables
        let task = Task { () async throws -> Built in
            let outlets = try await catalogue.outletPlaces()
            // Streets with a real centre (from the demand places) come after those derived from outlet addresses and
            // replace them (same id).
            let demand = try await catalogue.demandPlaces()
            let index = PlaceIndex(extra + regions + outlets + NamedPoint.streets(fromOutlets: outlets) + demand)
            return Built(index: index, lexicon: PlaceLexicon(points: index.points, tables: tables))
        }
        building = task
        Task { await self.finish(task) }
    }

    private func finish(_ task: Task<Built, any Error>) async {
        let result = await task.result
        if building == task { building = nil }
        // A failed build (database unreachable) is retried by the next change or the next request, not in a loop.
        if case .success(let index) = result {
            cached = (index, ContinuousClock.now)
            rebuildIfDue()
        } else {
            stale = true
        }
    }
}

