import ArgumentParser
import Foundation
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleSeed
import ServiceCircleStore

/// `servicecircle bench import`: bulk import of a generated national catalogue into a scratch database (BENCHMARKS.md).
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import",
        abstract: "Time a CSV import of --count generated outlets into an empty scratch database, then its re-import (all unchanged) and a dry run.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Outlets in the file.") var count = 100_000
    @Option(help: "Scratch database (dropped and recreated).") var database = "servicecircle_bench_import"

    func run() async throws {
        let logger = try db.logger()
        let migrations = try db.migrations()
        let tables = try SeedTables(seedDirectory: db.seedDirectory)
        let wasRunning = try Keys.embeddedClusterIsRunning(db)
        let (server, cluster) = try DatabaseBootstrap.locate(databaseURL: db.resolvedURL, dataDirectory: db.dataDirectory, logger: logger)
        defer { if !wasRunning { try? cluster?.stop() } }
        let scratch = server.with(database: database)
        let name = database
        try await DatabaseBootstrap.createDatabaseIfMissing(server, logger: logger)
        try await DatabaseBootstrap.withClient(server.with(database: server.database == name ? "postgres" : server.database), logger: logger) { c in
            try await c.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\""), logger: logger)
            try await c.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
        }

        // The file, as `GET /v1/outlets.csv` writes it.
        var t0 = ContinuousClock.now
        var csv = OutletImport.csvHeader
        var id: Int64 = 0
        SeedGenerator.national(count: count, tables: tables) { rec in
            id += 1
            csv += OutletImport.csvLine(id: id, rec)
        }
        let bytes = Array(csv.utf8)
        FileHandle.standardError.write(Data("generated \(count) rows, \(bytes.count >> 20) MB of CSV in \(ContinuousClock.now - t0)\n".utf8))

        let count = count
        try await DatabaseBootstrap.withClient(scratch, logger: logger) { client in
            try await Migrator(client: client, logger: logger).migrate(migrations)
            let editor = CatalogueEditor(client: client, logger: logger)
            func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            /// CPU seconds the server's backends for this database have used, when the server runs on this machine
            /// (read from /proc): on a shared machine the wall time says more about the neighbours than about the import.
            func backendCPU() async throws -> Double? {
                var total = 0.0
                let rows = try await client.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()", logger: logger)
                for try await pid in rows.decode(Int32.self) {
                    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                          let close = stat.lastIndex(of: ")") else { return nil }
                    let f = stat[stat.index(after: close)...].split(separator: " ")
                    guard f.count > 13, let u = Double(f[11]), let s = Double(f[12]) else { return nil }
                    total += (u + s) / 100
                }
                return total
            }
            func run(_ label: String, dryRun: Bool) async throws {
                let cpu0 = try await backendCPU()
                let start = ContinuousClock.now
                let parsed = OutletImport.parse(bytes, format: .csv)
                let parsedAt = ContinuousClock.now
                guard parsed.issues.isEmpty else { throw ValidationError("generated rows invalid: \(parsed.issues.prefix(3))") }
                let o = try await editor.importRows(parsed.rows, change: ChangeContext(actor: "bench", action: "import"), dryRun: dryRun)
                let end = ContinuousClock.now
                let cpu1 = try await backendCPU()
                let cpu = cpu0.flatMap { a in cpu1.map { String(format: ", database CPU %.2f s", $0 - a) } } ?? ""
                print(String(format: "%@: %d rows in %.2f s (parse+validate %.2f s, database %.2f s%@): created %d, updated %d, unchanged %d",
                             label, count, seconds(end - start), seconds(parsedAt - start), seconds(end - parsedAt), cpu,
                             o.created, o.updated, o.unchanged))
            }
            try await run("import into an empty catalogue", dryRun: false)
            try await run("re-import, nothing changed  ", dryRun: false)
            try await run("dry run                     ", dryRun: true)
            var history = 0
            for try await n in try await client.query("SELECT count(*)::int FROM outlet_history", logger: logger).decode(Int.self) { history = n }
            print("history rows: \(history)")
        }
        t0 = ContinuousClock.now
        try await DatabaseBootstrap.withClient(server.with(database: server.database == name ? "postgres" : server.database), logger: logger) { c in
            try await c.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\""), logger: logger)
        }
    }
}
