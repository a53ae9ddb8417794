import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain

/// Problem reports in PostgreSQL (sql/0010_provenance_reports.sql).
public struct ReportStore: ReportRepository {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The key of the reporter tags: random, in this process's memory only, so a stored tag names no address.
    static let tagKey = SymmetricKey(size: .bits256)

    /// Days a reporter tag is kept; afterwards the report counts as its own reporter.
    static let tagDays = 7

    /// An opaque tag of a client: HMAC-SHA-256 of its address under ``tagKey``, 16 hex digits.
    static func tag(_ client: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(client.utf8), using: tagKey)
        return mac.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static let columns = "id, outlet_id, kind, text, created_at, state, resolved_at, resolved_by, history_id, note"
    typealias Row = (Int64, Int64, String, String?, Date, String, Date?, String?, Int64?, String?)

    static func report(_ r: Row) throws -> OutletReport {
        guard let kind = ReportKind(rawValue: r.2), let state = ReportState(rawValue: r.5) else {
            throw StoreError.corrupt("report \(r.0): unknown kind or state")
        }
        return OutletReport(id: r.0, outletID: Outlet.ID(r.1), kind: kind, text: r.3, createdAt: r.4, state: state,
                            resolvedAt: r.6, resolvedBy: r.7, historyID: r.8, note: r.9)
    }

    public func create(outletID: Outlet.ID, kind: ReportKind, text: String?, at: Date, client: String?) async throws -> OutletReport? {
        let tag = client.map(Self.tag)
        return try await client_transaction { conn in
            // Tags older than a week are discarded with every new report: no job to forget to run.
            try await conn.fetch("""
                UPDATE outlet_reports SET reporter_tag = NULL
                 WHERE reporter_tag IS NOT NULL AND created_at < \(at) - make_interval(days => \(Int32(Self.tagDays)))
                """, logger: logger)
            let rows = try await conn.fetch("""
                INSERT INTO outlet_reports (outlet_id, kind, text, created_at, reporter_tag)
                SELECT id, \(kind.rawValue), \(text), \(at), \(tag) FROM outlets WHERE id = \(outletID.rawValue)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            for try await r in rows.decode(Row.self) { return try Self.report(r) }
            return nil
        }
    }

    func client_transaction<R: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await client.withConnection { conn in
            try await conn.fetch("BEGIN", logger: logger)
            do {
                let r = try await body(conn)
                try await conn.fetch("COMMIT", logger: logger)
                return r
            } catch {
                _ = try? await conn.fetch("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    public func list(state: ReportState?, outletID: Outlet.ID?, limit: Int, afterID: Int64?) async throws -> [OutletReport] {
        let rows = try await client.fetch("""
            SELECT \(unescaped: Self.columns) FROM outlet_reports
             WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
               AND (\(outletID?.rawValue)::bigint IS NULL OR outlet_id = \(outletID?.rawValue))
               AND id > \(afterID ?? 0)
             ORDER BY id LIMIT \(limit)
            """, logger: logger)
        var out: [OutletReport] = []
        for try await r in rows.decode(Row.self) { out.append(try Self.report(r)) }
        return out
    }

    public func resolve(id: Int64, state: ReportState, by actor: String, historyID: Int64?, note: String?, at: Date) async throws -> ReportResolution {
        try await client_transaction { conn in
            let current = try await conn.fetch("SELECT \(unescaped: Self.columns) FROM outlet_reports WHERE id = \(id) FOR UPDATE", logger: logger)
            var found: OutletReport?
            for try await r in current.decode(Row.self) { found = try Self.report(r) }
            guard let report = found else { return .notFound }
            guard report.state == .open else { return .alreadyClosed(report) }
            if let historyID {
                let h = try await conn.fetch("""
                    SELECT 1 FROM outlet_history WHERE id = \(historyID) AND outlet_id = \(report.outletID.rawValue)
                    """, logger: logger)
                var ok = false
                for try await _ in h.decode(Int.self) { ok = true }
                if !ok { return .historyNotOfOutlet }
            }
            let rows = try await conn.fetch("""
                UPDATE outlet_reports SET state = \(state.rawValue), resolved_at = \(at), resolved_by = \(actor),
                       history_id = \(historyID), note = \(note), reporter_tag = NULL
                 WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            for try await r in rows.decode(Row.self) { return .resolved(try Self.report(r)) }
            return .notFound
        }
    }

    public func openClosedMarks() async throws -> [(Outlet.ID, ClosedReportMark)] {
        let rows = try await client.fetch("""
            SELECT outlet_id, created_at, reporter_tag FROM outlet_reports WHERE state = 'open' AND kind = 'closed'
            """, logger: logger)
        var out: [(Outlet.ID, ClosedReportMark)] = []
        for try await (id, at, tag) in rows.decode((Int64, Date, String?).self) {
            out.append((Outlet.ID(id), ClosedReportMark(at: Instant(seconds: Int64(at.timeIntervalSince1970.rounded(.down))), reporter: tag)))
        }
        return out
    }
}
