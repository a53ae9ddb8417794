import Foundation
import Logging
import ServiceCircleDomain
import ServiceCircleSearch
import ServiceLifecycle

/// What the routes need: the repositories, the calendar, the clock and, when configured, the in-memory read model
/// that answers /v1/nearest. The store builds one (`AppDependencies.postgres`); tests build the same.
public struct AppDependencies: Sendable {
    public var catalogue: any CatalogueRepository
    public var editor: any EditorRepository
    public var regions: any RegionRepository
    public var keys: any APIKeyRepository
    /// Whether the database holds every migration this build knows (/readyz).
    public var schema: any SchemaStatus
    public var calendar: CalendarCache
    public var clock: any AppClock
    public var readModel: ReadModel?
    /// The place lookup (/v1/places, /v1/nearest?place=): the regions given here plus the catalogue's outlets.
    public var places: PlaceDirectory
    /// "Where is this point" (/v1/regions/at, `query.region` of /v1/nearest): the boundaries in memory.
    public var locator: RegionLocator
    /// The caller vocabulary, character tables, landmarks and national regions (`GET /v1/ask`).
    public var hotline: HotlineData

    /// The database's health as the probe sees it; nil when nothing probes (tests, command-line tools).
    public var health: DatabaseHealth?
    /// Problem reports from the public, and the open `closed` ones in memory for the warnings of answers.
    public var reports: any ReportRepository
    public var reportBoard: ReportBoard
    /// Provenance cautions and report warnings: their settings (AppConfig).
    public var trust: TrustSettings

    /// With `health`, every repository call is guarded: while the database is down it fails at once with a 503
    /// (and a call waiting when it goes down is cancelled) instead of waiting for the database to return.
    public init(catalogue: any CatalogueRepository, editor: any EditorRepository, regions: any RegionRepository,
                keys: any APIKeyRepository, schema: any SchemaStatus, clock: any AppClock = SystemClock(),
                readModel: ReadModel? = nil, placeRegions: [Region] = [], health: DatabaseHealth? = nil,
                locator: RegionLocator = .empty, hotline: HotlineData = .empty,
                reports: any ReportRepository = NoReports(), trust: TrustSettings = TrustSettings()) {
        var catalogue = catalogue, editor = editor, regions = regions, keys = keys, schema = schema, reports = reports
        if let health {
            reports = GuardedReports(base: reports, health: health)
            catalogue = GuardedCatalogue(base: catalogue, health: health)
            editor = GuardedEditor(base: editor, health: health)
            regions = GuardedRegions(base: regions, health: health)
            keys = GuardedKeys(base: keys, health: health)
            schema = GuardedSchema(base: schema, health: health)
        }
        self.health = health
        self.catalogue = catalogue
        self.editor = editor
        self.regions = regions
        self.keys = keys
        self.schema = schema
        calendar = CalendarCache(catalogue: catalogue)
        self.clock = clock
        self.readModel = readModel
        places = PlaceDirectory(catalogue: catalogue, regions: placeRegions, hotline: hotline)
        self.hotline = hotline
        self.locator = locator
        self.reports = reports
        reportBoard = ReportBoard(reports: reports)
        self.trust = trust
    }

    /// What answers say about trusting `outlet` at `now`: the caution of its provenance, the warning of its reports.
    public func trust(of outlet: Outlet, now: Instant) -> OutletTrust {
        OutletTrust(caution: outlet.provenance.cautionZh(now: now, maxAgeDays: trust.maxVerificationAgeDays),
                    warning: reportBoard.isEmpty ? nil : reportBoard.warning(outlet.id, now: now, threshold: trust.closedReportThreshold))
    }
}

extension AppDependencies {
    /// Every view the change feed keeps fresh, in the order a change reaches them: the calendar first (the read
    /// model compiles hours against the calendar), the read model when there is one, then the place index.
    public var views: [any CatalogueView] { [calendar] + (readModel.map { [$0] } ?? []) + [places, reportBoard] }
}

/// Runs the change feed as a service: it subscribes and loads once ``start()`` is called (after the migrations and
/// the seed), and stops on graceful shutdown before the database pool does.
public struct ChangeFeedService: Service {
    public let feed: ChangeFeed
    let gate = AsyncStream<Void>.makeStream()

    public init(feed: ChangeFeed) { self.feed = feed }

    public func start() { gate.continuation.finish() }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in gate.stream {}
            guard !Task.isCancelled else { return }
            await feed.run()
        }
    }
}
