import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceCircleDomain
import ServiceCircleApp
import ServiceLifecycle

public typealias AppContext = AppRequestContext

/// The router of the whole v1 contract; `serve` and the tests build the same one. HEAD is answered on every GET
/// route (the GET's headers, no body); a known path with another method answers 405 with `Allow`.
public func buildRouter(_ deps: AppDependencies, corsOrigins: [String] = [], rateLimit: (perSecond: Double, burst: Double)? = nil) -> Router<AppContext> {
    let router = Router(context: AppContext.self, options: .autoGenerateHeadEndpoints)
    let routes = RouteTable()
    router.add(middleware: RequestLoggingMiddleware())
    router.add(middleware: HeadMiddleware())
    if !corsOrigins.isEmpty { router.add(middleware: CrossOriginMiddleware(origins: corsOrigins)) }
    if let rateLimit, rateLimit.perSecond > 0 {
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(rate: rateLimit.perSecond, burst: rateLimit.burst)))
    }
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(table: routes))
    router.add(middleware: CachePolicyMiddleware())
    router.add(middleware: CompressionMiddleware())
    HealthController(deps: deps).register(on: router)
    ReferenceController(deps: deps).register(on: router)
    OutletsController(deps: deps).register(on: router)
    CalendarController(deps: deps).register(on: router)
    NearestController(deps: deps).register(on: router)
    PlacesController(deps: deps).register(on: router)
    AskController(deps: deps).register(on: router)
    GuideController(deps: deps).register(on: router)
    ConsoleController().register(on: router)
    CatalogueEditing.register(on: router, deps: deps)
    CoverageController(deps: deps).register(on: router)
    routes.record(router.routes)
    return router
}

/// The application `servicecircle serve` runs; `services` run before the server and stop after it. Connections
/// are limited by `config` (idle and header timeouts, at most `maxConnections` open: docs/operations.md).
public func buildApplication(_ config: AppConfig, deps: AppDependencies, services: [any Service], logger: Logger,
                             maxConnections: Int? = nil) -> some ApplicationProtocol {
    Application(
        router: buildRouter(deps, corsOrigins: config.corsOrigins, rateLimit: (config.rateLimit, config.rateLimitBurst)),
        server: .edgeHTTP1(ConnectionLimits(idleTimeout: .seconds(config.idleTimeout), headerTimeout: .seconds(config.headerTimeout),
                                            drainGrace: .seconds(min(1, config.drainTimeout / 2)))),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "ServiceCircle",
                             availableConnectionsDelegate: MaximumAvailableConnections(maxConnections ?? config.maxConnections, logger: logger)),
        services: services,
        logger: logger)
}
