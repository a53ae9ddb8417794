import Foundation
import ServiceCircleDomain

/// The place index the lookup answers from: the regions given at start, every outlet of the catalogue (and
/// the streets their addresses name) and the named communities and villages of the demand tables (with their streets), rebuilt from PostgreSQL when older than ``maxAge``. A stale index keeps
/// answering while one rebuild runs in the background, so no request waits on a rebuild after the first.
public actor PlaceDirectory {
    let catalogue: any CatalogueRepository
    let regionPoints: [NamedPoint]
    var cached: (index: PlaceIndex, builtAt: ContinuousClock.Instant)?
    var building: Task<PlaceIndex, any Error>?

    /// How long an index serves before it is rebuilt: outlet edits reach the place lookup within this time.
    public static let maxAge: Duration = .seconds(60)

    public init(catalogue: any CatalogueRepository, regions: [Region]) {
        self.catalogue = catalogue
        regionPoints = NamedPoint.regions(regions)
    }

    public func current() async throws -> PlaceIndex {
        if let c = cached {
            if ContinuousClock.now - c.builtAt >= Self.maxAge && building == nil { startBuild() }
            return c.index
        }
        if building == nil { startBuild() }
        return try await building!.value
    }

    /// Drops the index: the next request rebuilds it.
    public func invalidate() {
        cached = nil
    }

    private func startBuild() {
        let catalogue = catalogue
        let regions = regionPoints
        let task = Task { () async throws -> PlaceIndex in
            let outlets = try await catalogue.outletPlaces()
            // Streets with a real centre (from the demand places) come after those derived from outlet addresses and
            // replace them (same id).
            let demand = try await catalogue.demandPlaces()
            return PlaceIndex(regions + outlets + NamedPoint.streets(fromOutlets: outlets) + demand)
        }
        building = task
        Task { await self.finish(task) }
    }

    private func finish(_ task: Task<PlaceIndex, any Error>) async {
        let result = await task.result
        if case .success(let index) = result { cached = (index, ContinuousClock.now) }
        if building == task { building = nil }
    }
}

