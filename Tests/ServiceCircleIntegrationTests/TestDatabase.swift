import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

/// The real PostgreSQL the test command starts (scripts/test.sh). Each suite gets its own database, created
/// from a template that is migrated once per test run, so suites run in parallel without seeing each other.
enum TestDatabase {
    static let logger: Logger = {
        var l = Logger(label: "test")
        l.logLevel = .warning
        return l
    }()

    static var server: DatabaseLocation {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["SERVICECIRCLE_TEST_DATABASE_URL"] else {
                throw ClusterError("SERVICECIRCLE_TEST_DATABASE_URL is not set: run the tests with ./scripts/test.sh")
            }
            return try DatabaseLocation(url: url)
        }
    }

    static var projectDirectory: URL {
        if let home = ProcessInfo.processInfo.environment["SERVICECIRCLE_HOME"] { return URL(fileURLWithPath: home) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func migrations() throws -> [Migration] {
        try Migration.load(from: projectDirectory.appendingPathComponent("sql"))
    }

    static let template = TemplateHolder()

    /// Builds the template once. The work is a single shared task: an actor alone would let a second caller
    /// in at the first `await` and drop the template while the first is still migrating it.
    actor TemplateHolder {
        var task: Task<Void, any Error>?
        func ensure() async throws {
            if task == nil {
                task = Task {
                    let server = try TestDatabase.server
                    try await admin { client in
                        try await client.query("DROP DATABASE IF EXISTS sc_template", logger: logger)
                        try await client.query("CREATE DATABASE sc_template", logger: logger)
                    }
                    let migrations = try TestDatabase.migrations()
                    try await DatabaseBootstrap.withClient(server.with(database: "sc_template"), logger: logger) { client in
                        try await Migrator(client: client, logger: logger).migrate(migrations)
                    }
                }
            }
            try await task!.value
        }
    }

    @discardableResult
    static func admin<R: Sendable>(_ body: @Sendable (PostgresClient) async throws -> R) async throws -> R {
        try await DatabaseBootstrap.withClient(try server.with(database: "postgres"), logger: logger, maximumConnections: 2, body)
    }

    /// Connections per test's pool: small enough that all suites at once stay inside the cluster's max_connections
    /// (PostgresNIO's default of 20 per pool ran the test cluster out of connections in CI). Tests that hold
    /// connections on purpose (a row lock with requests waiting behind it) ask for more.
    static let poolSize = 8

    /// A new migrated, empty database for one suite or test.
    static func fresh() async throws -> DatabaseLocation {
        do { try await template.ensure() } catch { throw ClusterError("template database: \(String(reflecting: error))") }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE sc_template"), logger: logger)
        }
        return try server.with(database: String(name))
    }

    /// Runs `body` with a client on a fresh database.
    static func withFreshDatabase<R: Sendable>(poolSize: Int = TestDatabase.poolSize,
                                               _ body: @Sendable (PostgresClient, DatabaseLocation) async throws -> R) async throws -> R {
        let location = try await fresh()
        return try await DatabaseBootstrap.withClient(location, logger: logger, maximumConnections: poolSize) { try await body($0, location) }
    }

    /// The calendar CSV in SeedData, parsed.
    static func calendarEntries() throws -> [CalendarEntry] {
        let text = try String(contentsOf: projectDirectory.appendingPathComponent("SeedData/calendar/cn-holidays-2024-2026.csv"), encoding: .utf8)
        return try HolidayCalendar.parseCSV(text)
    }

    /// The regions file in SeedData, parsed (the place lookup's cities and districts).
    static func regions() throws -> [Region] {
        try Region.parseCSV(String(contentsOf: projectDirectory.appendingPathComponent("SeedData/regions.csv"), encoding: .utf8))
    }

    /// The region locator on the committed boundaries, loaded once per test run (as `serve` loads it at start).
    static let locatorResult = Result { try RegionLocator.load(boundaries: projectDirectory.appendingPathComponent("SeedData/boundaries"),
                                                               catalogue: try regions()) }
    static var locator: RegionLocator { get throws { try locatorResult.get() } }

    /// The hotline's data from SeedData, loaded once per test run (as `serve` loads it at start).
    static let hotlineResult = Result { try HotlineData.load(seedDirectory: projectDirectory.appendingPathComponent("SeedData"),
                                                             catalogue: try regions()) }
    static var hotline: HotlineData { get throws { try hotlineResult.get() } }

    /// Loads the calendar and the given outlets in one transaction.
    static func load(_ records: [OutletRecord], into client: PostgresClient, calendar: Bool = true) async throws {
        let entries = try calendarEntries()
        try await client.withTransaction(logger: logger) { conn in
            if calendar { try await Catalogue.replaceCalendarYears(entries, on: conn, logger: logger) }
            try await Catalogue.insert(records, on: conn, logger: logger)
        }
    }
}

/// An HTTP client for the application on a fresh database, at a fixed clock.
struct TestApp {
    /// Which path /v1/nearest answers from in the running app (checked on every nearest response).
    @TaskLocal static var nearestSource: String?

    /// Runs `body` against the real router on a database prepared by `prepare`; with `memory`, /v1/nearest
    /// answers from the in-memory read model loaded after `prepare`.
    static func run(at now: Instant = Instant(rfc3339: "2026-03-02T10:00:00+08:00")!, memory: Bool = false,
                    poolSize: Int = TestDatabase.poolSize,
                    prepare: @Sendable (PostgresClient) async throws -> Void = { _ in },
                    _ body: @Sendable (any TestClientProtocol, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase(poolSize: poolSize) { client, _ in
            try await prepare(client)
            var model: ReadModel?
            if memory {
                model = ReadModel(client: client, logger: TestDatabase.logger)
                try await model!.reloadAll()
            }
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(), clock: FixedClock(now),
                                       readModel: model, placeRegions: try TestDatabase.regions(), locator: try TestDatabase.locator,
                                       hotline: try TestDatabase.hotline,
                                       logger: TestDatabase.logger)
            let app = Application(router: buildRouter(deps), logger: TestDatabase.logger)
            try await $nearestSource.withValue(memory ? "memory" : "postgis") {
                try await app.test(.router) { http in try await body(http, client) }
            }
        }
    }
}

extension TestResponse {
    /// The body as a JSON object (dictionaries, arrays, strings, numbers).
    var json: [String: Any] {
        get throws {
            let obj = try JSONSerialization.jsonObject(with: Data(buffer: body))
            return try #require(obj as? [String: Any])
        }
    }
}

/// Percent-encodes a query value (Chinese text, '+' in offsets).
func enc(_ s: String) -> String {
    var allowed = CharacterSet.urlQueryAllowed
    allowed.remove(charactersIn: "+&=,")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
}

/// A small outlet record for fixtures.
func fixture(_ code: String, _ name: String, kind: OutletKind = .ebikePlatePoint, at p: GeoPoint,
             businesses: [BusinessCode] = [.ebikeRegistration], hours: Hours, state: OperatingState = .active,
             district: (String, String) = ("黄陂区", "420116"), city: String = "武汉市") -> OutletRecord {
    OutletRecord(code: code, name: name, kind: kind, address: "\(district.0)测试路1号", province: "湖北省", city: city,
                 district: district.0, districtCode: district.1, phone: "027-00000000", lat: p.lat, lon: p.lon,
                 operatingState: state, businesses: businesses, hours: hours)
}
