import Foundation
import Hummingbird
import Logging
import ServiceCircleDomain
import ServiceCircleApp
import ServiceLifecycle

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
public func buildApplication(_ config: AppConfig, deps: AppDependencies, services: [any Service], logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(deps),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "ServiceCircle"),
        services: services,
        logger: logger)
}
