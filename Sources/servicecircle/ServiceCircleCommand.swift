import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceCircleAPI
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import ServiceLifecycle

@main
struct ServiceCircleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servicecircle",
        abstract: "ServiceCircle: China's traffic-police outlets, their hours and the five-kilometre service circle.",
        subcommands: [Serve.self, Migrate.self, Seed.self, GenerateSeed.self, Database.self, Bench.self, Keys.self, Import.self,
                      CoverageCommand.self, RegionsCommand.self],
        defaultSubcommand: Serve.self)
}

/// Options every database command shares; each flag is also an environment variable and a key of the JSON
/// configuration file (``AppConfig``, docs/operations.md), read and validated once.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "postgres:// URL of an existing server (env DATABASE_URL). Without it, the embedded cluster is used.")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Folder of the embedded cluster (env SERVICECIRCLE_DATA_DIR; default ./.servicecircle).")
    var dataDir: String?

    @Option(name: .customLong("project-dir"), help: "Folder holding sql/ and SeedData/ (env SERVICECIRCLE_HOME; default: the working directory).")
    var projectDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (env LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(name: .customLong("config"), help: "A JSON configuration file (env SERVICECIRCLE_CONFIG); flags and environment variables win over it.")
    var configFile: String?

    /// The settings from these flags, `extra` flags of the command (key → value), the environment and the file.
    func config(extra: [String: String?] = [:]) throws -> AppConfig {
        var flags: [String: String] = [:]
        for (key, value) in [("database.url", databaseURL), ("servicecircle.data.dir", dataDir), ("servicecircle.home", projectDir),
                             ("log.level", logLevel)] + extra.map({ ($0.key, $0.value) }) {
            if let value { flags[key] = value }
        }
        do {
            return try AppConfig.load(from: AppConfig.reader(flags: flags, configFile: configFile))
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    var resolvedURL: String? { get throws { try config().databaseURL } }
    var dataDirectory: URL { get throws { URL(fileURLWithPath: try config().dataDirectory) } }
    var projectDirectory: URL { get throws { URL(fileURLWithPath: try config().projectDirectory) } }
    var sqlDirectory: URL { get throws { try projectDirectory.appendingPathComponent("sql") } }
    var seedDirectory: URL { get throws { try projectDirectory.appendingPathComponent("SeedData") } }

    func logger(_ label: String = "servicecircle") throws -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: try config().logLevel) ?? .info
        return logger
    }

    /// The regions of `SeedData/regions.csv` (the place lookup's cities and districts); none when the file is absent.
    func regions() throws -> [Region] {
        let url = try seedDirectory.appendingPathComponent("regions.csv")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try Region.parseCSV(String(contentsOf: url, encoding: .utf8))
    }

    /// The region locator ("where is this point") from `SeedData/boundaries/`, with the catalogue's districts from
    /// `regions`; empty when the folder is absent. Logs how long the load took and what it holds.
    func locator(regions: [Region], logger: Logger) throws -> RegionLocator {
        let started = ContinuousClock.now
        let locator = try RegionLocator.load(boundaries: try seedDirectory.appendingPathComponent("boundaries"), catalogue: regions)
        let s = locator.stats
        let ms = (ContinuousClock.now - started).components
        logger.info("region locator loaded", metadata: [
            "districts": "\(s.districts)", "catalogued": "\(s.catalogued)", "positions": "\(s.positions)",
            "index_bytes": "\(s.bytes)", "ms": "\(ms.seconds * 1000 + ms.attoseconds / 1_000_000_000_000_000)"])
        return locator
    }

    /// The hotline's vocabulary, character tables, landmarks and national regions from `SeedData/`.
    func hotline(regions: [Region], logger: Logger) throws -> HotlineData {
        let started = ContinuousClock.now
        let data = try HotlineData.load(seedDirectory: try seedDirectory, catalogue: regions)
        let ms = (ContinuousClock.now - started).components
        logger.info("hotline data loaded", metadata: [
            "words": "\(data.vocabulary.words.count + data.vocabulary.online.count)", "landmarks": "\(data.landmarks.count)",
            "national_regions": "\(data.national.count)", "guides": "\(data.guides.national.count)", "pinyin_names": "\(data.tables.namePinyin.count)",
            "ms": "\(ms.seconds * 1000 + ms.attoseconds / 1_000_000_000_000_000)"])
        return data
    }

    func migrations() throws -> [Migration] {
        let sql = try sqlDirectory
        guard FileManager.default.fileExists(atPath: sql.path) else {
            throw ValidationError("no sql/ folder at \(sql.path): run from the project folder or pass --project-dir")
        }
        return try Migration.load(from: sql)
    }

    /// The command-line tools' way in: finds the database (starting the embedded cluster when there is no URL),
    /// creates it if missing, migrates it and runs `body` with a client. The embedded cluster is stopped afterwards
    /// only when this command started it: a `serve` may be using it.
    func withMigratedDatabase<R: Sendable>(_ body: @Sendable (MigratedDatabase) async throws -> R) async throws -> R {
        let logger = try logger()
        let migrations = try migrations()
        let wasRunning = try Keys.embeddedClusterIsRunning(self)
        let (location, cluster) = try DatabaseBootstrap.locate(databaseURL: resolvedURL, dataDirectory: dataDirectory, logger: logger)
        defer { if !wasRunning { try? cluster?.stop() } }
        try await DatabaseBootstrap.createDatabaseIfMissing(location, logger: logger)
        return try await DatabaseBootstrap.withClient(location, logger: logger) { client in
            let applied = try await Migrator(client: client, logger: logger).migrate(migrations)
            return try await body(MigratedDatabase(client: client, logger: logger, migrations: migrations, applied: applied))
        }
    }
}

