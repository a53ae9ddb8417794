import Foundation
import ServiceCircleDomain

/// One problem report of an outlet (docs/editing.md "Problem reports"). Holds no personal data.
public struct OutletReport: Sendable, Equatable {
    public var id: Int64
    public var outletID: Outlet.ID
    public var kind: ReportKind
    public var text: String?
    public var createdAt: Date
    public var state: ReportState
    public var resolvedAt: Date?
    public var resolvedBy: String?
    /// The history entry of the edit that resolved the report.
    public var historyID: Int64?
    public var note: String?

    package init(id: Int64, outletID: Outlet.ID, kind: ReportKind, text: String?, createdAt: Date, state: ReportState,
                 resolvedAt: Date?, resolvedBy: String?, historyID: Int64?, note: String?) {
        self.id = id
        self.outletID = outletID
        self.kind = kind
        self.text = text
        self.createdAt = createdAt
        self.state = state
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.historyID = historyID
        self.note = note
    }
}

/// What resolving a report came to.
public enum ReportResolution: Sendable {
    case resolved(OutletReport)
    case notFound
    /// It was resolved or dismissed before.
    case alreadyClosed(OutletReport)
    /// The history entry given is not one of the report's outlet.
    case historyNotOfOutlet
}

/// The problem reports in the store. `ServiceCircleStore.ReportStore` implements it on PostgreSQL.
public protocol ReportRepository: Sendable {
    /// Records a report; nil when there is no such outlet. `client` (the peer address) is only turned into an opaque
    /// keyed tag to tell reporters apart, never stored as given.
    func create(outletID: Outlet.ID, kind: ReportKind, text: String?, at: Date, client: String?) async throws -> OutletReport?
    /// Reports in id order (newest last), optionally of one state and one outlet; `afterID` continues a page.
    func list(state: ReportState?, outletID: Outlet.ID?, limit: Int, afterID: Int64?) async throws -> [OutletReport]
    func resolve(id: Int64, state: ReportState, by actor: String, historyID: Int64?, note: String?, at: Date) async throws -> ReportResolution
    /// Every open `closed` report: what the warnings are computed from.
    func openClosedMarks() async throws -> [(Outlet.ID, ClosedReportMark)]
}

/// No reports (dependencies built without a store).
public struct NoReports: ReportRepository {
    public init() {}
    public func create(outletID: Outlet.ID, kind: ReportKind, text: String?, at: Date, client: String?) async throws -> OutletReport? { nil }
    public func list(state: ReportState?, outletID: Outlet.ID?, limit: Int, afterID: Int64?) async throws -> [OutletReport] { [] }
    public func resolve(id: Int64, state: ReportState, by actor: String, historyID: Int64?, note: String?, at: Date) async throws -> ReportResolution { .notFound }
    public func openClosedMarks() async throws -> [(Outlet.ID, ClosedReportMark)] { [] }
}
