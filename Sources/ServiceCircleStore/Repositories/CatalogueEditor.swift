import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain


/// Every write to the catalogue: edits under optimistic concurrency, exceptions, import, and the history they leave.
public struct CatalogueEditor: EditorRepository {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let versionedColumns = Catalogue.outletColumns + ", version, updated_at"

    typealias VersionedRow = (Int64, String, String, String, String, String, String, String, String, String?,
                              Double, Double, String, [String], String, String, Date?, Int32, Date)

    static func versioned(_ r: VersionedRow) throws -> VersionedOutlet {
        let outlet = try Catalogue.outlet((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16))
        return VersionedOutlet(outlet: outlet, version: Int(r.17), updatedAt: r.18)
    }

    /// A transaction that rethrows the body's own error (PostgresNIO's wraps it), so callers can switch on it.
    func transaction<R: Sendable>(_ change: ChangeContext, _ body: @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await client.withConnection { conn in
            try await conn.fetch("BEGIN", logger: logger)
            do {
                let verified = change.verifiedAt.map { Instant(seconds: Int64($0.timeIntervalSince1970.rounded(.down))).rfc3339 } ?? ""
                try await conn.fetch("""
                    SELECT set_config('servicecircle.actor', \(change.actor), true), set_config('servicecircle.action', \(change.action), true),
                           set_config('servicecircle.source', \(change.source), true), set_config('servicecircle.verified_at', \(verified), true)
                    """, logger: logger)
                let r = try await body(conn)
                try await conn.fetch("COMMIT", logger: logger)
                return r
            } catch {
                _ = try? await conn.fetch("ROLLBACK", logger: logger)
                throw Self.mapped(error)
            }
        }
    }

    static func mapped(_ error: any Error) -> any Error {
        if let p = error as? PSQLError, p.serverInfo?[.sqlState] == "23505", p.serverInfo?[.constraintName] == "outlets_code_key" {
            let detail = p.serverInfo?[.detail] ?? ""
            // detail: Key (code)=(WH-EB-0001) already exists.
            let code = detail.split(separator: "=").dropFirst().first.map { String($0.dropFirst().prefix(while: { $0 != ")" })) } ?? "?"
            return EditError.duplicateCode(code)
        }
        return error
    }

    // MARK: Reads

    public func current(id: Outlet.ID) async throws -> VersionedOutlet? {
        let rows = try await client.fetch(
            "SELECT \(unescaped: Self.versionedColumns) FROM outlets WHERE id = \(id.rawValue)", logger: logger)
        for try await r in rows.decode(VersionedRow.self) { return try Self.versioned(r) }
        return nil
    }

    static func locked(_ id: Outlet.ID, on conn: PostgresConnection, logger: Logger) async throws -> VersionedOutlet? {
        let rows = try await conn.fetch(
            "SELECT \(unescaped: versionedColumns) FROM outlets WHERE id = \(id.rawValue) FOR UPDATE", logger: logger)
        for try await r in rows.decode(VersionedRow.self) { return try versioned(r) }
        return nil
    }

    // MARK: Writes