/// What ``DatabaseOptions/withMigratedDatabase(_:)`` hands a command.
struct MigratedDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    let migrations: [Migration]
    /// The migrations this run applied (empty when the database was up to date).
    let applied: [Int]
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate, load the seed data on first start, and serve the HTTP API.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on (env HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env PORT; default 8080).") var port: String?
    @Flag(help: "Do not load SeedData on start (env SEED=false).") var noSeed = false
    @Option(name: .customLong("read-model"), help: "Where /v1/nearest reads: memory (in-memory index kept fresh by the change feed) or postgis (env READ_MODEL; default memory).")
    var readModel: String?
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection with no request in progress stays open (env HTTP_IDLE_TIMEOUT; default 75).")
    var idleTimeout: String?
    @Option(name: .customLong("header-timeout"), help: "Seconds allowed for a request's head once its first byte arrived; then 408 (env HTTP_HEADER_TIMEOUT; default 10).")
    var headerTimeout: String?
    @Option(name: .customLong("max-connections"), help: "Open connections served at once, lowered to fit the file limit (env HTTP_MAX_CONNECTIONS; default 10000).")
    var maxConnections: String?
    @Option(name: .customLong("drain-timeout"), help: "Seconds SIGTERM waits for requests in flight before cancelling them (env DRAIN_TIMEOUT; default 20).")
    var drainTimeout: String?
    @Option(name: .customLong("cors-origins"), help: "Comma-separated origins allowed by CORS, or * (env CORS_ORIGINS; default none: no CORS headers).")
    var corsOrigins: String?
    @Option(name: .customLong("rate-limit"), help: "Requests a second per client, 0 = no limit (env RATE_LIMIT; default 50).")
    var rateLimit: String?
    @Option(name: .customLong("rate-limit-burst"), help: "Requests a client may send at once above that (env RATE_LIMIT_BURST; default 100).")
    var rateLimitBurst: String?
    @Option(name: .customLong("verification-max-age-days"), help: "Days after which confirmed hours carry 请致电确认 (env VERIFICATION_MAX_AGE_DAYS; default 180).")
    var verificationMaxAgeDays: String?
    @Option(name: .customLong("reports-closed-threshold"), help: "Independent open 'closed' reports that warn on an outlet (env REPORTS_CLOSED_THRESHOLD; default 3).")
    var reportsClosedThreshold: String?
    @Option(name: .customLong("reports-per-hour"), help: "Problem reports one client may post an hour (env REPORTS_PER_HOUR; default 5).")
    var reportsPerHour: String?

    func run() async throws {
        let config = try db.config(extra: ["host": host, "port": port, "read.model": readModel, "seed": noSeed ? "false" : nil,
                                           "http.idle.timeout": idleTimeout, "http.header.timeout": headerTimeout,
                                           "http.max.connections": maxConnections, "drain.timeout": drainTimeout,
                                           "cors.origins": corsOrigins, "rate.limit": rateLimit, "rate.limit.burst": rateLimitBurst,
                                           "verification.max.age.days": verificationMaxAgeDays,
                                           "reports.closed.threshold": reportsClosedThreshold, "reports.per.hour": reportsPerHour])
        let logger = try db.logger()
        let maxConnections = FileLimit.fitConnections(config.maxConnections, logger: logger)
        let migrations = try db.migrations()
        let (location, cluster) = try DatabaseBootstrap.locate(databaseURL: config.databaseURL,
                                                               dataDirectory: URL(fileURLWithPath: config.dataDirectory), logger: logger)
        do {
            try await DatabaseBootstrap.createDatabaseIfMissing(location, logger: logger)
            let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
            // The probe has a pool of its own: a busy request pool must not read as an outage.
            let probeClient = PostgresProbe.client(for: location, logger: logger)
            let health = DatabaseHealth()
            let regions = try db.regions()
            let deps = AppDependencies.postgres(client: client, migrations: migrations,
                                                readModel: config.readModel == .memory ? ReadModel(client: client, logger: logger) : nil,
                                                placeRegions: regions, health: health,
                                                locator: try db.locator(regions: regions, logger: logger),
                                                hotline: try db.hotline(regions: regions, logger: logger), trust: config.trust,
                                                logger: logger)
            let feed = ChangeFeedService(feed: ChangeFeed(source: PostgresChangeSource(client: client, logger: logger),
                                                          views: deps.views, logger: logger))
            let seedDir = try db.seedDirectory
            // Services stop in reverse order after the server has drained its requests: the supervisor, the probe, the
            // change feed, then the pools.
            var services: [any Service] = [client, probeClient, feed,
                                           DatabaseHealthService(health: health, probe: PostgresProbe(client: probeClient, logger: logger, endpoint: location.endpoint),
                                                                 logger: logger)]
            if let cluster { services.append(ClusterSupervisor(cluster: cluster, health: health, logger: logger)) }
            let app = buildApplication(config, deps: deps, services: services, logger: logger, maxConnections: maxConnections)
            // SIGTERM/SIGINT: the server stops accepting, answers the requests in flight with `Connection: close`,
            // then the services stop; whatever is still running after the drain timeout is cancelled.
            var groupConfig = ServiceGroupConfiguration(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
                                                        logger: logger)
            groupConfig.maximumGracefulShutdownDuration = .milliseconds(Int64(config.drainTimeout * 1000))
            let serviceGroup = ServiceGroup(configuration: groupConfig)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serviceGroup.run() }
                // Migrate and seed while the server is coming up; /readyz answers 503 until migrations are applied.
                try await Migrator(client: client, logger: logger).migrate(migrations)
                if config.seedOnStart {
                    let report = try await SeedLoader(client: client, logger: logger).load(from: seedDir)
                    if report.outletsInserted > 0 { logger.info("seed loaded", metadata: ["outlets": "\(report.outletsInserted)"]) }
                }
                // The feed's first step reloads every view (calendar, read model, place index) from the seeded database.
                feed.start()
                logger.info("ready", metadata: ["url": "http://\(config.host):\(config.port)", "database": "\(location)"])
                try await group.next()
            }
        } catch {
            try? cluster?.stop()
            throw error
        }
        try cluster?.stop()
    }
}

