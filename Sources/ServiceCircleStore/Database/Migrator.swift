import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain

/// One numbered schema file of `sql/`.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    /// Loads `NNNN_name.sql` files from a folder, ordered by number; refuses gaps and duplicates.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var out: [Migration] = []
        for f in files {
            guard let num = Int(f.prefix(while: \.isNumber)), f.prefix(while: \.isNumber).count == 4 else {
                throw MigrationError.badFileName(f)
            }
            out.append(Migration(version: num, name: f, sql: try String(contentsOf: directory.appendingPathComponent(f), encoding: .utf8)))
        }
        for (i, m) in out.enumerated() where m.version != i + 1 {
            throw MigrationError.gap(expected: i + 1, found: m.name)
        }
        return out
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case badFileName(String)
    case gap(expected: Int, found: String)
    case changed(version: Int, name: String, recorded: String, now: String)
    case unknownApplied(version: Int, name: String)

    public var description: String {
        switch self {
        case .badFileName(let f): "migration file '\(f)' must be named NNNN_name.sql"
        case .gap(let e, let f): "migrations must be numbered 1, 2, 3...: expected \(String(format: "%04d", e)) but found '\(f)'"
        case .changed(let v, let n, let r, let now):
            "migration \(v) '\(n)' was changed after it was applied (recorded checksum \(r.prefix(12))…, file now \(now.prefix(12))…). "
                + "Applied migrations are immutable: restore the file and add a new numbered migration instead."
        case .unknownApplied(let v, let n):
            "the database has migration \(v) '\(n)' applied, which this build does not know: it is newer than this code"
        }
    }
}

/// Applies migrations in order, each in its own transaction, recorded in `schema_migrations` with a SHA-256 checksum.
public struct Migrator: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Applies what is pending; returns the versions applied (empty when up to date).
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        try await client.withConnection { conn in
            // Two processes starting at once must not both apply the same file.
            try await conn.query("SELECT pg_advisory_lock(4242001)", logger: logger)
            do {
                let applied = try await self.apply(migrations, on: conn)
                try await conn.query("SELECT pg_advisory_unlock(4242001)", logger: logger)
                return applied
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(4242001)", logger: logger)
                throw error
            }
        }
    }

    private func apply(_ migrations: [Migration], on conn: PostgresConnection) async throws -> [Int] {
        try await conn.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var recorded: [Int: (String, String)] = [:]
        for try await (v, n, c) in try await conn.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
            .decode((Int, String, String).self) {
            recorded[v] = (n, c)
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (v, (n, _)) in recorded where known[v] == nil { throw MigrationError.unknownApplied(version: v, name: n) }

        var applied: [Int] = []
        for m in migrations {
            let checksum = Self.checksum(m.sql)
            if let (_, c) = recorded[m.version] {
                guard c == checksum else { throw MigrationError.changed(version: m.version, name: m.name, recorded: c, now: checksum) }
                continue
            }
            try await conn.withTransaction(logger: logger) { tx in
                for stmt in SQLScript.statements(m.sql) {
                    try await tx.query(PostgresQuery(unsafeSQL: stmt), logger: logger)
                }
                try await tx.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(m.version), \(m.name), \(checksum))",
                    logger: logger)
            }
            logger.info("applied migration", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
            applied.append(m.version)
        }
        return applied
    }

    /// Whether every known migration is applied (for /readyz).
    public func isUpToDate(_ migrations: [Migration]) async throws -> Bool {
        let rows = try await client.query("SELECT count(*)::int FROM schema_migrations", logger: logger)
        for try await count in rows.decode(Int.self) { return count == migrations.count }
        return false
    }

    /// SHA-256 of the file's bytes, hex.
    public static func checksum(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
