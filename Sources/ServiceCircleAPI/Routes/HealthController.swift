import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Liveness, readiness and the OpenAPI document.
struct HealthController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/healthz") { _, _ in try APIJSON.response(["status": "ok"]) }
        router.get("/readyz") { request, _ in try await self.ready(request) }
        router.get("/openapi.json") { request, _ in
            guard let document = Self.openAPI else { throw DomainError.unavailable("OpenAPI document missing from the build") }
            return document.response(to: request, cacheControl: Self.openAPICacheControl)
        }
    }

    /// The contract changes only with a release: an hour's caching, then a 304 while the ETag holds.
    static let openAPICacheControl = "public, max-age=3600"

    static let openAPI: StaticResource? = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources")
        .flatMap { try? Data(contentsOf: $0) }
        .map { StaticResource($0, contentType: "application/json; charset=utf-8") }

    /// Ready while the instance can answer: the read model serves `/v1/nearest` from memory even while PostgreSQL is
    /// down, so a load balancer must keep it (200, `"database": "down"`). `strict=true` is the form for writers'
    /// health checks: 503 whenever the database is not reachable.
    func ready(_ request: Request) async throws -> Response {
        var p = QueryParameters(request, allowed: ["strict"])
        let strictText = p.string("strict")
        if let strictText, strictText != "true", strictText != "false" { p.fail("strict", "must be true or false") }
        try p.check()
        let strict = strictText == "true"
        var database = "up"
        if deps.health?.isDown == true {
            database = "down"
        } else {
            do {
                guard try await deps.schema.isUpToDate() else {
                    throw DomainError.unavailable("database reachable but migrations are pending; run `servicecircle migrate`")
                }
            } catch let e as DomainError {
                guard case .unavailable(let why) = e, !why.contains("migrations") else { throw e }
                database = "down"
            } catch where StoreAvailability.isUnavailable(error) {
                database = "down"
            }
        }
        let model = deps.readModel
        if database == "down" && (strict || model?.isLoaded != true) {
            throw DomainError.unavailable("the database is unreachable" + (strict ? "" : " and no in-memory read model is serving"))
        }
        var dto = ReadyDTO(status: database == "up" ? "ready" : "degraded", database: database,
                           readModel: .init(mode: "postgis", outlets: nil))
        if let model {
            guard model.isLoaded else { throw DomainError.unavailable("the in-memory read model is still loading") }
            dto.readModel = .init(mode: "memory", outlets: model.count)
        }
        var response = try APIJSON.response(dto)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

struct ReadyDTO: Encodable {
    struct Model: Encodable {
        var mode: String
        var outlets: Int?
    }
    /// `ready`, or `degraded` while the database is down and the read model answers alone.
    var status: String
    /// `up` or `down`.
    var database: String
    var readModel: Model
}

struct KindDTO: Encodable { var code, nameZh, nameEn: String }
struct BusinessTypeDTO: Encodable { var code, nameZh, nameEn, category: String }

/// The reference lists: stable codes with Chinese and English names.
struct ReferenceController: Sendable {
    func register(on router: Router<AppContext>) {
        router.get("/v1/outlet-kinds") { _, _ in
            try APIJSON.response(["items": OutletKind.allCases.map { KindDTO(code: $0.rawValue, nameZh: $0.nameZh, nameEn: $0.nameEn) }])
        }
        router.get("/v1/business-types") { _, _ in
            try APIJSON.response(["items": BusinessCode.allCases.map {
                BusinessTypeDTO(code: $0.rawValue, nameZh: $0.nameZh, nameEn: $0.nameEn, category: $0.category.rawValue)
            }])
        }
    }
}
