import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Key management over HTTP, for `admin` keys (the CLI `servicecircle keys` does the same on the database).
struct KeysController: Sendable {
    let w: WriteSupport

    func register(on router: Router<AppContext>) {
        router.get("/v1/keys", use: list)
        router.post("/v1/keys", use: create)
        router.delete("/v1/keys/{key}", use: revoke)
    }

    struct KeyDTO: Encodable {
        var keyId: String
        var name: String
        var role: String
        var createdAt: String
        var createdBy: String
        var revokedAt: String?
        /// Only in the answer to the creation: the key itself, shown once.
        var key: String?

        init(_ k: APIKeyInfo, key: String? = nil) {
            keyId = k.keyID
            name = k.name
            role = k.role.rawValue
            createdAt = Instant(seconds: Int64(k.createdAt.timeIntervalSince1970.rounded(.down))).rfc3339
            createdBy = k.createdBy
            revokedAt = k.revokedAt.map { Instant(seconds: Int64($0.timeIntervalSince1970.rounded(.down))).rfc3339 }
            self.key = key
        }
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["include_revoked"])
        let text = p.string("include_revoked")
        if let text, text != "true", text != "false" { p.fail("include_revoked", "must be true or false") }
        let all = text == "true"
        try p.check()
        _ = try await w.require(.admin, request)
        return try APIJSON.response(["items": try await w.keys.list(includeRevoked: all).map { KeyDTO($0) }])
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let admin = try await w.require(.admin, request)
        let body = try await w.jsonBody(request)
        var errors: [InvalidParam] = []
        guard case .object(let o) = body else { throw DomainError.invalid("body", "must be an object {name, role}") }
        for k in o.keys.sorted() where k != "name" && k != "role" { errors.append(InvalidParam(name: k, reason: "unknown field; fields: name, role")) }
        var name: String?
        if case .string(let n)? = o["name"], APIKeyInfo.isValidName(n) { name = n } else {
            errors.append(InvalidParam(name: "name", reason: "is required: 1 to 64 characters A-Z, a-z, 0-9, '_', '.', '@' or '-'"))
        }
        var role: APIKeyRole?
        if case .string(let r)? = o["role"], let parsed = APIKeyRole(rawValue: r) { role = parsed } else {
            errors.append(InvalidParam(name: "role", reason: "is required: editor or admin"))
        }
        guard errors.isEmpty, let name, let role else { throw DomainError.invalid(errors) }
        let (key, info) = try await w.keys.create(name: name, role: role, createdBy: admin.name)
        var r = try APIJSON.response(KeyDTO(info, key: key), status: .created)
        r.headers[.cacheControl] = "no-store"
        return r
    }

    @Sendable func revoke(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        _ = try await w.require(.admin, request)
        let which = context.parameters.get("key") ?? ""
        guard let info = try await w.keys.revoke(which) else { throw DomainError.notFound("no live key named or with key id '\(which)'") }
        return try APIJSON.response(KeyDTO(info))
    }
}
