import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp
import ServiceCircleSearch

/// GET /v1/nearest — the five-kilometre service circle (docs/hours.md).
struct NearestController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/v1/nearest", use: nearest)
    }

    /// What located the query: a point (`lat`, `lon`, `coordsys`) or a place (`place=` text, `place_id=`).
    struct InputPoint {
        var lat: Double
        var lon: Double
        var coordsys: String
        var place: PlaceResolution? = nil
        /// The district, city and province of the query point, and whether the catalogue covers it.
        var region: RegionLocation = .nowhere
        var coverage: CatalogueCoverage = .unknown
    }

    static let parameters: Set<String> = ["lat", "lon", "coordsys", "place", "place_id", "business", "kind", "at", "radius_m", "limit",
                                          "mode", "min_service_minutes"]

    enum Location {
        case point(lat: Double, lon: Double, coordsys: CoordinateSystem)
        case place(text: String?, id: String?)
    }

    /// Parses and validates the query string; the location stays unresolved (a place needs the place index).
    func parse(_ request: Request) throws -> (NearestQuery, Location) {
        var p = QueryParameters(request, allowed: Self.parameters)
        let byPlace = p.has("place") || p.has("place_id")
        var location: Location?
        if byPlace {
            for name in ["lat", "lon", "coordsys"] where p.has(name) { p.fail(name, "must not be combined with place or place_id") }
            if p.has("place") && p.has("place_id") { p.fail("place_id", "give place or place_id, not both") }
            let text = p.string("place")
            if let text, text.count > PlaceIndex.maxQueryLength { p.fail("place", "must be at most \(PlaceIndex.maxQueryLength) characters") }
            let id = p.string("place_id")
            if text != nil || id != nil { location = .place(text: text, id: id) }
        } else {
            if !p.has("lat") && !p.has("lon") {
                p.fail("lat", "is required (with lon), or give place=, e.g. place=黄陂区前川街道")
            } else {
                let lat = p.required("lat", p.double("lat", in: -90...90))
                let lon = p.required("lon", p.double("lon", in: -180...180))
                let coordsys = p.code("coordsys", CoordinateSystem.self) ?? .wgs84
                if let lat, let lon { location = .point(lat: lat, lon: lon, coordsys: coordsys) }
            }
        }
        let businesses = p.codes("business", BusinessCode.self)
        if businesses.isEmpty && !p.has("business") { p.fail("business", "is required: one or more business codes, comma-separated") }
        let kinds = p.codes("kind", OutletKind.self)
        let at = p.instant("at") ?? deps.clock.now()
        let radius = p.double("radius_m", in: 1...NearestQuery.maxRadius) ?? NearestQuery.defaultRadius
        let limit = p.int("limit", in: 1...NearestQuery.maxLimit) ?? NearestQuery.defaultLimit
        let mode = p.code("mode", TravelMode.self) ?? .none
        let minService = p.int("min_service_minutes", in: 0...720)
        try p.check()
        guard let location else { throw DomainError.invalid("lat", "is required") }
        let q = NearestQuery(point: GeoPoint(lat: 0, lon: 0), businesses: businesses, kinds: kinds, at: at, radius: radius, limit: limit,
                             mode: mode, minServiceMinutes: minService)
        return (q, location)
    }

    /// The query's WGS-84 point and what to echo of the input.
    func locate(_ location: Location) async throws -> (GeoPoint, InputPoint) {
        switch location {
        case .point(let lat, let lon, let coordsys):
            return (Datum.toWGS84(GeoPoint(lat: lat, lon: lon), from: coordsys), InputPoint(lat: lat, lon: lon, coordsys: coordsys.rawValue))
        case .place(let text, let id):
            let r = try await PlacesController.resolve(deps.places, text: text, id: id)
            let p = r.resolved.place.point
            return (p, InputPoint(lat: p.lat, lon: p.lon, coordsys: CoordinateSystem.wgs84.rawValue, place: r))
        }
    }

    @Sendable func nearest(_ request: Request, context: AppContext) async throws -> Response {
        var (q, location) = try parse(request)
        var (point, input) = try await locate(location)
        q.point = point
        (input.region, input.coverage) = deps.locator.lookup(point)
        let (answer, memo, source) = try await search(q)
        var response = Self.body(answer, q, input, memo: memo, trust: TrustLookup(deps)).response()
        response.headers[Self.sourceHeader] = source
        return response
    }

    /// The answer from the read model when it can answer, from PostGIS otherwise, with the memo to write it with and
    /// which path answered (`memory` or `postgis`).
    func search(_ q: NearestQuery) async throws -> (NearestAnswer, SearchMemo, String) {
        if let model = deps.readModel, let fromMemory = model.search(q) {
            return (fromMemory.answer, fromMemory.memo, "memory")
        }
        return (try await fromPostGIS(q), SearchMemo(), "postgis")
    }

    /// The response body, written directly (keys in sorted order, as every other response):
    /// `query` echoes what was understood, then `results`, `opening_soon`, `nearest_open_beyond_radius`.
    /// Every result carries `status_text_zh`, the sentence an agent reads to a caller. `memo` is that of the grid that
    /// found the answer: it keeps the outlets' summaries once written and, per hours class, the last status sentence
    /// (outlets of one class arriving at the same instant read the same one, so it is built once, not once per outlet).
    /// The status sentence is the memo's (per hours class) followed by the outlet's own caution and warning, which
    /// `trust` gives per outlet (never memoised per class).
    static func body(_ answer: NearestAnswer, _ q: NearestQuery, _ input: InputPoint, memo: SearchMemo = SearchMemo(),
                     trust: TrustLookup = .none) -> JSONWriter {
        // Five outlets take about 5 KB: one allocation, no regrowth.
        var w = JSONWriter(capacity: 8192)
        func result(_ r: NearestResult) {
            let t = trust(r.outlet)
            w.beginObject()
            w.key("arrives_at"); w.instant(r.arrivesAt)
            w.key("closes_at"); w.optional(r.closesAt)
            w.key("distance_m"); w.int(Int(r.distance.rounded()))
            w.key("eta_minutes"); w.int(r.etaMinutes)
            w.key("open_until_minutes"); w.optional(r.openUntilMinutes)
            w.key("outlet"); w.outletSummary(bytes: memo.summary(of: r, JSONWriter.outletSummaryBytes))
            w.key("status_text_zh"); w.string(memo.statusTextZh(r, q) + t.suffixZh)
            w.key("warning"); w.warning(t.warning)
            w.endObject()
        }
        w.beginObject()
        w.key("nearest_open_beyond_radius")
        if let b = answer.nearestOpenBeyondRadius { result(b) } else { w.null() }
        w.key("opening_soon")
        w.beginArray()
        for s in answer.openingSoon {
            let t = trust(s.outlet)
            w.beginObject()
            w.key("distance_m"); w.int(Int(s.distance.rounded()))
            w.key("eta_minutes"); w.int(s.etaMinutes)
            w.key("next_opens_at"); w.instant(s.nextOpensAt)
            w.key("outlet"); w.outletSummary(bytes: memo.summary(of: s, JSONWriter.outletSummaryBytes))
            w.key("status_text_zh")
            w.string(memo.statusTextZh(s, q) + t.suffixZh)
            w.key("warning"); w.warning(t.warning)
            w.endObject()
        }
        w.endArray()
        w.key("query")
        w.beginObject()
        w.key("at"); w.instant(q.at)
        w.key("businesses"); w.beginArray(); for b in q.businesses { w.string(b.rawValue) }; w.endArray()
        w.key("coverage"); w.coverage(input.coverage)
        w.key("detour_factor"); w.double(TravelEstimate.detourFactor)
        w.key("input")
        w.beginObject()
        if let place = input.place {
            w.key(place.parameter == "place" ? "place" : "place_id"); w.string(place.text)
        } else {
            w.key("coordsys"); w.string(input.coordsys)
            w.key("lat"); w.double(input.lat)
            w.key("lon"); w.double(input.lon)
        }
        w.endObject()
        w.key("kinds"); w.beginArray(); for k in q.kinds { w.string(k.rawValue) }; w.endArray()
        w.key("limit"); w.int(q.limit)
        w.key("location"); w.point(PointDTO(q.point))
        w.key("min_service_minutes"); w.int(q.minServiceMinutes)
        w.key("mode"); w.string(q.mode.rawValue)
        w.key("place")
        if let place = input.place { w.placeResolution(place) } else { w.null() }
        w.key("radius_m"); w.double(q.radius)
        w.key("region"); w.regionLocation(input.region)
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
        var compiled = CompiledHoursCache(calendar: calendar)
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
    /// The nearest outlet beyond the radius (to 50 km) open at arrival: candidates in the index's
    /// nearest-neighbour order (great-circle), in growing pages, each ranked by its geodesic distance; the
    /// walk stops once the great-circle distance (within 0.6 % of the geodesic) rules out beating the best.
    func beyond(_ q: NearestQuery, compiled: inout CompiledHoursCache) async throws -> NearestResult? {
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

/// What answers say about trusting each outlet (``AppDependencies/trust(of:now:)``) at the clock's now; `.none` says
/// nothing (benchmarks).
struct TrustLookup: Sendable {
    var deps: AppDependencies?
    var now: Instant

    init(_ deps: AppDependencies) {
        self.deps = deps
        now = deps.clock.now()
    }

    private init() {
        deps = nil
        now = Instant(seconds: 0)
    }

    static let none = TrustLookup()

    func callAsFunction(_ o: Outlet) -> OutletTrust { deps?.trust(of: o, now: now) ?? OutletTrust(caution: nil, warning: nil) }
}

/// The /v1/nearest body for an answer, as the route writes it (for `servicecircle bench nearest`, which
/// times the search and the serialization without HTTP); `memo` as the route passes it (``ReadModel/search(_:)``).
public func nearestResponseBytes(_ answer: NearestAnswer, _ q: NearestQuery, memo: SearchMemo = SearchMemo()) -> Int {
    NearestController.body(answer, q, .init(lat: q.point.lat, lon: q.point.lon, coordsys: "wgs84"), memo: memo).bytes.count
}
