import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceCircleDomain
import ServiceCircleStore
import ServiceLifecycle

/// Where "now" comes from: the wall clock in production, a fixed instant in tests.
public protocol AppClock: Sendable {
    func now() -> Instant
}

public struct SystemClock: AppClock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }
}

public struct FixedClock: AppClock {
    public var instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}

/// The calendar as loaded from PostgreSQL, reloaded at most once a minute so that a newly loaded year's
/// schedule takes effect without a restart.
public actor CalendarCache {
    let catalogue: Catalogue
    var cached: (HolidayCalendar, ContinuousClock.Instant)?
    public init(catalogue: Catalogue) { self.catalogue = catalogue }

    public func current() async throws -> HolidayCalendar {
        if let (cal, at) = cached, ContinuousClock.now - at < .seconds(60) { return cal }
        let cal = try await catalogue.holidayCalendar()
        cached = (cal, ContinuousClock.now)
        return cal
    }

    public func invalidate() { cached = nil }
}

/// What the routes need: the store, the migrations (for /readyz), the calendar, the clock and, when
/// configured, the in-memory read model that answers /v1/nearest.
public struct AppDependencies: Sendable {
    public var catalogue: Catalogue
    public var migrations: [Migration]
    public var calendar: CalendarCache
    public var clock: any AppClock
    public var readModel: ReadModel?
    /// The place lookup (/v1/places, /v1/nearest?place=): the regions given here plus the catalogue's outlets.
    public var places: PlaceDirectory

    public init(client: PostgresClient, migrations: [Migration], clock: any AppClock = SystemClock(), readModel: ReadModel? = nil,
                regions: [Region] = [], logger: Logger) {
        catalogue = Catalogue(client: client, logger: logger)
        self.migrations = migrations
        calendar = CalendarCache(catalogue: catalogue)
        self.clock = clock
        self.readModel = readModel
        places = PlaceDirectory(catalogue: catalogue, regions: regions)
    }
}

/// Where /v1/nearest gets its candidates (`--read-model`, env READ_MODEL).
public enum ReadModelMode: String, CaseIterable, Sendable {
    /// The in-memory index, loaded at start and refreshed by the change feed; PostGIS until it is loaded.
    case memory
    /// Every query goes to PostGIS (ST_DWithin on the GiST index).
    case postgis
}

/// Runs the read model as a service: it starts listening and loading once ``start()`` is called (after the
/// migrations), and stops on graceful shutdown before the database pool does.
public struct ReadModelService: Service {
    public let model: ReadModel
    let gate = AsyncStream<Void>.makeStream()

    public init(model: ReadModel) { self.model = model }

    public func start() { gate.continuation.finish() }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in gate.stream {}
            guard !Task.isCancelled else { return }
            await model.run()
        }
    }
}

public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

public typealias AppContext = BasicRequestContext

/// The router of the whole v1 contract; `serve` and the tests build the same one.
public func buildRouter(_ deps: AppDependencies) -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    router.add(middleware: RequestLoggingMiddleware())
    router.add(middleware: ProblemMiddleware())
    HealthController(deps: deps).register(on: router)
    ReferenceController().register(on: router)
    OutletsController(deps: deps).register(on: router)
    CalendarController(deps: deps).register(on: router)
    NearestController(deps: deps).register(on: router)
    PlacesController(deps: deps).register(on: router)
    ConsoleController().register(on: router)
    CatalogueEditing.register(on: router, deps: deps)
    CoverageController(deps: deps).register(on: router)
    return router
}

/// The application `servicecircle serve` runs; `services` run before the server and stop after it.
public func buildApplication(_ config: AppConfiguration, deps: AppDependencies, services: [any Service], logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(deps),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "ServiceCircle"),
        services: services,
        logger: logger)
}
