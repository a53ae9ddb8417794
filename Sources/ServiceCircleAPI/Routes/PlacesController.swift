import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// GET /v1/places — Chinese place text to ranked candidates with a WGS-84 point (hotline agents).
struct PlacesController: Sendable {
    let deps: AppDependencies
    static let defaultLimit = 10
    static let maxLimit = 50

    func register(on router: Router<AppContext>) {
        router.get("/v1/places", use: places)
    }

    @Sendable func places(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["q", "limit", "kind"])
        let q = p.required("q", p.string("q"))
        if let q, q.count > PlaceIndex.maxQueryLength { p.fail("q", "must be at most \(PlaceIndex.maxQueryLength) characters") }
        let limit = p.int("limit", in: 1...Self.maxLimit) ?? Self.defaultLimit
        let kinds = p.codes("kind", PlaceKind.self)
        try p.check()
        guard let q else { throw DomainError.invalid("q", "is required") }
        let search = try await deps.places.current().search(q, limit: limit, kinds: Set(kinds))
        var w = JSONWriter()
        w.beginObject()
        w.key("candidates")
        w.beginArray()
        for m in search.matches { w.place(m, district: deps.locator.locate(m.place.point).district) }
        w.endArray()
        w.key("query")
        w.beginObject()
        w.key("ignored"); w.beginArray(); for s in search.ignored { w.string(s) }; w.endArray()
        w.key("kinds"); w.beginArray(); for k in kinds { w.string(k.rawValue) }; w.endArray()
        w.key("limit"); w.int(limit)
        w.key("normalized"); w.string(search.normalized)
        w.key("q"); w.string(q)
        w.endObject()
        w.endObject()
        return w.response()
    }

    /// Resolves `place=` (text) or `place_id=` for /v1/nearest: the best candidate and the runners-up, or a 400
    /// naming the parameter when nothing matches.
    static func resolve(_ directory: PlaceDirectory, text: String?, id: String?) async throws -> PlaceResolution {
        let index = try await directory.current()
        if let id {
            guard let point = index.points.first(where: { $0.id == id }) else {
                throw DomainError.invalid("place_id", "no place with id '\(id)'; ids come from /v1/places")
            }
            let match = PlaceMatch(place: point, coverage: 1, nameMatch: .exact, nameCoverage: 1)
            return PlaceResolution(parameter: "place_id", text: id, normalized: id, resolved: match, runnersUp: [])
        }
        let text = text ?? ""
        let search = index.search(text, limit: 5)
        guard let first = search.matches.first else {
            throw DomainError.invalid("place", "no place matches '\(text)'; try a district, street (街道/镇), community or outlet name, or use lat/lon")
        }
        return PlaceResolution(parameter: "place", text: text, normalized: search.normalized, resolved: first,
                               runnersUp: Array(search.matches.dropFirst()))
    }
}

/// The place a /v1/nearest query was resolved to, echoed so the agent can confirm it with the caller.
struct PlaceResolution: Sendable {
    var parameter: String
    var text: String
    var normalized: String
    var resolved: PlaceMatch
    var runnersUp: [PlaceMatch]
}

extension JSONWriter {
    /// One place candidate: what it is, where, and how well it matched.
    /// `district` is the district containing the place's point (/v1/places; nil elsewhere writes no key).
    mutating func place(_ m: PlaceMatch, district: AdminRegion?? = nil) {
        let p = m.place
        beginObject()
        key("address"); optional(p.address)
        if let district {
            key("district")
            if let d = district {
                beginObject(); key("code"); string(d.code); key("name"); string(d.name); endObject()
            } else { null() }
        }
        key("district_code"); optional(p.districtCode)
        key("full_name"); string(p.fullName)
        key("id"); string(p.id)
        key("kind"); string(p.kind.rawValue)
        key("kind_name_zh"); string(p.kind.nameZh)
        key("location"); point(PointDTO(p.point))
        key("location_gcj02"); point(PointDTO(Datum.wgs84ToGcj02(p.point)))
        key("match")
        beginObject()
        key("coverage"); double((m.coverage * 1000).rounded() / 1000)
        key("name_coverage"); double(m.nameCoverage)
        key("name_match"); string(m.nameMatch.label)
        key("score"); double(m.score)
        endObject()
        key("name"); string(p.name)
        key("outlet_id"); optional(p.outletID.map { Int($0) })
        key("parents"); beginArray(); for s in p.parents { string(s) }; endArray()
        key("source"); string(p.source)
        endObject()
    }

    /// `query.place` of /v1/nearest.
    mutating func placeResolution(_ r: PlaceResolution) {
        beginObject()
        key("normalized"); string(r.normalized)
        key("parameter"); string(r.parameter)
        key("resolved"); place(r.resolved)
        key("runners_up"); beginArray(); for m in r.runnersUp { place(m) }; endArray()
        key("text"); string(r.text)
        endObject()
    }
}
