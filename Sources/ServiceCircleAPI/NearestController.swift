import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleStore

/// GET /v1/nearest — the five-kilometre service circle (DESIGN.md).
struct NearestController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/v1/nearest", use: nearest)
    }

    struct InputPoint {
        var lat: Double
        var lon: Double
        var coordsys: String
    }

    static let parameters: Set<String> = ["lat", "lon", "coordsys", "business", "kind", "at", "radius_m", "limit", "mode", "min_service_minutes"]

    /// Parses and validates the query string into a ``NearestQuery``.
    func parse(_ request: Request) throws -> (NearestQuery, InputPoint) {
        var p = QueryParameters(request, allowed: Self.parameters)
        let lat = p.required("lat", p.double("lat", in: -90...90))
        let lon = p.required("lon", p.double("lon", in: -180...180))
        let coordsys = p.code("coordsys", CoordinateSystem.self) ?? .wgs84
        let businesses = p.codes("business", BusinessCode.self)
        if businesses.isEmpty && !p.has("business") { p.fail("business", "is required: one or more business codes, comma-separated") }
        let kinds = p.codes("kind", OutletKind.self)
        let at = p.instant("at") ?? deps.clock.now()
        let radius = p.double("radius_m", in: 1...NearestQuery.maxRadius) ?? NearestQuery.defaultRadius
        let limit = p.int("limit", in: 1...NearestQuery.maxLimit) ?? NearestQuery.defaultLimit
        let mode = p.code("mode", TravelMode.self) ?? .none
        let minService = p.int("min_service_minutes", in: 0...720)
        try p.check()
        guard let lat, let lon else { throw DomainError.invalid("lat", "is required") }
        let point = Datum.toWGS84(GeoPoint(lat: lat, lon: lon), from: coordsys)
        let q = NearestQuery(point: point, businesses: businesses, kinds: kinds, at: at, radius: radius, limit: limit,
                             mode: mode, minServiceMinutes: minService)
        return (q, InputPoint(lat: lat, lon: lon, coordsys: coordsys.rawValue))
    }

    @Sendable func nearest(_ request: Request, context: AppContext) async throws -> Response {
        let (q, input) = try parse(request)
        let answer: NearestAnswer
        let source: String
        if let model = deps.readModel, let fromMemory = model.answer(q) {
            answer = fromMemory
            source = "memory"
        } else {
            answer = try await fromPostGIS(q)
            source = "postgis"
        }
        var response = Self.body(answer, q, input).response()
        response.headers[Self.sourceHeader] = source
        return response
    }

    /// The response body, written directly (keys in sorted order, as every other response):
    /// `query` echoes what was understood, then `results`, `opening_soon`, `nearest_open_beyond_radius`.
    static func body(_ answer: NearestAnswer, _ q: NearestQuery, _ input: InputPoint) -> JSONWriter {
        var w = JSONWriter()
        func result(_ r: NearestResult) {
            w.beginObject()
            w.key("arrives_at"); w.instant(r.arrivesAt)
            w.key("closes_at"); w.optional(r.closesAt)
            w.key("distance_m"); w.int(Int(r.distance.rounded()))
            w.key("eta_minutes"); w.int(r.etaMinutes)
            w.key("open_until_minutes"); w.optional(r.openUntilMinutes)
            w.key("outlet"); w.outletSummary(r.item)
            w.endObject()
        }
        w.beginObject()
        w.key("nearest_open_beyond_radius")
        if let b = answer.nearestOpenBeyondRadius { result(b) } else { w.null() }
        w.key("opening_soon")
        w.beginArray()
        for s in answer.openingSoon {
            w.beginObject()
            w.key("distance_m"); w.int(Int(s.distance.rounded()))
            w.key("eta_minutes"); w.int(s.etaMinutes)
            w.key("next_opens_at"); w.instant(s.nextOpensAt)
            w.key("outlet"); w.outletSummary(s.item)
            w.endObject()
        }
        w.endArray()
        w.key("query")
        w.beginObject()
        w.key("at"); w.instant(q.at)
        w.key("businesses"); w.beginArray(); for b in q.businesses { w.string(b.rawValue) }; w.endArray()
        w.key("detour_factor"); w.double(TravelEstimate.detourFactor)
        w.key("input")
        w.beginObject()
        w.key("coordsys"); w.string(input.coordsys)
        w.key("lat"); w.double(input.lat)
        w.key("lon"); w.double(input.lon)
        w.endObject()
        w.key("kinds"); w.beginArray(); for k in q.kinds { w.string(k.rawValue) }; w.endArray()
        w.key("limit"); w.int(q.limit)
        w.key("location"); w.point(PointDTO(q.point))
        w.key("min_service_minutes"); w.int(q.minServiceMinutes)
        w.key("mode"); w.string(q.mode.rawValue)
        w.key("radius_m"); w.double(q.radius)
        w.key("speed_kmh")
        if let v = TravelEstimate.speedKmh(q.mode) { w.double(v) } else { w.null() }
        w.endObject()
        w.key("results")
        w.beginArray()
        for r in answer.results { result(r) }
        w.endArray()
        w.endObject()
        return w
    }

    /// Which path answered: `memory` (the read model) or `postgis`.
    static let sourceHeader = HTTPFields.Element.Name("X-Nearest-Source")!

    /// The answer from PostGIS: candidates in the radius, then pages outward when fallbacks apply.
    func fromPostGIS(_ q: NearestQuery) async throws -> NearestAnswer {
        let calendar = try await deps.calendar.current()
        var compiled = CompiledCache(calendar: calendar)
        let inRadius = try await deps.catalogue.within(radius: q.radius, of: q.point, businesses: q.businesses, kinds: q.kinds)
        var answer = Nearest.answer(
            inRadius: inRadius.map { NearestCandidate(outlet: $0.outlet, distance: $0.distance, hours: compiled.hours($0.outlet)) },
            query: q)
        if answer.fallbacksApplied && q.radius < NearestQuery.beyondRadiusLimit {
            answer.nearestOpenBeyondRadius = try await beyond(q, compiled: &compiled)
        }
        return answer
    }

    /// Hours compiled once per distinct (hours, businesses) within a request.
    struct CompiledCache {
        struct Key: Hashable {
            var hours: Hours
            var businesses: [BusinessCode]
        }
        let calendar: HolidayCalendar
        var cache: [Key: CompiledHours] = [:]
        mutating func hours(_ o: Outlet) -> CompiledHours {
            let key = Key(hours: o.hours, businesses: o.businesses)
            if let h = cache[key] { return h }
            let h = o.compiledHours(calendar: calendar)
            cache[key] = h
            return h
        }
    }

    /// The nearest outlet beyond the radius (to 50 km) open at arrival: candidates in the index's
    /// nearest-neighbour order (great-circle), in growing pages, each ranked by its geodesic distance; the
    /// walk stops once the great-circle distance (within 0.6 % of the geodesic) rules out beating the best.
    func beyond(_ q: NearestQuery, compiled: inout CompiledCache) async throws -> NearestResult? {
        var best: NearestResult?
        var offset = 0
        var page = 256
        while true {
            let rows = try await deps.catalogue.nearestFirst(of: q.point, within: NearestQuery.beyondRadiusLimit, businesses: q.businesses,
                                                             kinds: q.kinds, offset: offset, limit: page)
            for (c, sphere) in rows {
                if let b = best, sphere > b.distance * 1.006 + 1 { return best }
                guard c.distance > q.radius else { continue }
                if let b = best, (b.distance, b.outlet.id) < (c.distance, c.outlet.id) { continue }
                let candidate = NearestCandidate(outlet: c.outlet, distance: c.distance, hours: compiled.hours(c.outlet))
                if let r = Nearest.openAtArrival(candidate, q) { best = r }
            }
            guard rows.count == page else { return best }
            offset += page
            page = min(page * 2, 4096)
        }
    }
}

/// The /v1/nearest body for an answer, as the route writes it (for `servicecircle bench nearest`, which
/// times the search and the serialization without HTTP).
public func nearestResponseBytes(_ answer: NearestAnswer, _ q: NearestQuery) -> Int {
    NearestController.body(answer, q, .init(lat: q.point.lat, lon: q.point.lon, coordsys: "wgs84")).bytes.count
}
