import Foundation
import ServiceCircleDomain

/// An outlet with the version its row is at (the ETag) and when it last changed.
public struct VersionedOutlet: Sendable {
    public var outlet: Outlet
    public var version: Int
    public var updatedAt: Date

    package init(outlet: Outlet, version: Int, updatedAt: Date) {
        self.outlet = outlet
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// Why a write was refused; the API maps these to 404, 412 and 409.
public enum EditError: Error, Sendable, Equatable {
    case notFound(Outlet.ID)
    /// The row is no longer at the version the editor read (If-Match): it is at `current`.
    case stale(Outlet.ID, current: Int)
    /// Another outlet already has this code.
    case duplicateCode(String)
}

/// One entry of an outlet's audit history.
public struct HistoryEntry: Sendable {
    public var id: Int64
    public var outletID: Outlet.ID
    public var version: Int
    public var action: String
    public var actor: String
    public var changedAt: Date
    public var before: JSONValue?
    public var after: JSONValue?

    package init(id: Int64, outletID: Outlet.ID, version: Int, action: String, actor: String, changedAt: Date, before: JSONValue? = nil, after: JSONValue? = nil) {
        self.id = id
        self.outletID = outletID
        self.version = version
        self.action = action
        self.actor = actor
        self.changedAt = changedAt
        self.before = before
        self.after = after
    }
}

/// Who writes and why: recorded by the history trigger of the same transaction (sql/0007_write_side.sql).
/// `source` and `verifiedAt` are the provenance the write gives the outlets it changes (sql/0010_provenance_reports.sql):
/// by default `editor:<actor>` (`import:upload` for an import) confirmed now.
public struct ChangeContext: Sendable {
    public var actor: String
    public var action: String
    public var source: String
    /// An instant the editor gave for the confirmation (nil: now). A write with one is made even when the outlet's
    /// fields do not change (the editor confirms the hours as they are).
    public var verifiedAt: Date?
    public init(actor: String, action: String, source: String? = nil, verifiedAt: Date? = nil) {
        self.actor = actor
        self.action = action
        self.source = source ?? (action == "import" ? "import:upload" : "editor:\(actor)")
        self.verifiedAt = verifiedAt
    }
}

/// Counts and per-row outcome of an import.
public struct ImportOutcome: Sendable {
    public enum Action: String, Sendable { case created, updated, unchanged }
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    /// The rows that would change (or changed), in row order.
    public var changes: [(row: Int, code: String, action: Action)] = []
    package init() {}
}

/// Every write to the catalogue, under optimistic concurrency, and the history it leaves.
/// `ServiceCircleStore.CatalogueEditor` implements it on PostgreSQL.
public protocol EditorRepository: Sendable {
    func current(id: Outlet.ID) async throws -> VersionedOutlet?
    func create(_ record: OutletRecord, change: ChangeContext) async throws -> VersionedOutlet
    /// Applies `transform` to the current row under a row lock when its version is one of `expected` (any when nil);
    /// `transform` returning nil deletes nothing and changes nothing.
    func update(id: Outlet.ID, ifVersion expected: Set<Int>?, change: ChangeContext,
                _ transform: @escaping @Sendable (VersionedOutlet) throws -> OutletRecord?) async throws -> (VersionedOutlet, changed: Bool)
    func history(id: Outlet.ID, limit: Int, beforeID: Int64?) async throws -> [HistoryEntry]
    func asOf(id: Outlet.ID, _ instant: Date) async throws -> HistoryEntry?
    func importRows(_ rows: [ImportRow], change: ChangeContext, dryRun: Bool) async throws -> ImportOutcome
    func export(_ filter: OutletFilter, pageSize: Int, _ page: @escaping @Sendable ([Outlet]) async throws -> Void) async throws
}
