import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain

/// Loads `SeedData/`: calendar CSVs (`calendar/*.csv`) and outlet files (`outlets/*.jsonl`).
///
/// Each file is loaded in one transaction and recorded in `seed_loads` with its checksum, so a restart loads
/// nothing twice. A calendar file whose content changed (a corrected notice) is reloaded; a new year's file is
/// simply loaded. An outlet file is loaded once: after that the catalogue belongs to its editors, and a changed
/// seed file is reported, not re-applied.
public struct SeedLoader: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public struct Report: Sendable, Equatable {
        public var calendarFiles: [String] = []
        public var outletFiles: [String] = []
        public var outletsInserted = 0
        public var skipped: [String] = []
        public var demandPointsLoaded = 0
    }

    /// Loads what is not loaded yet; with `outlets: false` only the calendar (benchmarks bring their own outlets).
    public func load(from seedDirectory: URL, outlets: Bool = true) async throws -> Report {
        var report = Report()
        let fm = FileManager.default
        let calDir = seedDirectory.appendingPathComponent("calendar")
        for f in ((try? fm.contentsOfDirectory(atPath: calDir.path)) ?? []).filter({ $0.hasSuffix(".csv") }).sorted() {
            let text = try String(contentsOf: calDir.appendingPathComponent(f), encoding: .utf8)
            let name = "calendar/\(f)"
            let sum = Migrator.checksum(text)
            if try await recorded(name) == sum { report.skipped.append(name); continue }
            let entries = try HolidayCalendar.parseCSV(text)
            try await client.withTransaction(logger: logger) { conn in
                try await Catalogue.replaceCalendarYears(entries, on: conn, logger: logger)
                try await self.record(name, sum, entries.count, on: conn)
            }
            logger.info("loaded calendar", metadata: ["file": "\(name)", "special_dates": "\(entries.count)"])
            report.calendarFiles.append(name)
        }

        try await loadRegionsAndDemand(from: seedDirectory, report: &report)

        let outDir = seedDirectory.appendingPathComponent("outlets")
        for f in !outlets ? [] : ((try? fm.contentsOfDirectory(atPath: outDir.path)) ?? []).filter({ $0.hasSuffix(".jsonl") }).sorted() {
            let name = "outlets/\(f)"
            let text = try String(contentsOf: outDir.appendingPathComponent(f), encoding: .utf8)
            let sum = Migrator.checksum(text)
            if let old = try await recorded(name) {
                if old != sum { logger.warning("seed file changed since it was loaded; the catalogue is not reloaded", metadata: ["file": "\(name)"]) }
                report.skipped.append(name)
                continue
            }
            let records = try Self.parseOutlets(text, file: name)
            try await client.withTransaction(logger: logger) { conn in
                // The history (sql/0007_write_side.sql) records who loaded these outlets.
                try await conn.fetch("SELECT set_config('servicecircle.actor', \("seed:" + name), true), set_config('servicecircle.action', 'seed', true)", logger: logger)
                for start in stride(from: 0, to: records.count, by: 2000) {
                    try await Catalogue.insert(Array(records[start..<min(start + 2000, records.count)]), on: conn, logger: logger)
                }
                try await self.record(name, sum, records.count, on: conn)
            }
            logger.info("loaded outlets", metadata: ["file": "\(name)", "outlets": "\(records.count)"])
            report.outletFiles.append(name)
            report.outletsInserted += records.count
        }
        return report
    }

    /// Parses and validates a JSON Lines outlet file; errors name the line.
    public static func parseOutlets(_ text: String, file: String) throws -> [OutletRecord] {
        let dec = JSONDecoder()
        var out: [OutletRecord] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            do {
                let r = try dec.decode(OutletRecord.self, from: Data(line.utf8))
                _ = try Hours(json: r.hours)
                out.append(r)
            } catch {
                throw SeedError(description: "\(file) line \(i + 1): \(error)")
            }
        }
        return out
    }

    func recorded(_ name: String) async throws -> String? {
        let rows = try await client.fetch("SELECT checksum FROM seed_loads WHERE name = \(name)", logger: logger)
        for try await c in rows.decode(String.self) { return c }
        return nil
    }

    func record(_ name: String, _ sum: String, _ count: Int, on conn: PostgresConnection) async throws {
        try await conn.fetch("""
            INSERT INTO seed_loads (name, checksum, rows) VALUES (\(name), \(sum), \(count))
            ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, rows = EXCLUDED.rows, loaded_at = now()
            """, logger: logger)
    }
}

public struct SeedError: Error, CustomStringConvertible {
    public var description: String
}
