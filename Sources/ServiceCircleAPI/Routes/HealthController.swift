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
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/v1/outlet-kinds") { _, _ in
            try APIJSON.response(["items": OutletKind.allCases.map { KindDTO(code: $0.rawValue, nameZh: $0.nameZh, nameEn: $0.nameEn) }])
        }
        router.get("/v1/business-types") { request, _ in
            var p = QueryParameters(request, allowed: ["q"])
            let q = p.string("q")
            if let q, q.count > SentenceReader.maxLength { p.fail("q", "must be at most \(SentenceReader.maxLength) characters") }
            try p.check()
            guard let q else {
                return try APIJSON.response(["items": BusinessCode.allCases.map {
                    BusinessTypeDTO(code: $0.rawValue, nameZh: $0.nameZh, nameEn: $0.nameEn, category: $0.category.rawValue)
                }])
            }
            return businessTypes(matching: q)
        }
    }
}

extension ReferenceController {
    /// `GET /v1/business-types?q=`: the business types a caller's words name, best first — the words found in the
    /// text (longest first, as /v1/ask reads them), then words that contain the text or that it contains — with the
    /// question to ask for an ambiguous word and the channel for a service done online.
    func businessTypes(matching q: String) -> Response {
        let vocabulary = deps.hotline.vocabulary
        let text = Array(deps.hotline.tables.fold(q).unicodeScalars)
        var order: [BusinessCode] = []
        var words: [BusinessCode: [String]] = [:]
        var match: [BusinessCode: String] = [:]
        var kinds: [OutletKind] = []
        var online: [OnlineOnlyWord] = []
        var sets: [AmbiguitySet] = []
        func add(_ c: BusinessCode, _ word: String, _ how: String) {
            if words[c] == nil { order.append(c); match[c] = how }
            if !(words[c]?.contains(word) ?? false) { words[c, default: []].append(word) }
        }
        for h in vocabulary.scan(text) {
            switch h.entry {
            case .online(let o): online.append(o)
            case .business(let w):
                for c in w.businesses { add(c, h.text, "in_text") }
                for k in w.kinds where !kinds.contains(k) { kinds.append(k) }
                if let id = w.ambiguity, let set = vocabulary.sets[id], !sets.contains(set) { sets.append(set) }
            }
        }
        for (w, how) in vocabulary.rank(deps.hotline.tables.fold(q), limit: 20) {
            for c in w.businesses { add(c, w.word, how) }
        }
        var out = JSONWriter()
        out.beginObject()
        out.key("clarify")
        out.beginArray()
        for set in sets {
            out.beginObject()
            out.key("options")
            out.beginArray()
            for o in set.options { out.beginObject(); out.key("code"); out.string(o.code.rawValue); out.key("label_zh"); out.string(o.labelZh); out.endObject() }
            out.endArray()
            out.key("question_zh"); out.string(set.questionZh)
            out.endObject()
        }
        out.endArray()
        out.key("items")
        out.beginArray()
        for c in order {
            out.beginObject()
            out.key("category"); out.string(c.category.rawValue)
            out.key("code"); out.string(c.rawValue)
            out.key("match"); out.string(match[c] ?? "")
            out.key("name_en"); out.string(c.nameEn)
            out.key("name_zh"); out.string(c.nameZh)
            out.key("words"); out.beginArray(); for w in words[c] ?? [] { out.string(w) }; out.endArray()
            out.endObject()
        }
        out.endArray()
        out.key("kinds"); out.beginArray(); for k in kinds { out.string(k.rawValue) }; out.endArray()
        out.key("online")
        out.beginArray()
        for o in online {
            out.beginObject()
            out.key("channel"); out.string(o.channel)
            out.key("read_out_zh"); out.string(o.readOutZh)
            out.key("word"); out.string(o.word)
            out.endObject()
        }
        out.endArray()
        out.key("q"); out.string(q)
        out.endObject()
        return out.response()
    }
}
