import Foundation
import ServiceCircleDomain

// The repositories as the routes see them: every call goes through ``DatabaseHealth/guarded(_:)``, so that while
// the database is down a request gets a 503 at once instead of waiting for it to come back.

struct GuardedCatalogue: CatalogueRepository {
    let base: any CatalogueRepository
    let health: DatabaseHealth

    func outlet(id: Outlet.ID) async throws -> Outlet? { try await health.guarded { try await base.outlet(id: id) } }
    func outlets(_ f: OutletFilter) async throws -> [Outlet] { try await health.guarded { try await base.outlets(f) } }
    func nearestFirst(of p: GeoPoint, within radius: Double, businesses: [BusinessCode], kinds: [OutletKind],
                      offset: Int, limit: Int) async throws -> [(OutletDistance, sphere: Double)] {
        try await health.guarded {
            try await base.nearestFirst(of: p, within: radius, businesses: businesses, kinds: kinds, offset: offset, limit: limit)
        }
    }
    func within(radius: Double, of p: GeoPoint, businesses: [BusinessCode], kinds: [OutletKind],
                after: (distance: Double, id: Outlet.ID)?, limit: Int?) async throws -> [OutletDistance] {
        let afterDistance = after?.distance, afterID = after?.id
        return try await health.guarded {
            try await base.within(radius: radius, of: p, businesses: businesses, kinds: kinds,
                                  after: afterDistance.flatMap { d in afterID.map { (d, $0) } }, limit: limit)
        }
    }
    func holidayCalendar() async throws -> HolidayCalendar { try await health.guarded { try await base.holidayCalendar() } }
    func outletPlaces() async throws -> [NamedPoint] { try await health.guarded { try await base.outletPlaces() } }
    func demandPlaces() async throws -> [NamedPoint] { try await health.guarded { try await base.demandPlaces() } }
}

struct GuardedEditor: EditorRepository {
    let base: any EditorRepository
    let health: DatabaseHealth

    func current(id: Outlet.ID) async throws -> VersionedOutlet? { try await health.guarded { try await base.current(id: id) } }
    func create(_ record: OutletRecord, change: ChangeContext) async throws -> VersionedOutlet {
        try await health.guarded { try await base.create(record, change: change) }
    }
    func update(id: Outlet.ID, ifVersion expected: Set<Int>?, change: ChangeContext,
                _ transform: @escaping @Sendable (VersionedOutlet) throws -> OutletRecord?) async throws -> (VersionedOutlet, changed: Bool) {
        let (v, changed) = try await health.guarded {
            let r = try await base.update(id: id, ifVersion: expected, change: change, transform)
            return (r.0, r.changed)
        }
        return (v, changed)
    }
    func history(id: Outlet.ID, limit: Int, beforeID: Int64?) async throws -> [HistoryEntry] {
        try await health.guarded { try await base.history(id: id, limit: limit, beforeID: beforeID) }
    }
    func asOf(id: Outlet.ID, _ instant: Date) async throws -> HistoryEntry? { try await health.guarded { try await base.asOf(id: id, instant) } }
    func importRows(_ rows: [ImportRow], change: ChangeContext, dryRun: Bool) async throws -> ImportOutcome {
        try await health.guarded { try await base.importRows(rows, change: change, dryRun: dryRun) }
    }
    func export(_ filter: OutletFilter, pageSize: Int, _ page: @escaping @Sendable ([Outlet]) async throws -> Void) async throws {
        try await health.guarded { try await base.export(filter, pageSize: pageSize, page) }
    }
}

struct GuardedRegions: RegionRepository {
    let base: any RegionRepository
    let health: DatabaseHealth

    func regions() async throws -> [StoredRegion] { try await health.guarded { try await base.regions() } }
    func region(code: String, simplify: Double) async throws -> StoredRegion? {
        try await health.guarded { try await base.region(code: code, simplify: simplify) }
    }
    func children(of code: String, simplify: Double) async throws -> [StoredRegion] {
        try await health.guarded { try await base.children(of: code, simplify: simplify) }
    }
    func demand(assignedTo codes: [String]) async throws -> [AssignedDemand] { try await health.guarded { try await base.demand(assignedTo: codes) } }
    func demand(in b: Region.BoundingBox) async throws -> [AssignedDemand] { try await health.guarded { try await base.demand(in: b) } }
    func outlets(near b: Region.BoundingBox, radius: Double, businesses: [BusinessCode]) async throws -> [Outlet] {
        try await health.guarded { try await base.outlets(near: b, radius: radius, businesses: businesses) }
    }
    func upload(boundary: MultiPolygon, for code: String) async throws -> StoredRegion {
        try await health.guarded { try await base.upload(boundary: boundary, for: code) }
    }
    func clearUpload(for code: String) async throws -> StoredRegion { try await health.guarded { try await base.clearUpload(for: code) } }
}

struct GuardedKeys: APIKeyRepository {
    let base: any APIKeyRepository
    let health: DatabaseHealth

    func create(name: String, role: APIKeyRole, createdBy: String) async throws -> (key: String, info: APIKeyInfo) {
        let (key, info) = try await health.guarded {
            let r = try await base.create(name: name, role: role, createdBy: createdBy)
            return (r.key, r.info)
        }
        return (key, info)
    }
    func list(includeRevoked: Bool) async throws -> [APIKeyInfo] { try await health.guarded { try await base.list(includeRevoked: includeRevoked) } }
    func revoke(_ nameOrKeyID: String) async throws -> APIKeyInfo? { try await health.guarded { try await base.revoke(nameOrKeyID) } }
    func verify(_ presented: String) async throws -> APIKeyInfo? { try await health.guarded { try await base.verify(presented) } }
}

struct GuardedSchema: SchemaStatus {
    let base: any SchemaStatus
    let health: DatabaseHealth
    func isUpToDate() async throws -> Bool { try await health.guarded { try await base.isUpToDate() } }
}

struct GuardedReports: ReportRepository {
    let base: any ReportRepository
    let health: DatabaseHealth

    func create(outletID: Outlet.ID, kind: ReportKind, text: String?, at: Date, client: String?) async throws -> OutletReport? {
        try await health.guarded { try await base.create(outletID: outletID, kind: kind, text: text, at: at, client: client) }
    }
    func list(state: ReportState?, outletID: Outlet.ID?, limit: Int, afterID: Int64?) async throws -> [OutletReport] {
        try await health.guarded { try await base.list(state: state, outletID: outletID, limit: limit, afterID: afterID) }
    }
    func resolve(id: Int64, state: ReportState, by actor: String, historyID: Int64?, note: String?, at: Date) async throws -> ReportResolution {
        try await health.guarded { try await base.resolve(id: id, state: state, by: actor, historyID: historyID, note: note, at: at) }
    }
    func openClosedMarks() async throws -> [(Outlet.ID, ClosedReportMark)] { try await health.guarded { try await base.openClosedMarks() } }
}
