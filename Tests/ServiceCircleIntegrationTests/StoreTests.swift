import Foundation
import Logging
import PostgresNIO
import ServiceCircleDomain
@testable import ServiceCircleApp
import ServiceCircleStore
import Testing

@Suite("Migrations and schema (PostgreSQL)")
struct MigrationTests {
    @Test func reRunningAppliesNothing() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let migrations = try TestDatabase.migrations()
            let applied = try await Migrator(client: client, logger: TestDatabase.logger).migrate(migrations)
            #expect(applied.isEmpty)
            #expect(try await Migrator(client: client, logger: TestDatabase.logger).isUpToDate(migrations))
        }
    }

    @Test func aChangedAppliedFileIsRefused() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            var migrations = try TestDatabase.migrations()
            migrations[1].sql += "\n-- edited after it was applied\n"
            await #expect(throws: MigrationError.self) {
                try await Migrator(client: client, logger: TestDatabase.logger).migrate(migrations)
            }
        }
    }

    @Test func migratesAnEmptyDatabaseInOrder() async throws {
        let name = "t_empty_" + UUID().uuidString.prefix(8).lowercased()
        try await TestDatabase.admin { c in try await c.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: TestDatabase.logger) }
        let location = try TestDatabase.server.with(database: name)
        try await DatabaseBootstrap.withClient(location, logger: TestDatabase.logger) { client in
            let migrations = try TestDatabase.migrations()
            let applied = try await Migrator(client: client, logger: TestDatabase.logger).migrate(migrations)
            #expect(applied == Array(1...migrations.count))
            let rows = try await client.query("SELECT extname FROM pg_extension ORDER BY extname", logger: TestDatabase.logger)
            var ext: [String] = []
            for try await e in rows.decode(String.self) { ext.append(e) }
            #expect(Set(["postgis", "pg_trgm", "btree_gist"]).isSubset(of: ext))
        }
    }

    @Test func referenceTablesMatchTheContract() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            var kinds: [String] = []
            for try await k in try await client.query("SELECT code FROM outlet_kinds ORDER BY code", logger: TestDatabase.logger).decode(String.self) { kinds.append(k) }
            #expect(kinds == OutletKind.allCases.map(\.rawValue).sorted())
            #expect(kinds.count == 13)
            var business: [(String, String, String)] = []
            for try await b in try await client.query("SELECT code, name_zh, category FROM business_types ORDER BY position", logger: TestDatabase.logger)
                .decode((String, String, String).self) { business.append(b) }
            #expect(business.count == 28)
            #expect(business.map(\.0) == BusinessCode.allCases.map(\.rawValue))
            #expect(business.map(\.1) == BusinessCode.allCases.map(\.nameZh))
            #expect(business.map(\.2) == BusinessCode.allCases.map(\.category.rawValue))
        }
    }

    @Test("constraints reject what cannot be true", arguments: [
        "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon) VALUES ('X1', '', 'branch_office', '湖北省', '武汉市', '黄陂区', '420116', 30.8, 114.3)",
        "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon) VALUES ('X2', '某所', 'spaceport', '湖北省', '武汉市', '黄陂区', '420116', 30.8, 114.3)",
        "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon, businesses) VALUES ('X3', '某所', 'branch_office', '湖北省', '武汉市', '黄陂区', '420116', 30.8, 114.3, '{flying}')",
        "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon) VALUES ('X4', '某所', 'branch_office', '湖北省', '武汉市', '黄陂区', '42011', 30.8, 114.3)",
        "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon) VALUES ('X5', '某所', 'branch_office', '湖北省', '武汉市', '黄陂区', '420116', 95, 114.3)",
        "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon, operating_state) VALUES ('X6', '某所', 'branch_office', '湖北省', '武汉市', '黄陂区', '420116', 30.8, 114.3, 'open')",
    ])
    func constraints(sql: String) async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            // The same row with every value valid goes in, so each case fails for its one bad value only.
            let valid = "INSERT INTO outlets (code, name, kind, province, city, district, district_code, lat, lon, businesses) "
                + "VALUES ('OK1', '某所', 'branch_office', '湖北省', '武汉市', '黄陂区', '420116', 30.8, 114.3, '{ebike_registration}')"
            try await client.query(PostgresQuery(unsafeSQL: valid), logger: TestDatabase.logger)
            try await client.query("DELETE FROM outlets", logger: TestDatabase.logger)
            await #expect(throws: PSQLError.self) { try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger) }
            let rows = try await client.query("SELECT count(*)::int FROM outlets", logger: TestDatabase.logger)
            for try await n in rows.decode(Int.self) { #expect(n == 0) }
        }
    }
}

@Suite("Seed loading (PostgreSQL)")
struct SeedLoadTests {
    @Test func loadsSeedDataOnceAndEverythingReadsBack() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let seedDir = TestDatabase.projectDirectory.appendingPathComponent("SeedData")
            let loader = SeedLoader(client: client, logger: TestDatabase.logger)
            let first = try await loader.load(from: seedDir)
            let expected = try String(contentsOf: seedDir.appendingPathComponent("outlets/articles.jsonl"), encoding: .utf8)
                .split(separator: "\n").count
            #expect(first.outletsInserted == expected)
            #expect(expected > 1500)
            #expect(first.calendarFiles == ["calendar/cn-holidays-2024-2026.csv"])
            let second = try await loader.load(from: seedDir)
            #expect(second.outletsInserted == 0 && second.calendarFiles.isEmpty, "a second start loads nothing twice")

            let catalogue = Catalogue(client: client, logger: TestDatabase.logger)
            var f = OutletFilter()
            f.limit = 100_000
            let all = try await catalogue.outlets(f)
            #expect(all.count == expected)
            let cal = try await catalogue.holidayCalendar()
            #expect(cal.info(LocalDate(iso: "2026-02-14")!).kind == .makeupWorkday)
            #expect(cal.first == LocalDate(iso: "2024-01-01")! && cal.last == LocalDate(iso: "2026-12-31")!)
            // Every calendar day of the loaded years is a row.
            for try await n in try await client.query("SELECT count(*)::int FROM calendar_days", logger: TestDatabase.logger).decode(Int.self) {
                #expect(n == 366 + 365 + 365)
            }
        }
    }
}
