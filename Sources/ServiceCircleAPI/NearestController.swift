import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleStore

/// GET /v1/nearest — the five-kilometre service circle (DESIGN.md).
struct NearestController: Sendable {
    let deps: AppDependencies
    /// Candidates read per page when searching outward beyond the radius.
    static let beyondPage = 100

    func register(on router: Router<AppContext>) {
        router.get("/v1/nearest", use: nearest)
    }

    struct QueryEcho: Encodable {
        var location: PointDTO
        var input: InputPoint
        var businesses: [String]
        var kinds: [String]
        var at: String
        var radiusM: Double
        var limit: Int
        var mode: String
        var minServiceMinutes: Int
        var detourFactor: Double
        var speedKmh: Double?
    }

    struct InputPoint: Encodable {
        var lat: Double
        var lon: Double
        var coordsys: String
    }

    struct ResultDTO: Encodable {
        var outlet: OutletSummaryDTO
        var distanceM: Int
        var etaMinutes: Int
        var arrivesAt: String
        var closesAt: String?
        var openUntilMinutes: Int?
        init(_ r: NearestResult) {
            outlet = OutletSummaryDTO(r.outlet)
            distanceM = Int(r.distance.rounded())
            etaMinutes = r.etaMinutes
            arrivesAt = r.arrivesAt.rfc3339
            closesAt = r.closesAt?.rfc3339
            openUntilMinutes = r.openUntilMinutes
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(outlet, forKey: .outlet)
            try c.encode(distanceM, forKey: .distanceM)
            try c.encode(etaMinutes, forKey: .etaMinutes)
            try c.encode(arrivesAt, forKey: .arrivesAt)
            try c.encode(closesAt, forKey: .closesAt)
            try c.encode(openUntilMinutes, forKey: .openUntilMinutes)
        }
        enum CodingKeys: String, CodingKey { case outlet, distanceM, etaMinutes, arrivesAt, closesAt, openUntilMinutes }
    }

    struct SoonDTO: Encodable {
        var outlet: OutletSummaryDTO
        var distanceM: Int
        var etaMinutes: Int
        var nextOpensAt: String
    }

    struct AnswerDTO: Encodable {
        var query: QueryEcho
        var results: [ResultDTO]
        var openingSoon: [SoonDTO]
        var nearestOpenBeyondRadius: ResultDTO?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(query, forKey: .query)
            try c.encode(results, forKey: .results)
            try c.encode(openingSoon, forKey: .openingSoon)
            try c.encode(nearestOpenBeyondRadius, forKey: .nearestOpenBeyondRadius)
        }
        enum CodingKeys: String, CodingKey { case query, results, openingSoon, nearestOpenBeyondRadius }
    }

    /// Parses and validates the query string into a ``NearestQuery``.
    func parse(_ request: Request) throws -> (NearestQuery, InputPoint) {
        var p = QueryParameters(request, allowed: ["lat", "lon", "coordsys", "business", "kind", "at", "radius_m", "limit", "mode", "min_service_minutes"])
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
        let echo = QueryEcho(location: PointDTO(q.point), input: input, businesses: q.businesses.map(\.rawValue),
                             kinds: q.kinds.map(\.rawValue), at: q.at.rfc3339, radiusM: q.radius, limit: q.limit,
                             mode: q.mode.rawValue, minServiceMinutes: q.minServiceMinutes,
                             detourFactor: TravelEstimate.detourFactor, speedKmh: TravelEstimate.speedKmh(q.mode))
        var response = try APIJSON.response(AnswerDTO(
            query: echo, results: answer.results.map(ResultDTO.init),
            openingSoon: answer.openingSoon.map {
                SoonDTO(outlet: OutletSummaryDTO($0.outlet), distanceM: Int($0.distance.rounded()), etaMinutes: $0.etaMinutes,
                        nextOpensAt: $0.nextOpensAt.rfc3339)
            },
            nearestOpenBeyondRadius: answer.nearestOpenBeyondRadius.map(ResultDTO.init)))
        response.headers[Self.sourceHeader] = source
        return response
    }

    /// Which path answered: `memory` (the read model) or `postgis`.
    static let sourceHeader = HTTPFields.Element.Name("X-Nearest-Source")!

    /// The answer from PostGIS: candidates in the radius, then pages outward when fallbacks apply.
    func fromPostGIS(_ q: NearestQuery) async throws -> NearestAnswer {
        let calendar = try await deps.calendar.current()
        let inRadius = try await deps.catalogue.within(radius: q.radius, of: q.point, businesses: q.businesses, kinds: q.kinds)
        var answer = Nearest.answer(
            inRadius: inRadius.map { NearestCandidate(outlet: $0.outlet, distance: $0.distance, hours: $0.outlet.compiledHours(calendar: calendar)) },
            query: q)
        if answer.fallbacksApplied && q.radius < NearestQuery.beyondRadiusLimit {
            answer.nearestOpenBeyondRadius = try await beyond(q, after: inRadius.last, calendar: calendar)
        }
        return answer
    }

    /// Reads candidates outward from the radius to 50 km in pages until one is open at arrival.
    func beyond(_ q: NearestQuery, after last: OutletDistance?, calendar: HolidayCalendar) async throws -> NearestResult? {
        var cursor: (distance: Double, id: Outlet.ID)? = last.map { ($0.distance, $0.outlet.id) } ?? (q.radius, Outlet.ID(Int64.max))
        while true {
            let page = try await deps.catalogue.within(radius: NearestQuery.beyondRadiusLimit, of: q.point, businesses: q.businesses,
                                                        kinds: q.kinds, after: cursor, limit: Self.beyondPage)
            let candidates = page.filter { $0.distance > q.radius }
                .map { NearestCandidate(outlet: $0.outlet, distance: $0.distance, hours: $0.outlet.compiledHours(calendar: calendar)) }
            if let r = Nearest.firstOpen(candidates, q) { return r }
            guard page.count == Self.beyondPage, let l = page.last else { return nil }
            cursor = (l.distance, l.outlet.id)
        }
    }
}
