import Foundation
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

/// The query point of the fixture suite, in WGS-84 (central Wuhan, on land).
let centre = GeoPoint(lat: 30.5900, lon: 114.2700)
let officeHours = Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "12:00"), TimeRange("13:30", "17:30")])])
let allDay = Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("00:00", "24:00")])])

let nearestFixture: [OutletRecord] = [
    fixture("N-A", "A 工作日上牌点", at: Geodesy.destination(from: centre, bearingDegrees: 0, distance: 1000), hours: officeHours),
    fixture("N-B", "B 24小时上牌点", at: Geodesy.destination(from: centre, bearingDegrees: 90, distance: 4999), hours: allDay),
    fixture("N-C", "C 24小时上牌点（半径外）", at: Geodesy.destination(from: centre, bearingDegrees: 270, distance: 5001), hours: allDay),
    fixture("N-D", "D 暂停服务点", at: Geodesy.destination(from: centre, bearingDegrees: 180, distance: 2000), hours: allDay, state: .temporarilyClosed),
    fixture("N-E", "E 检测站（周六仅检验）", kind: .inspectionStation, at: Geodesy.destination(from: centre, bearingDegrees: 45, distance: 3000),
            businesses: [.ebikeRegistration, .vehicleInspection],
            hours: Hours(rules: [
                HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:30")]),
                HoursRule(days: [.sat], intervals: [TimeRange("09:00", "12:00")], businesses: [.vehicleInspection]),
            ])),
    fixture("N-F", "F 17点下班", at: Geodesy.destination(from: centre, bearingDegrees: 200, distance: 1500),
            hours: Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:00")])])),
]

struct NearestAnswerView {
    var results: [String]
    var soon: [String]
    var beyond: String?
    var raw: [String: Any]
    var body: String
}

func nearest(_ http: any TestClientProtocol, _ query: String) async throws -> NearestAnswerView {
    try await http.execute(uri: "/v1/nearest?" + query, method: .get) { r in
        #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
        if let expected = TestApp.nearestSource {
            #expect(r.headers[NearestController.sourceHeader] == expected, "answered by the wrong path")
        }
        let j = try r.json
        func codes(_ key: String) -> [String] {
            ((j[key] as? [[String: Any]]) ?? []).compactMap { ($0["outlet"] as? [String: Any])?["code"] as? String }
        }
        let beyond = ((j["nearest_open_beyond_radius"] as? [String: Any])?["outlet"] as? [String: Any])?["code"] as? String
        return NearestAnswerView(results: codes("results"), soon: codes("opening_soon"), beyond: beyond, raw: j, body: String(buffer: r.body))
    }
}

@Suite("GET /v1/nearest on a fixture catalogue, from PostGIS and from the read model (PostgreSQL)")
struct NearestFixtureTests {
    func prepare(_ client: PostgresClient) async throws { try await TestDatabase.load(nearestFixture, into: client) }
    let here = "lat=\(centre.lat)&lon=\(centre.lon)"

    @Test("make-up Saturday: the weekday office is open; a Saturday inside the holiday block: it is not", arguments: [false, true])
    func holidayVsMakeup(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let makeup = try await nearest(http, "\(here)&business=ebike_registration&at=\(enc("2026-02-14T10:00:00+08:00"))")
            #expect(makeup.results == ["N-A", "N-F", "N-E", "N-B"])
            let holiday = try await nearest(http, "\(here)&business=ebike_registration&at=\(enc("2026-02-21T10:00:00+08:00"))")
            #expect(holiday.results == ["N-B"])
            // Fallbacks: the offices in the radius reopen on Tuesday 24 Feb; C (5,001 m) is open beyond the radius.
            #expect(Set(holiday.soon) == ["N-A", "N-E", "N-F"])
            #expect(holiday.soon.first == "N-A", "same opening time (08:30): nearest first")
            #expect(holiday.beyond == "N-C")
            let soon = try #require(holiday.raw["opening_soon"] as? [[String: Any]])
            #expect(soon.first?["next_opens_at"] as? String == "2026-02-24T08:30:00+08:00")
        }
    }

    @Test("lunch break: closed at 12:30, opening soon at 13:30", arguments: [false, true])
    func lunch(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let a = try await nearest(http, "\(here)&business=ebike_registration&at=\(enc("2026-03-02T12:30:00+08:00"))")
            #expect(a.results == ["N-F", "N-E", "N-B"], "F and E have no lunch break")
            #expect(a.soon == ["N-A"])
            let soon = try #require(a.raw["opening_soon"] as? [[String: Any]])
            #expect(soon.first?["next_opens_at"] as? String == "2026-03-02T13:30:00+08:00")
        }
    }

    @Test("closing during travel: F closes at 17:00; walking 1.5 km arrives after it", arguments: [false, true])
    func closingDuringTravel(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let now = "at=\(enc("2026-03-02T16:50:00+08:00"))"
            let none = try await nearest(http, "\(here)&business=ebike_registration&\(now)")
            #expect(none.results.contains("N-F"))
            let walk = try await nearest(http, "\(here)&business=ebike_registration&\(now)&mode=walk")
            #expect(!walk.results.contains("N-F"))
            // A: 1 km × 1.3 detour at 4.5 km/h = 18 min, arrives 17:08, closes 17:30: 22 minutes of service left.
            #expect(walk.results.first == "N-A")
            let r = try #require((walk.raw["results"] as? [[String: Any]])?.first)
            #expect(r["eta_minutes"] as? Int == 18)
            #expect(r["arrives_at"] as? String == "2026-03-02T17:08:00+08:00")
            #expect(r["open_until_minutes"] as? Int == 22)
            // Asking for 30 minutes of service drops A too.
            let long = try await nearest(http, "\(here)&business=ebike_registration&\(now)&mode=walk&min_service_minutes=30")
            #expect(!long.results.contains("N-A"))
        }
    }

    @Test("per-business weekend hours: E inspects on Saturday morning but does not register e-bikes", arguments: [false, true])
    func perBusiness(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let sat = "at=\(enc("2026-03-07T10:00:00+08:00"))"
            let v1 = try await nearest(http, "\(here)&business=vehicle_inspection&\(sat)")
            #expect(v1.results == ["N-E"])
            let v2 = try await nearest(http, "\(here)&business=ebike_registration&\(sat)")
            #expect(v2.results == ["N-B"])
            let v3 = try await nearest(http, "\(here)&business=ebike_registration,vehicle_inspection&\(sat)")
            #expect(v3.results.isEmpty)
            let v4 = try await nearest(http, "\(here)&business=ebike_registration&kind=inspection_station&\(sat)")
            #expect(v4.results.isEmpty)
        }
    }

    @Test("temporarily closed outlets never answer; radius edge 4,999 m in, 5,001 m out", arguments: [false, true])
    func closedAndEdge(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let a = try await nearest(http, "\(here)&business=ebike_registration&at=\(enc("2026-03-08T03:00:00+08:00"))")
            #expect(a.results == ["N-B"])
            let r = try #require((a.raw["results"] as? [[String: Any]])?.first)
            #expect(r["distance_m"] as? Int == 4999)
            #expect(r["closes_at"] is NSNull, "24h: open through the horizon")
            #expect(!a.soon.contains("N-D") && a.beyond == "N-C")
            let wide = try await nearest(http, "\(here)&business=ebike_registration&radius_m=5002&at=\(enc("2026-03-08T03:00:00+08:00"))")
            #expect(wide.results == ["N-B", "N-C"])
            #expect(wide.beyond == nil, "nothing open beyond 5,002 m within 50 km")
        }
    }

    @Test("the same place in GCJ-02 or BD-09 finds the same outlets", arguments: [false, true])
    func datums(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let at = "at=\(enc("2026-03-02T10:00:00+08:00"))&business=ebike_registration"
            let wgs = try await nearest(http, "\(here)&\(at)")
            let g = Datum.wgs84ToGcj02(centre)
            let gcj = try await nearest(http, "lat=\(g.lat)&lon=\(g.lon)&coordsys=gcj02&\(at)")
            let b = Datum.wgs84ToBd09(centre)
            let bd = try await nearest(http, "lat=\(b.lat)&lon=\(b.lon)&coordsys=bd09&\(at)")
            #expect(wgs.results == ["N-A", "N-F", "N-E", "N-B"])
            #expect(gcj.results == wgs.results && bd.results == wgs.results)
            let loc = try #require((gcj.raw["query"] as? [String: Any])?["location"] as? [String: Double])
            #expect(Geodesy.distance(GeoPoint(lat: loc["lat"]!, lon: loc["lon"]!), centre) < 0.5)
        }
    }

    @Test("limit: results full means no fallbacks", arguments: [false, true])
    func limit(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
            let a = try await nearest(http, "\(here)&business=ebike_registration&limit=2&at=\(enc("2026-03-02T10:00:00+08:00"))")
            #expect(a.results == ["N-A", "N-F"])
            #expect(a.soon.isEmpty && a.beyond == nil)
        }
    }

    @Test("bad input names the parameter", arguments: [
        ("business=ebike_registration", "lat"), ("lat=30.5&business=ebike_registration", "lon"),
        ("lat=91&lon=114&business=ebike_registration", "lat"), ("lat=30&lon=181&business=ebike_registration", "lon"),
        ("lat=30&lon=114", "business"), ("lat=30&lon=114&business=flying", "business"),
        ("lat=30&lon=114&business=ebike_registration&coordsys=utm", "coordsys"),
        ("lat=30&lon=114&business=ebike_registration&kind=spaceport", "kind"),
        ("lat=30&lon=114&business=ebike_registration&mode=teleport", "mode"),
        ("lat=30&lon=114&business=ebike_registration&radius_m=50001", "radius_m"),
        ("lat=30&lon=114&business=ebike_registration&radius_m=0", "radius_m"),
        ("lat=30&lon=114&business=ebike_registration&limit=51", "limit"),
        ("lat=30&lon=114&business=ebike_registration&at=yesterday", "at"),
        ("lat=abc&lon=114&business=ebike_registration", "lat"),
        ("lat=30&lon=114&business=ebike_registration&min_service_minutes=-1", "min_service_minutes"),
    ])
    func badInput(query: String, param: String) async throws {
        try await TestApp.run { http, _ in
            try await http.execute(uri: "/v1/nearest?" + query, method: .get) { r in
                #expect(r.status == .badRequest, "\(query)")
                let j = try r.json
                let names = (j["invalid_params"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                #expect(names.contains(param), "\(query) → \(names)")
            }
        }
    }
}

@Suite("GET /v1/nearest equals a brute-force scan by the domain core (PostgreSQL)")
struct NearestBruteForceTests {
    @Test func randomQueriesOnAGeneratedCatalogue() async throws {
        var g = Rand(seed: 42)
        let templates: [Hours] = [officeHours, allDay,
            Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:30")]),
                          HoursRule(days: [.restday], intervals: [TimeRange("09:00", "16:00")])]),
            Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("18:00", "02:00")])]),
            Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:00", "12:00")]),
                          HoursRule(days: [.sat], intervals: [TimeRange("09:00", "12:00")], businesses: [.vehicleInspection])])]
        let pool: [BusinessCode] = [.ebikeRegistration, .vehicleInspection, .licenseRenewal]
        var records: [OutletRecord] = []
        for i in 0..<600 {
            let p = Geodesy.destination(from: centre, bearingDegrees: g.double() * 360, distance: g.double() * 30_000)
            var b = pool.filter { _ in g.double() < 0.5 }
            if b.isEmpty { b = [pool[i % 3]] }
            let state: OperatingState = g.double() < 0.05 ? .temporarilyClosed : .active
            records.append(fixture(String(format: "R-%04d", i), "随机点\(i)", kind: i % 4 == 0 ? .inspectionStation : .ebikePlatePoint,
                                   at: p, businesses: b, hours: templates[Int(g.next() % UInt64(templates.count))], state: state))
        }
        let cal = HolidayCalendar(entries: try TestDatabase.calendarEntries())
        let outlets = records.enumerated().map { i, r in
            Outlet(id: .init(Int64(i + 1)), code: r.code, name: r.name, kind: r.kind, address: r.address, province: r.province, city: r.city,
                   district: r.district, districtCode: r.districtCode, phone: r.phone, location: GeoPoint(lat: r.lat, lon: r.lon),
                   operatingState: r.operatingState, businesses: r.businesses, hours: try! Hours(json: r.hours))
        }
        var queries: [(String, NearestQuery)] = []
        let base = Instant(rfc3339: "2026-01-01T00:00:00+08:00")!
        for _ in 0..<40 {
            let p = Geodesy.destination(from: centre, bearingDegrees: g.double() * 360, distance: g.double() * 25_000)
            let b = [pool[Int(g.next() % 3)]]
            let at = Instant(seconds: base.seconds + Int64(g.next() % (365 * 86400)) / 60 * 60)
            let mode = TravelMode.allCases[Int(g.next() % 4)]
            let radius = [2000.0, 5000.0, 8000.0][Int(g.next() % 3)]
            let limit = [3, 5, 10][Int(g.next() % 3)]
            let q = NearestQuery(point: p, businesses: b, at: at, radius: radius, limit: limit, mode: mode)
            let s = "lat=\(p.lat)&lon=\(p.lon)&business=\(b[0].rawValue)&at=\(enc(at.rfc3339))&mode=\(mode.rawValue)&radius_m=\(Int(radius))&limit=\(limit)"
            queries.append((s, q))
        }
        let catalogue = records
        let cases = queries
        let bodies = Bodies()
        for memory in [false, true] {
            try await TestApp.run(memory: memory, prepare: { client in try await TestDatabase.load(catalogue, into: client) }) { http, _ in
                for (s, q) in cases {
                    let api = try await nearest(http, s)
                    await bodies.add(memory: memory, api.body)
                    // The brute force: every outlet, the domain's geodesy and hours, no index.
                    let all = outlets.filter(q.admits).map { o in
                        NearestCandidate(outlet: o, distance: Geodesy.distance(q.point, o.location), hours: o.compiledHours(calendar: cal))
                    }.sorted { ($0.distance, $0.outlet.code) < ($1.distance, $1.outlet.code) }
                    let expected = Nearest.answer(inRadius: all.filter { $0.distance <= q.radius }, query: q)
                    #expect(api.results == expected.results.map(\.outlet.code), "\(s)")
                    #expect(api.soon == expected.openingSoon.map(\.outlet.code), "\(s)")
                    if expected.fallbacksApplied {
                        let beyond = Nearest.firstOpen(all.filter { $0.distance > q.radius && $0.distance <= NearestQuery.beyondRadiusLimit }, q)
                        #expect(api.beyond == beyond?.outlet.code, "\(s)")
                    } else {
                        #expect(api.beyond == nil)
                    }
                }
            }
        }
        // The read model and PostGIS give byte-identical answers.
        let (postgis, memory) = await (bodies.postgis, bodies.memory)
        #expect(postgis.count == cases.count && memory.count == cases.count)
        for (i, (a, b)) in zip(postgis, memory).enumerated() { #expect(a == b, "query \(i): \(cases[i].0)") }
    }

    actor Bodies {
        var postgis: [String] = []
        var memory: [String] = []
        func add(memory m: Bool, _ body: String) { if m { memory.append(body) } else { postgis.append(body) } }
    }
}

/// A deterministic generator for the brute-force check (SplitMix64).
struct Rand {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