    /// Inserts a new outlet; its code must be new.
    public func create(_ record: OutletRecord, change: ChangeContext) async throws -> VersionedOutlet {
        let id = try await transaction(change) { conn in
            let enc = Self.hoursText(record.hours)
            let rows = try await conn.fetch("""
                INSERT INTO outlets (code, name, kind, address, province, city, district, district_code, phone,
                                     lat, lon, operating_state, businesses, hours)
                VALUES (\(record.code), \(record.name), \(record.kind.rawValue), \(record.address), \(record.province), \(record.city),
                        \(record.district), \(record.districtCode), \(record.phone), \(record.lat), \(record.lon),
                        \(record.operatingState.rawValue), \(record.businesses.map(\.rawValue)), \(enc)::jsonb)
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw StoreError.corrupt("INSERT returned no id")
        }
        guard let v = try await current(id: Outlet.ID(id)) else { throw EditError.notFound(Outlet.ID(id)) }
        return v
    }

    /// Reads the row under lock, checks the version the editor read (one of `expected`; nil: no check), and writes what `transform`
    /// returns (nil or an unchanged record: nothing is written). Returns the row as it is afterwards and whether it changed.
    public func update(id: Outlet.ID, ifVersion expected: Set<Int>?, change: ChangeContext,
                       _ transform: @escaping @Sendable (VersionedOutlet) throws -> OutletRecord?) async throws -> (VersionedOutlet, changed: Bool) {
        try await transaction(change) { conn in
            guard let cur = try await Self.locked(id, on: conn, logger: logger) else { throw EditError.notFound(id) }
            if let expected, !expected.contains(cur.version) { throw EditError.stale(id, current: cur.version) }
            guard let next = try transform(cur), next != OutletRecord(cur.outlet) || change.verifiedAt != nil else { return (cur, false) }
            // The row as written comes back with the statement (its version bumped by the trigger): no second read.
            let rows = try await conn.fetch("""
                UPDATE outlets SET code = \(next.code), name = \(next.name), kind = \(next.kind.rawValue), address = \(next.address),
                       province = \(next.province), city = \(next.city), district = \(next.district), district_code = \(next.districtCode),
                       phone = \(next.phone), lat = \(next.lat), lon = \(next.lon), operating_state = \(next.operatingState.rawValue),
                       businesses = \(next.businesses.map(\.rawValue)), hours = \(Self.hoursText(next.hours))::jsonb
                 WHERE id = \(id.rawValue)
                RETURNING \(unescaped: Self.versionedColumns)
                """, logger: logger)
            for try await r in rows.decode(VersionedRow.self) { return (try Self.versioned(r), true) }
            throw EditError.notFound(id)
        }
    }

    static let hoursEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func hoursText(_ hours: JSONValue) -> String {
        String(decoding: (try? hoursEncoder.encode(hours)) ?? Data("{}".utf8), as: UTF8.self)
    }

    // MARK: History

    static func json(_ text: String?) -> JSONValue? { text.flatMap { JSONValue.parse($0) } }

    /// Newest first; `beforeID` continues a page.
    public func history(id: Outlet.ID, limit: Int, beforeID: Int64?) async throws -> [HistoryEntry] {
        let rows = try await client.fetch("""
            SELECT id, outlet_id, version, action, actor, changed_at, before::text, after::text FROM outlet_history
             WHERE outlet_id = \(id.rawValue) AND id < \(beforeID ?? Int64.max)
             ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        var out: [HistoryEntry] = []
        for try await r in rows.decode((Int64, Int64, Int32, String, String, Date, String?, String?).self) {
            out.append(HistoryEntry(id: r.0, outletID: Outlet.ID(r.1), version: Int(r.2), action: r.3, actor: r.4, changedAt: r.5,
                                    before: Self.json(r.6), after: Self.json(r.7)))
        }
        return out
    }

    /// The last recorded state of the outlet at `instant`: nil when it did not exist yet (or was deleted).
    public func asOf(id: Outlet.ID, _ instant: Date) async throws -> HistoryEntry? {
        let rows = try await client.fetch("""
            SELECT id, outlet_id, version, action, actor, changed_at, before::text, after::text FROM outlet_history
             WHERE outlet_id = \(id.rawValue) AND changed_at <= \(instant)
             ORDER BY changed_at DESC, id DESC LIMIT 1
            """, logger: logger)
        for try await r in rows.decode((Int64, Int64, Int32, String, String, Date, String?, String?).self) {
            return HistoryEntry(id: r.0, outletID: Outlet.ID(r.1), version: Int(r.2), action: r.3, actor: r.4, changedAt: r.5,
                                before: Self.json(r.6), after: Self.json(r.7))
        }
        return nil
    }

    // MARK: Import

    struct DryRun: Error { var outcome: ImportOutcome }

    /// Upserts by code in one transaction: new codes are created, changed rows updated, identical rows left alone.
    /// With `dryRun` the same statements run and are rolled back, so the counts are exactly what a real run would do.
    public func importRows(_ rows: [ImportRow], change: ChangeContext, dryRun: Bool) async throws -> ImportOutcome {
        do {
            return try await transaction(change) { conn in
                let outcome = try await Self.upsert(rows, on: conn, logger: logger)
                if dryRun { throw DryRun(outcome: outcome) }
                return outcome
            }
        } catch let d as DryRun {
            return d.outcome
        }
    }

    static func upsert(_ rows: [ImportRow], on conn: PostgresConnection, logger: Logger) async throws -> ImportOutcome {
        try await conn.fetch("""
            CREATE TEMP TABLE import_rows (
                row int PRIMARY KEY, code text NOT NULL, name text, kind text, address text, province text, city text,
                district text, district_code text, phone text, lat double precision, lon double precision,
                operating_state text, businesses text[], hours jsonb, keep_exceptions boolean
            ) ON COMMIT DROP
            """, logger: logger)
        // Batches of arrays (one bind parameter per column): a handful of statements, not one round trip per row.
        var started = ContinuousClock.now
        func phase(_ name: String) {
            logger.debug("import phase", metadata: ["phase": "\(name)", "took": "\(ContinuousClock.now - started)", "rows": "\(rows.count)"])
            started = ContinuousClock.now
        }
        for start in stride(from: 0, to: rows.count, by: 10_000) {
            let batch = rows[start..<min(start + 10_000, rows.count)]
            let hours = batch.map(\.hoursText)
            try await conn.fetch("""
                INSERT INTO import_rows
                SELECT row, code, name, kind, address, province, city, district, district_code, NULLIF(phone, ''), lat, lon, state,
                       string_to_array(NULLIF(b, ''), ','), h::jsonb, keep
                  FROM unnest(\(batch.map { $0.row }), \(batch.map(\.record.code)), \(batch.map(\.record.name)),
                              \(batch.map(\.record.kind.rawValue)), \(batch.map(\.record.address)), \(batch.map(\.record.province)),
                              \(batch.map(\.record.city)), \(batch.map(\.record.district)), \(batch.map(\.record.districtCode)),
                              \(batch.map { $0.record.phone ?? "" }), \(batch.map(\.record.lat)), \(batch.map(\.record.lon)),
                              \(batch.map(\.record.operatingState.rawValue)),
                              \(batch.map { $0.record.businesses.map(\.rawValue).joined(separator: ",") }), \(hours),
                              \(batch.map(\.keepExceptions)))
                    AS t(row, code, name, kind, address, province, city, district, district_code, phone, lat, lon, state, b, h, keep)
                """, logger: logger)
        }
        phase("staged")
        try await conn.fetch("""
            UPDATE import_rows i SET hours = jsonb_set(i.hours, '{exceptions}', coalesce(o.hours -> 'exceptions', '[]'::jsonb))
              FROM outlets o WHERE i.keep_exceptions AND o.code = i.code
            """, logger: logger)
        phase("exceptions kept")
        var outcome = ImportOutcome()
        var changes: [(row: Int, code: String, action: ImportOutcome.Action)] = []
        let updated = try await conn.fetch("""
            UPDATE outlets o SET name = i.name, kind = i.kind, address = i.address, province = i.province, city = i.city,
                   district = i.district, district_code = i.district_code, phone = i.phone, lat = i.lat, lon = i.lon,
                   operating_state = i.operating_state, businesses = i.businesses, hours = i.hours
              FROM import_rows i
             WHERE o.code = i.code
               AND ((o.name, o.kind, o.address, o.province, o.city, o.district, o.district_code, o.phone, o.lat, o.lon,
                     o.operating_state, o.hours)
                    IS DISTINCT FROM
                    (i.name, i.kind, i.address, i.province, i.city, i.district, i.district_code, i.phone, i.lat, i.lon,
                     i.operating_state, i.hours)
                    -- businesses are a set: the order they were loaded in is no change
                    OR NOT (o.businesses @> i.businesses AND o.businesses <@ i.businesses))
            RETURNING i.row, i.code
            """, logger: logger)
        for try await (row, code) in updated.decode((Int32, String).self) {
            changes.append((Int(row), code, .updated))
            outcome.updated += 1
        }
        phase("updated")
        let created = try await conn.fetch("""
            INSERT INTO outlets (code, name, kind, address, province, city, district, district_code, phone,
                                 lat, lon, operating_state, businesses, hours)
            SELECT code, name, kind, address, province, city, district, district_code, phone, lat, lon, operating_state, businesses, hours
              FROM import_rows i
             WHERE NOT EXISTS (SELECT 1 FROM outlets o WHERE o.code = i.code)
             ORDER BY i.row
            RETURNING code
            """, logger: logger)
        let rowOfCode = Dictionary(rows.map { ($0.record.code, $0.row) }, uniquingKeysWith: { a, _ in a })
        for try await code in created.decode(String.self) {
            changes.append((rowOfCode[code] ?? 0, code, .created))
            outcome.created += 1
        }
        phase("created")
        outcome.unchanged = rows.count - outcome.created - outcome.updated
        outcome.changes = changes.sorted { $0.row < $1.row }
        return outcome
    }

    // MARK: Export

    /// Every outlet matching the list filters, in id order, a page at a time.
    public func export(_ filter: OutletFilter, pageSize: Int = 5_000,
                       _ page: @escaping @Sendable ([Outlet]) async throws -> Void) async throws {
        var f = filter
        f.limit = pageSize
        f.afterID = nil
        let catalogue = Catalogue(client: client, logger: logger)
        while true {
            let rows = try await catalogue.outlets(f)
            if rows.isEmpty { return }
            try await page(rows)
            if rows.count < pageSize { return }
            f.afterID = rows.last?.id
        }
    }
}
