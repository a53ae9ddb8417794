import Foundation
import Logging
import ServiceCircleDomain
import Synchronization

/// The open `closed` reports of every outlet, in memory, for the warnings answers carry (docs/editing.md "Problem
/// reports"). A view of the change feed: a report inserted or resolved anywhere announces `outlet_reports`, and the
/// board re-reads the open ones (a small set); the process that wrote refreshes at once (read your writes). The
/// warning itself is evaluated when answering, against the answer's instant, so reports age out of the 14-day
/// window without a notification.
public final class ReportBoard: CatalogueView {
    let reports: any ReportRepository
    let marks = Mutex<[Outlet.ID: [ClosedReportMark]]>([:])
    let logger: Logger

    public init(reports: any ReportRepository, logger: Logger = Logger(label: "reports")) {
        self.reports = reports
        self.logger = logger
    }

    public func reload() async throws {
        let rows = try await reports.openClosedMarks()
        var next: [Outlet.ID: [ClosedReportMark]] = [:]
        for (id, m) in rows { next[id, default: []].append(m) }
        marks.withLock { $0 = next }
    }

    public func apply(_ change: CatalogueChange) async throws {
        if change.table == Self.table || change.reload == true { try await reload() }
    }

    public func wants(_ change: CatalogueChange) -> Bool { true }

    /// The table whose notifications the board follows.
    public static let table = "outlet_reports"

    /// The warning on `id` at `now`, if its open reports make one.
    public func warning(_ id: Outlet.ID, now: Instant, threshold: Int) -> ReportedClosedWarning? {
        guard let m = marks.withLock({ $0[id] }), !m.isEmpty else { return nil }
        return ReportedClosedWarning.evaluate(m, now: now, threshold: threshold)
    }

    /// Whether any outlet has open `closed` reports (answers skip the per-outlet look-up when none has).
    public var isEmpty: Bool { marks.withLock { $0.isEmpty } }
}

/// What an answer says about trusting one outlet: the caution of its provenance and the warning of its reports.
public struct OutletTrust: Sendable {
    public var caution: String?
    public var warning: ReportedClosedWarning?

    public init(caution: String?, warning: ReportedClosedWarning?) {
        self.caution = caution
        self.warning = warning
    }

    /// The text appended to the outlet's Chinese status sentence: the warning's, then the caution's.
    public var suffixZh: String {
        (warning != nil ? ReportedClosedWarning.textZh : "") + (caution ?? "")
    }
}
