import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Liveness, readiness and the OpenAPI document.
struct HealthController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/healthz") { _, _ in try APIJSON.response(["status": "ok"]) }
        router.get("/readyz") { _, _ in try await self.ready() }
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

    func ready() async throws -> Response {
        guard try await deps.schema.isUpToDate() else {
            throw DomainError.unavailable("database reachable but migrations are pending; run `servicecircle migrate`")
        }
        if let model = deps.readModel {
            guard model.isLoaded else { throw DomainError.unavailable("the in-memory read model is still loading") }
            return try APIJSON.response(ReadyDTO(status: "ready", readModel: .init(mode: "memory", outlets: model.count)))
        }
        return try APIJSON.response(ReadyDTO(status: "ready", readModel: .init(mode: "postgis", outlets: nil)))
    }
}

struct ReadyDTO: Encodable {
    struct Model: Encodable {
        var mode: String
        var outlets: Int?
    }
    var status: String
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
