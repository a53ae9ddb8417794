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
        router.get("/openapi.json") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
                throw DomainError.unavailable("OpenAPI document missing from the build")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
        }
    }

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