/// The process's open-file limit, which every connection counts against.
enum FileLimit {
    /// Files kept for everything but client connections: the database pool, the change feed, logs, resources.
    static let reserve = 256

    /// Raises the soft limit to the hard one (as Go and nginx's `worker_rlimit_nofile` do) and returns the
    /// connection cap that fits under it, lowered with a warning when `wanted` does not.
    static func fitConnections(_ wanted: Int, logger: Logger) -> Int {
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return wanted }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        let soft = Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: no limit
        let fits = max(1, soft - reserve)
        if wanted > fits {
            logger.warning("lowered the connection cap to fit the file limit", metadata: [
                "http.max.connections": "\(wanted)", "ulimit_n": "\(soft)", "cap": "\(fits)",
            ])
            return fits
        }
        return wanted
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations from sql/ and exit.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let (applied, count) = try await db.withMigratedDatabase { ($0.applied, $0.migrations.count) }
        print(applied.isEmpty ? "up to date (\(count) migrations)" : "applied: \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate, then load SeedData (calendar and outlets) not yet loaded.")
    @OptionGroup var db: DatabaseOptions
    @Flag(help: "Load only the holiday calendar, not the seed outlets.") var calendarOnly = false

    func run() async throws {
        let seedDir = try db.seedDirectory
        let outlets = !calendarOnly
        let report = try await db.withMigratedDatabase { d in
            try await SeedLoader(client: d.client, logger: d.logger).load(from: seedDir, outlets: outlets)
        }
        print("calendar files loaded: \(report.calendarFiles.count), outlet files loaded: \(report.outletFiles.count), outlets inserted: \(report.outletsInserted), already loaded: \(report.skipped.count)")
    }
}

/// Starts or stops the embedded cluster on its own (the test command uses it).
struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Start or stop the embedded PostgreSQL cluster.",
                                                    subcommands: [Start.self, Stop.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded cluster (creating it the first time) and print its URL.")
        @OptionGroup var db: DatabaseOptions
        func run() async throws {
            let logger = try db.logger()
            let cluster = EmbeddedCluster(dataDirectory: try db.dataDirectory, logger: logger)
            try cluster.start()
            try await DatabaseBootstrap.createDatabaseIfMissing(cluster.location, logger: logger)
            print(cluster.location.url)
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        @OptionGroup var db: DatabaseOptions
        func run() async throws {
            try EmbeddedCluster(dataDirectory: try db.dataDirectory, logger: try db.logger()).stop()
        }
    }
}
