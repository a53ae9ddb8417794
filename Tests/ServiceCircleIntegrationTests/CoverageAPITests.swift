import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
@testable import ServiceCircleStore
import Testing

/// A hand-made network and demand whose coverage is known by hand.
///
/// 黄陂区 (fixture, 5,000 residents): P1 (1,000) at the centre, P2 (2,000) 3 km east, P3 (500) 12 km north,
/// P4 (1,500) 20 km west. 新洲区 (fixture, 2,000): Q1 (800), Q2 (1,200) 2 km north of it.
/// Outlets (e-bike registration): O1 at the centre, workdays 08:30–17:30, closed on 3 March 2026 (exception) →
/// P1, P2; O2 500 m from P3, every day 09:00–17:00 → P3; O3 at P4, temporarily closed; O4 at P4, inspection only;
/// O5 at Q1, workdays only → Q1, Q2.
/// Weekdays: 黄陂 3,500 / 5,000 = 70.0 %, 新洲 100 %, city 5,500 / 7,000 = 78.6 %.
/// Saturday: 黄陂 500 / 5,000 = 10.0 %, 新洲 0 % (covered on weekdays, not on Saturday), city 500 / 7,000 = 7.1 %.
enum CoverageFixture {
    static let centre = GeoPoint(lat: 30.95, lon: 114.35)
    static let q1 = GeoPoint(lat: 30.95, lon: 114.90)
    static func at(_ bearing: Double, _ metres: Double, from p: GeoPoint = centre) -> GeoPoint {
        Geodesy.destination(from: p, bearingDegrees: bearing, distance: metres)
    }

    static let regions: [Region] = {
        func r(_ code: String, _ name: String, _ box: Region.BoundingBox, pop: Int, parent: String?) -> Region {
            let inside = GeoPoint(lat: (box.minLat + box.maxLat) / 2, lon: (box.minLon + box.maxLon) / 2)
            return Region(code: code, province: "湖北省", city: "武汉市", name: name, centroid: inside, insidePoint: inside, bbox: box,
                          areaKm2: 1000, population2020: pop, populationSource: "fixture", parentCode: parent)
        }
        return [
            r("420100", "武汉市", .init(minLat: 30.7, minLon: 114.1, maxLat: 31.2, maxLon: 115.1), pop: 7000, parent: nil),
            r("420116", "黄陂区", .init(minLat: 30.7, minLon: 114.1, maxLat: 31.2, maxLon: 114.7), pop: 5000, parent: "420100"),
            r("420117", "新洲区", .init(minLat: 30.7, minLon: 114.7, maxLat: 31.2, maxLon: 115.1), pop: 2000, parent: "420100"),
        ]
    }()

    static func point(_ code: String, _ region: String, _ name: String, _ p: GeoPoint, _ pop: Int) -> DemandPoint {
        DemandPoint(code: code, regionCode: region, street: region == "420116" ? "前川街道" : "邾城街道", name: name, kind: .village,
                    location: GeoPoint(lat: (p.lat * 1e6).rounded() / 1e6, lon: (p.lon * 1e6).rounded() / 1e6), population: pop, estimated: false)
    }

    static let demand: [DemandPoint] = [
        point("420116-0001", "420116", "P1村", centre, 1000),
        point("420116-0002", "420116", "P2村", at(90, 3000), 2000),
        point("420116-0003", "420116", "P3村", at(0, 12000), 500),
        point("420116-0004", "420116", "P4村", at(270, 20000), 1500),
        point("420117-0001", "420117", "Q1村", q1, 800),
        point("420117-0002", "420117", "Q2村", at(0, 2000, from: q1), 1200),
    ]

    static let weekdays = HoursRule(days: [.workday], intervals: [TimeRange("08:30", "17:30")])
    static let outlets: [OutletRecord] = [
        fixture("C-O1", "O1 前川工作日上牌点", at: centre,
                hours: Hours(rules: [weekdays], exceptions: [HoursException(from: LocalDate(iso: "2026-03-03")!, to: LocalDate(iso: "2026-03-03")!,
                                                                             intervals: [], note: "系统升级")])),
        fixture("C-O2", "O2 每日上牌点", at: at(0, 12500), hours: Hours(rules: [HoursRule(days: [.daily], intervals: [TimeRange("09:00", "17:00")])])),
        fixture("C-O3", "O3 暂停服务点", at: at(270, 20000), hours: allDay, state: .temporarilyClosed),
        fixture("C-O4", "O4 检测站", kind: .inspectionStation, at: at(270, 20000), businesses: [.vehicleInspection], hours: allDay),
        fixture("C-O5", "O5 邾城工作日上牌点", at: q1, hours: Hours(rules: [weekdays]), district: ("新洲区", "420117")),
    ]

    static func load(_ client: PostgresClient) async throws {
        try await TestDatabase.load(outlets, into: client)
        try await client.withTransaction(logger: TestDatabase.logger) { conn in
            try await RegionStore.upsertRegions(regions, on: conn, logger: TestDatabase.logger)
            try await RegionStore.replaceDemand(demand, on: conn, logger: TestDatabase.logger)
        }
    }
}

func coverage(_ http: any TestClientProtocol, _ query: String, path: String = "/v1/coverage") async throws -> [String: Any] {
    try await http.execute(uri: path + "?" + query, method: .get) { r in
        #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
        #expect(r.headers[CoverageController.timingHeader]?.hasPrefix("coverage;dur=") == true)
        return try r.json
    }
}

func problem(_ http: any TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, body: String? = nil,
             status: HTTPResponse.Status = .badRequest, key: String? = nil) async throws -> [String] {
    var headers = HTTPFields()
    if let key { headers[.authorization] = "Bearer \(key)" }
    return try await http.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
        #expect(r.status == status, "\(uri): \(String(buffer: r.body))")
        #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
        let j = try r.json
        return ((j["invalid_params"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }
}

func population(_ j: [String: Any]) -> (total: Int, covered: Int, percent: Double?) {
    let p = j["population"] as? [String: Any] ?? [:]
    return (p["total"] as? Int ?? -1, p["covered"] as? Int ?? -1, p["percent"] as? Double)
}

@Suite("GET /v1/coverage on a fixture network and demand (PostgreSQL)")
struct CoverageAPITests {
    let business = "business=ebike_registration"

    @Test("weekdays: everyone in 新洲 is covered; Saturday: nobody there, 10 % in 黄陂")
    func weekdaysAgainstSaturday() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let wd = try await coverage(http, "region=420116&\(business)&during=weekday_daytime")
            #expect(population(wd).total == 5000 && population(wd).covered == 3500 && population(wd).percent == 70.0)
            let time = try #require((wd["query"] as? [String: Any])?["time"] as? [String: Any])
            #expect(time["date"] as? String == "2026-03-02" && time["window_start"] as? String == "2026-03-02T09:00:00+08:00")
            let counted = (wd["outlets"] as? [[String: Any]] ?? []).compactMap { ($0["outlet"] as? [String: Any])?["code"] as? String }
            #expect(counted == ["C-O1", "C-O2"])

            let sat = try await coverage(http, "region=420116&\(business)&during=saturday")
            #expect(population(sat).covered == 500 && population(sat).percent == 10.0)
            #expect(sat["headline_zh"] as? String == "周六 黄陂区 电动自行车登记上牌 五公里覆盖率 10.0%")
            #expect((sat["query"] as? [String: Any]).flatMap { ($0["time"] as? [String: Any])?["date"] as? String } == "2026-03-07")

            let xwd = try await coverage(http, "region=420117&\(business)&during=weekday_daytime")
            #expect(population(xwd).percent == 100.0)
            let xsat = try await coverage(http, "region=420117&\(business)&during=saturday")
            #expect(population(xsat).total == 2000 && population(xsat).covered == 0 && population(xsat).percent == 0.0)
        }
    }

    @Test("a city includes its districts, broken down per district")
    func cityBreakdown() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let wd = try await coverage(http, "region=420100&\(business)&during=weekday_daytime")
            #expect(population(wd).total == 7000 && population(wd).covered == 5500 && population(wd).percent == 78.6)
            let regions = try #require(wd["regions"] as? [[String: Any]])
            #expect(regions.map { $0["code"] as? String } == ["420116", "420117"])
            #expect(regions.map { $0["percent"] as? Double } == [70.0, 100.0])
            #expect(regions.map { $0["boundary_source"] as? String } == ["approximate", "approximate"])
            let sat = try await coverage(http, "region=420100&\(business)&during=saturday")
            #expect(population(sat).percent == 7.1)
        }
    }

    @Test("a dated closure (hours exception) on the reference date counts automatically")
    func exceptionClosesTheOutlet() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let closed = try await coverage(http, "region=420116&\(business)&during=weekday_daytime&date=2026-03-03")
            #expect(population(closed).covered == 500)
            let open = try await coverage(http, "region=420116&\(business)&during=weekday_daytime&date=2026-03-04")
            #expect(population(open).covered == 3500)
            // An instant: at 17:10 O2 has closed (17:00) and O1 closes within 20 minutes, so nobody is covered; with
            // min_open_minutes=15 O1 counts again.
            let late = try await coverage(http, "region=420116&\(business)&at=\(enc("2026-03-04T17:10:00+08:00"))")
            #expect(population(late).covered == 0)
            let short = try await coverage(http, "region=420116&\(business)&at=\(enc("2026-03-04T17:10:00+08:00"))&min_open_minutes=15")
            #expect(population(short).covered == 3000)
        }
    }

    @Test("uncovered cells as GeoJSON, and greedy suggestions")
    func cellsAndSuggestions() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let sat = try await coverage(http, "region=420116&\(business)&during=saturday&cell_m=1000&k=2")
            let uncovered = try #require(sat["uncovered"] as? [String: Any])
            #expect(uncovered["type"] as? String == "FeatureCollection")
            let features = try #require(uncovered["features"] as? [[String: Any]])
            let pops = features.compactMap { ($0["properties"] as? [String: Any])?["population"] as? Int }
            #expect(pops.sorted() == [1000, 1500, 2000])
            let ring = try #require(((features.first?["geometry"] as? [String: Any])?["coordinates"] as? [[[Double]]])?.first)
            #expect(ring.count == 7 && ring.first == ring.last)
            let suggestions = try #require(sat["suggestions"] as? [[String: Any]])
            #expect(suggestions.map { $0["added_population"] as? Int } == [3000, 1500])
            #expect(suggestions.map { $0["percent_after"] as? Double } == [70.0, 100.0])
            #expect(suggestions.map { ($0["demand_point"] as? [String: Any])?["name"] as? String } == ["P1村", "P4村"])

            let only = try await coverage(http, "region=420116&\(business)&during=saturday", path: "/v1/coverage/suggestions")
            // k defaults to 3, but after P1 and P4 nobody is left uncovered: greedy stops.
            #expect((only["suggestions"] as? [[String: Any]])?.count == 2)
            #expect((only["query"] as? [String: Any])?["k"] as? Int == 3)
            #expect(only["uncovered"] == nil && only["outlets"] == nil)

            // A bbox over 黄陂's fixture box gives the same totals, broken down by the region the points fall in.
            let box = try await coverage(http, "bbox=114.1,30.7,114.69,31.2&\(business)&during=saturday")
            #expect(population(box).total == 5000 && population(box).covered == 500)
            #expect((box["regions"] as? [[String: Any]])?.map { $0["code"] as? String } == ["420116"])
        }
    }

    @Test("the map is a self-contained SVG with the headline in Chinese; GeoJSON for GIS tools")
    func svgAndGeoJSON() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            try await http.execute(uri: "/v1/coverage.svg?region=420116&\(business)&during=saturday&k=1", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/svg+xml; charset=utf-8")
                let svg = String(buffer: r.body)
                #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
                #expect(svg.contains("周六 黄陂区 电动自行车登记上牌 五公里覆盖率 10.0%"))
                #expect(svg.contains("<path d=\"M"), "the region outline")
                #expect(svg.contains("<ellipse"), "the service circles")
                #expect(svg.components(separatedBy: "http").count == 2, "no link but the SVG namespace")
                #expect(!svg.contains("href") && !svg.contains("<script"))
            }
            try await http.execute(uri: "/v1/coverage.geojson?region=420116&\(business)&during=saturday&k=1", method: .get) { r in
                #expect(r.headers[.contentType] == "application/geo+json; charset=utf-8")
                let j = try r.json
                #expect(j["type"] as? String == "FeatureCollection")
                let kinds = (j["features"] as? [[String: Any]] ?? []).compactMap { ($0["properties"] as? [String: Any])?["kind"] as? String }
                #expect(Set(kinds) == ["uncovered_cell", "outlet", "suggested_site"])
            }
        }
    }

    @Test("bad input is a 400 naming the parameter")
    func validation() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let ok = "\(business)&during=saturday"
            #expect(try await problem(http, "/v1/coverage") == ["region", "business", "during"])
            #expect(try await problem(http, "/v1/coverage?region=999999&\(ok)") == ["region"])
            #expect(try await problem(http, "/v1/coverage?region=42011&\(ok)") == ["region"])
            #expect(try await problem(http, "/v1/coverage?region=420116&business=plates&during=saturday") == ["business"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(business)&during=weekend") == ["during"])
            #expect(try await problem(http, "/v1/coverage?bbox=110,30,113,31&\(ok)") == ["bbox"])
            #expect(try await problem(http, "/v1/coverage?bbox=30,114,31,115&\(ok)") == ["bbox"], "lat/lon order")
            #expect(try await problem(http, "/v1/coverage?region=420116&bbox=114,30,115,31&\(ok)") == ["bbox"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(ok)&cell_m=50") == ["cell_m"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(ok)&cell_m=50000") == ["cell_m"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(ok)&radius_m=0") == ["radius_m"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(ok)&k=21") == ["k"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(business)&during=holiday&date=2026-03-03") == ["date"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(business)&during=saturday&date=2026-03-04") == ["date"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(ok)&at=\(enc("2026-03-04T10:00:00+08:00"))") == ["during"])
            #expect(try await problem(http, "/v1/coverage?region=420116&\(ok)&bussiness=x") == ["bussiness"])
            #expect(try await problem(http, "/v1/coverage.svg?region=420116&\(business)") == ["during"])
            let reason = try await http.execute(uri: "/v1/coverage?bbox=110,30,113,31&\(ok)", method: .get) { r in String(buffer: r.body) }
            #expect(reason.contains("at most 2.5°"), "the limit is stated")
        }
    }
}

@Suite("Regions and boundary uploads (PostgreSQL)")
struct RegionBoundaryTests {
    static let square = """
        {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[114.30,30.90],[114.40,30.90],[114.40,31.00],[114.30,31.00],[114.30,30.90]]]}}
        """

    @Test("approximate boundaries hold exactly their own points; regions list their demand")
    func approximateBoundaries() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, client in
            for try await n in try await client.query(
                "SELECT count(*)::int FROM demand_points WHERE assigned_region IS DISTINCT FROM region_code", logger: TestDatabase.logger).decode(Int.self) {
                #expect(n == 0)
            }
            for try await n in try await client.query(
                "SELECT count(*)::int FROM regions a JOIN regions b ON a.code < b.code AND a.level = 'district' AND b.level = 'district' AND ST_Overlaps(a.boundary, b.boundary)",
                logger: TestDatabase.logger).decode(Int.self) {
                #expect(n == 0, "district outlines do not overlap")
            }
            try await http.execute(uri: "/v1/regions", method: .get) { r in
                let j = try r.json
                let items = try #require(j["items"] as? [[String: Any]])
                #expect(items.map { $0["code"] as? String } == ["420100", "420116", "420117"])
                #expect(items.map { $0["demand_population"] as? Int } == [7000, 5000, 2000])
                #expect(items.map { $0["boundary_source"] as? String } == ["approximate", "approximate", "approximate"])
            }
            try await http.execute(uri: "/v1/regions/420116/boundary", method: .get) { r in
                #expect(r.headers[.contentType] == "application/geo+json; charset=utf-8")
                let j = try r.json
                #expect((j["geometry"] as? [String: Any])?["type"] as? String == "MultiPolygon")
            }
            _ = try await problem(http, "/v1/regions/999999", status: .notFound)
        }
    }

    @Test("an uploaded boundary replaces the approximation and decides who lives in the region; DELETE restores it")
    func uploadAndReset() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, client in
            let keys = try await TestKeys.make(client)
            let auth: HTTPFields = [.authorization: "Bearer \(keys.editor)"]
            // Without a key nothing changes.
            _ = try await problem(http, "/v1/regions/420116/boundary", method: .put, body: Self.square, status: .unauthorized)
            _ = try await problem(http, "/v1/regions/420116/boundary", method: .delete, status: .unauthorized)
            try await http.execute(uri: "/v1/regions/420116/boundary", method: .put, headers: auth, body: ByteBuffer(string: Self.square)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let j = try r.json
                #expect(j["boundary_source"] as? String == "uploaded")
                #expect(j["demand_population"] as? Int == 3000, "only P1 and P2 lie inside the square")
                let area = try #require(j["boundary_area_km2"] as? Double)
                #expect(abs(area - 9.55 * 11.12) < 3, "about 0.1° × 0.1° at 31° N")
            }
            let wd = try await coverage(http, "region=420116&business=ebike_registration&during=weekday_daytime")
            #expect(population(wd).total == 3000 && population(wd).percent == 100.0)
            #expect((wd["query"] as? [String: Any]).flatMap { ($0["region"] as? [String: Any])?["boundary_source"] as? String } == "uploaded")
            try await http.execute(uri: "/v1/regions/420116/boundary", method: .delete, headers: auth) { r in
                #expect(r.status == .ok)
                let j = try r.json
                #expect(j["boundary_source"] as? String == "approximate" && j["demand_population"] as? Int == 5000)
            }
        }
    }

    @Test("bad boundaries are refused with the reason")
    func badUploads() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, client in
            let key = try await TestKeys.make(client).editor
            func problem(_ http: any TestClientProtocol, _ uri: String, method: HTTPRequest.Method, body: String,
                         status: HTTPResponse.Status = .badRequest) async throws -> [String] {
                try await ServiceCircleIntegrationTests.problem(http, uri, method: method, body: body, status: status, key: key)
            }
            let uri = "/v1/regions/420116/boundary"
            let bowtie = #"{"type":"Polygon","coordinates":[[[114.3,30.9],[114.4,31.0],[114.4,30.9],[114.3,31.0],[114.3,30.9]]]}"#
            #expect(try await problem(http, uri, method: .put, body: bowtie) == ["boundary"])
            let swapped = #"{"type":"Polygon","coordinates":[[[30.9,114.3],[30.9,114.4],[31.0,114.4],[30.9,114.3]]]}"#
            #expect(try await problem(http, uri, method: .put, body: swapped).allSatisfy { $0.hasPrefix("boundary.coordinates") })
            let far = #"{"type":"Polygon","coordinates":[[[100.0,30.0],[100.1,30.0],[100.1,30.1],[100.0,30.0]]]}"#
            #expect(try await problem(http, uri, method: .put, body: far) == ["boundary"])
            let open = #"{"type":"Polygon","coordinates":[[[114.3,30.9],[114.4,30.9],[114.4,31.0],[114.3,31.0]]]}"#
            #expect(try await problem(http, uri, method: .put, body: open) == ["boundary.coordinates[0]"])
            #expect(try await problem(http, uri, method: .put, body: #"{"type":"Point","coordinates":[114.3,30.9]}"#) == ["boundary.type"])
            #expect(try await problem(http, uri, method: .put, body: "not json") == ["boundary"])
            _ = try await problem(http, "/v1/regions/999999/boundary", method: .put, body: Self.square, status: .notFound)
            #expect(try await problem(http, "/v1/regions/abc/boundary", method: .put, body: Self.square) == ["code"])
            // Nothing changed.
            try await http.execute(uri: "/v1/regions/420116", method: .get) { r in
                let j = try r.json
                #expect(j["boundary_source"] as? String == "approximate")
            }
        }
    }
}

@Suite("Coverage of the seed data (PostgreSQL)")
struct CoverageSeedTests {
    @Test("黄陂区, e-bike plates, Saturday: percent, uncovered cells and three suggested sites in one request")
    func huangpiSaturday() async throws {
        try await TestApp.run(prepare: { client in
            _ = try await SeedLoader(client: client, logger: TestDatabase.logger).load(from: TestDatabase.projectDirectory.appendingPathComponent("SeedData"))
        }) { http, client in
            for try await n in try await client.query(
                "SELECT count(*)::int FROM demand_points WHERE assigned_region IS DISTINCT FROM region_code", logger: TestDatabase.logger).decode(Int.self) {
                #expect(n == 0, "every seed demand point lies in its own district's approximate boundary")
            }
            // The real land outlines of SeedData/boundaries/regions.geojson, as RFC 7946 asks.
            try await http.execute(uri: "/v1/regions/420116", method: .get) { r in
                let j = try r.json
                #expect(j["boundary_source"] as? String == "reference")
                let area = try #require(j["boundary_area_km2"] as? Double)
                #expect(abs(area - 2247.61) < 1, "the land polygon's area (SeedData/boundaries/README.md), not a box: \(area)")
            }
            try await http.execute(uri: "/v1/regions/420116/boundary", method: .get) { r in
                let g = try #require(try r.json["geometry"] as? [String: Any])
                expectRFC7946(g, "seed 420116")
                #expect(((g["coordinates"] as? [[[[Double]]]])?.first?.first?.count ?? 0) > 1000, "the real outline has ~1,280 vertices")
            }
            try await http.execute(uri: "/v1/coverage.geojson?region=420100&business=ebike_registration&during=saturday&layer=boundary", method: .get) { r in
                let fs = try #require(try r.json["features"] as? [[String: Any]])
                #expect(fs.count == 13)
                for f in fs {
                    expectRFC7946(f["geometry"] as? [String: Any] ?? [:], "\(f["id"] ?? "")")
                    #expect((f["properties"] as? [String: Any])?["boundary_source"] as? String == "reference")
                }
            }
            for try await n in try await client.query(
                "SELECT count(*)::int FROM regions WHERE geom IS NULL", logger: TestDatabase.logger).decode(Int.self) {
                #expect(n == 0, "every seed region has its land polygon")
            }
            let sat = try await coverage(http, "region=420116&business=ebike_registration&during=saturday&k=3")
            let (total, covered, percent) = population(sat)
            #expect(total == 1_151_644)
            let pct = try #require(percent)
            #expect(pct > 0 && pct < 100, "\(pct)")
            #expect(covered > 0 && covered < total)
            #expect(((sat["uncovered"] as? [String: Any])?["features"] as? [Any])?.isEmpty == false)
            let suggestions = try #require(sat["suggestions"] as? [[String: Any]])
            #expect(suggestions.count == 3)
            let added = suggestions.compactMap { $0["added_population"] as? Int }
            #expect(added.count == 3 && added.allSatisfy { $0 > 0 } && added == added.sorted(by: >))
            let wd = try await coverage(http, "region=420116&business=ebike_registration&during=weekday_daytime")
            #expect(try #require(population(wd).percent) >= pct, "more plate points open on weekdays")
            let city = try await coverage(http, "region=420100&business=ebike_registration&during=saturday&cell_m=500")
            #expect((city["regions"] as? [Any])?.count == 13)
            // The 13 district rows of the communiqué plus the development zones it counts apart (东湖高新区, 东湖风景区,
            // 武汉经开区 without its sub-row 汉南区), spread over the districts containing them: the city's 12,326,518.
            let rows = [965260, 647932, 666661, 837263, 1092750, 463295, 1728811, 845782, 145103, 554383, 974715, 1151644, 860377]
            #expect(population(city).total == rows.reduce(0, +) + 935_146 + 121_161 + (481_338 - 145_103))
            #expect(population(city).total == 12_326_518)
            // Regions carry the census table's figures: 桥西区 its row (regions.csv has none), 洪山区 its row plus its
            // estimated shares of the East Lake zones.
            try await http.execute(uri: "/v1/regions/130104", method: .get) { r in
                let j = try r.json
                #expect(j["population"] as? Int == 979_646 && j["population_estimated"] as? Bool == false)
                #expect((j["population_source"] as? String)?.contains("石家庄市第七次全国人口普查公报") == true)
            }
            try await http.execute(uri: "/v1/regions/420111", method: .get) { r in
                let j = try r.json
                #expect(j["population"] as? Int == 1_728_811 + 654_602 + 111_723 && j["population_estimated"] as? Bool == true)
                #expect((j["population_source"] as? String)?.contains("东湖高新区") == true)
            }
        }
    }
}

@Suite("servicecircle coverage: the command line writes the API's answers (PostgreSQL)")
struct CoverageCLITests {
    @Test func sameBytesAsTheRoutesAndTheSameRefusals() async throws {
        let bin = try #require(ProcessInfo.processInfo.environment["SERVICECIRCLE_BIN"], "run the tests with ./scripts/test.sh")
        try await TestDatabase.withFreshDatabase { client, location in
            try await CoverageFixture.load(client)
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(),
                                       clock: FixedClock(Instant(rfc3339: "2026-03-02T10:00:00+08:00")!), logger: TestDatabase.logger)
            let app = Application(router: buildRouter(deps), logger: TestDatabase.logger)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc-cli-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            func cli(_ args: [String], out: String) throws -> Int32 {
                try ChildProcess.run(bin, ["coverage", "--database-url", location.url, "--project-dir", TestDatabase.projectDirectory.path,
                                           "--no-seed", "--log-level", "warning", "--out", dir.appendingPathComponent(out).path] + args,
                                     outputPath: dir.appendingPathComponent(out + ".log").path)
            }
            let args = ["--region", "420116", "--business", "ebike_registration", "--during", "saturday", "--date", "2026-03-07", "--k", "2"]
            for (format, path) in [("json", "/v1/coverage"), ("geojson", "/v1/coverage.geojson"), ("svg", "/v1/coverage.svg")] {
                #expect(try cli(args + ["--format", format], out: format) == 0)
                let written = try Data(contentsOf: dir.appendingPathComponent(format))
                let served = try await app.test(.router) { http in
                    try await http.execute(uri: path + "?region=420116&business=ebike_registration&during=saturday&date=2026-03-07&k=2", method: .get) { r in
                        Data(buffer: r.body)
                    }
                }
                #expect(written == served, "\(format)")
            }
            #expect(try cli(["--region", "420116", "--business", "ebike_registration", "--during", "saturday", "--cell-m", "50"], out: "bad") == 2)
            let log = try String(contentsOf: dir.appendingPathComponent("bad.log"), encoding: .utf8)
            #expect(log.contains("cell_m: must be between 100.0 and 20000.0"), "\(log)")
        }
    }
}

/// Signed double area of a GeoJSON ring (positive: counter-clockwise in lon/lat).
func ringArea2(_ ring: [[Double]]) -> Double {
    zip(ring, ring.dropFirst()).reduce(0) { $0 + $1.0[0] * $1.1[1] - $1.1[0] * $1.0[1] }
}

/// Every polygon of a GeoJSON geometry follows RFC 7946: exteriors counter-clockwise, holes clockwise.
func expectRFC7946(_ geometry: [String: Any], _ label: String) {
    let polys: [[[[Double]]]]
    switch geometry["type"] as? String {
    case "Polygon": polys = [(geometry["coordinates"] as? [[[Double]]]) ?? []]
    case "MultiPolygon": polys = (geometry["coordinates"] as? [[[[Double]]]]) ?? []
    default: Issue.record("\(label): not a polygon"); return
    }
    #expect(!polys.isEmpty && polys.allSatisfy { !$0.isEmpty }, "\(label)")
    for poly in polys {
        for (i, ring) in poly.enumerated() {
            #expect(ring.count >= 4 && ring.first == ring.last, "\(label) ring \(i) closed")
            #expect(i == 0 ? ringArea2(ring) > 0 : ringArea2(ring) < 0, "\(label) ring \(i) orientation")
        }
    }
}

@Suite("Coverage maps and candidate sites (PostgreSQL)")
struct CoverageMapTests {
    let sat = "region=420116&business=ebike_registration&during=saturday"

    func features(_ http: any TestClientProtocol, _ query: String) async throws -> [[String: Any]] {
        try await http.execute(uri: "/v1/coverage.geojson?" + query, method: .get) { r in
            #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
            return try r.json["features"] as? [[String: Any]] ?? []
        }
    }

    @Test("layer= gives one geometry type per layer; every polygon is RFC 7946; default keeps the mixed collection")
    func layers() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let all = try await features(http, "\(sat)&k=2")
            #expect(Set(all.compactMap { ($0["properties"] as? [String: Any])?["kind"] as? String }) == ["uncovered_cell", "outlet", "suggested_site"])
            let expected: [(String, String, String, Int)] = [("cells", "Polygon", "uncovered_cell", 3), ("sites", "Point", "suggested_site", 2),
                                                             ("outlets", "Point", "outlet", 1), ("boundary", "MultiPolygon", "boundary", 1)]
            for (layer, type, kind, count) in expected {
                let fs = try await features(http, "\(sat)&k=2&layer=\(layer)")
                #expect(fs.count == count, "\(layer)")
                #expect(fs.allSatisfy { ($0["geometry"] as? [String: Any])?["type"] as? String == type }, "\(layer)")
                #expect(fs.allSatisfy { ($0["properties"] as? [String: Any])?["kind"] as? String == kind }, "\(layer)")
                for f in fs where type != "Point" { expectRFC7946(f["geometry"] as? [String: Any] ?? [:], "\(layer) \(f["id"] ?? "")") }
            }
            let outline = try await features(http, "region=420100&business=ebike_registration&during=saturday&layer=boundary")
            #expect(outline.compactMap { ($0["properties"] as? [String: Any])?["name"] as? String } == ["黄陂区", "新洲区"])
            #expect(outline.compactMap { ($0["properties"] as? [String: Any])?["percent"] as? Double } == [10.0, 0.0])
            #expect(try await problem(http, "/v1/coverage.geojson?\(sat)&layer=hexagons") == ["layer"])
            #expect(try await problem(http, "/v1/coverage?\(sat)&layer=cells") == ["layer"], "layer is for the GeoJSON route only")
        }
    }

    @Test("ogr2ogr converts every layer to a GeoPackage (when GDAL is installed)")
    func geopackage() async throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        guard let ogr = path.map({ $0 + "/ogr2ogr" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("ogr2ogr not installed (scripts/test.sh installs gdal-bin): GeoPackage conversion not tested")
            return
        }
        let info = URL(fileURLWithPath: ogr).deletingLastPathComponent().appendingPathComponent("ogrinfo").path
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc-gpkg-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            for (layer, type) in [("cells", "Polygon"), ("sites", "Point"), ("outlets", "Point"), ("boundary", "Multi Polygon")] {
                let body = try await http.execute(uri: "/v1/coverage.geojson?\(sat)&k=2&layer=\(layer)", method: .get) { Data(buffer: $0.body) }
                let src = dir.appendingPathComponent("\(layer).geojson"), dst = dir.appendingPathComponent("\(layer).gpkg")
                try body.write(to: src)
                let log = dir.appendingPathComponent("\(layer).log").path
                let status = try ChildProcess.run(ogr, ["-f", "GPKG", dst.path, src.path, "-nln", layer], outputPath: log)
                #expect(status == 0, "\(layer): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                _ = try ChildProcess.run(info, ["-so", dst.path, layer], outputPath: log)
                let summary = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                #expect(summary.contains("Geometry: \(type)"), "\(layer): \(summary)")
                #expect(summary.contains("Feature Count: "), "\(layer): \(summary)")
            }
        }
    }

    @Test("candidates=demand|grid:<m>|kind:<outlet kind> and exclude= change where suggested sites go")
    func candidates() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            // Saturday: P1 (1,000), P2 (2,000, 3 km east) and P4 (1,500, 20 km west) are uncovered.
            let base = try await coverage(http, "\(sat)&k=2", path: "/v1/coverage/suggestions")
            let baseSites = try #require(base["suggestions"] as? [[String: Any]])
            #expect(baseSites.compactMap { ($0["candidate"] as? [String: Any])?["id"] as? String } == ["420116-0001", "420116-0004"])
            #expect(baseSites.compactMap { ($0["candidate"] as? [String: Any])?["kind"] as? String } == ["demand_point", "demand_point"])

            let ex = try await coverage(http, "\(sat)&k=2&exclude=420116-0001", path: "/v1/coverage/suggestions")
            let exSites = try #require(ex["suggestions"] as? [[String: Any]])
            #expect(exSites.compactMap { ($0["demand_point"] as? [String: Any])?["name"] as? String } == ["P2村", "P4村"])
            #expect(exSites.compactMap { $0["added_population"] as? Int } == [3000, 1500])
            #expect((ex["query"] as? [String: Any])?["exclude"] as? [String] == ["420116-0001"])

            let grid = try await coverage(http, "\(sat)&k=2&candidates=grid:1000", path: "/v1/coverage/suggestions")
            let gridSites = try #require(grid["suggestions"] as? [[String: Any]])
            #expect(gridSites.compactMap { $0["added_population"] as? Int } == [3000, 1500])
            let gridIds = gridSites.compactMap { ($0["candidate"] as? [String: Any])?["id"] as? String }
            #expect(gridIds.count == 2 && gridIds.allSatisfy { $0.hasPrefix("grid:1000:") })
            #expect(gridSites.allSatisfy { $0["demand_point"] is NSNull })
            #expect((grid["query"] as? [String: Any])?["candidates"] as? String == "grid:1000")
            // Excluding the first lattice point moves the first pick elsewhere.
            let gridEx = try await coverage(http, "\(sat)&k=1&candidates=grid:1000&exclude=\(gridIds[0])", path: "/v1/coverage/suggestions")
            #expect(((gridEx["suggestions"] as? [[String: Any]])?.first?["candidate"] as? [String: Any])?["id"] as? String != gridIds[0])

            // O4 (inspection only, at P4) is the one active inspection station: as a candidate it adds P4's 1,500.
            let kind = try await coverage(http, "\(sat)&k=3&candidates=kind:inspection_station", path: "/v1/coverage/suggestions")
            let kindSites = try #require(kind["suggestions"] as? [[String: Any]])
            #expect(kindSites.count == 1 && kindSites.first?["added_population"] as? Int == 1500)
            let c = try #require(kindSites.first?["candidate"] as? [String: Any])
            #expect(c["kind"] as? String == "outlet" && c["outlet_code"] as? String == "C-O4" && c["outlet_kind"] as? String == "inspection_station")
            let id = try #require(c["id"] as? String)
            let none = try await coverage(http, "\(sat)&k=3&candidates=kind:inspection_station&exclude=\(id)", path: "/v1/coverage/suggestions")
            #expect((none["suggestions"] as? [[String: Any]])?.isEmpty == true)

            // The map shows the sites with their gain.
            try await http.execute(uri: "/v1/coverage.svg?\(sat)&k=2&candidates=grid:1000", method: .get) { r in
                let svg = String(buffer: r.body)
                #expect(svg.contains("+3,000 人") && svg.contains("候选：1000 米网格"))
            }

            let s = "/v1/coverage/suggestions?\(sat)"
            #expect(try await problem(http, "\(s)&candidates=grid:50") == ["candidates"])
            #expect(try await problem(http, "\(s)&candidates=grid:1e3") == ["candidates"])
            #expect(try await problem(http, "\(s)&candidates=grid:01000") == ["candidates"], "as the OpenAPI pattern: no leading zero")
            #expect(try await problem(http, "\(s)&candidates=kind:post_office") == ["candidates"])
            #expect(try await problem(http, "\(s)&candidates=everywhere") == ["candidates"])
            #expect(try await problem(http, "\(s)&candidates=grid:100") == ["candidates"], "too many lattice points for the area")
            #expect(try await problem(http, "\(s)&exclude=P1") == ["exclude"])
            #expect(try await problem(http, "\(s)&exclude=420116-9999") == ["exclude"], "not a candidate of this query")
            #expect(try await problem(http, "\(s)&candidates=grid:1000&exclude=420116-0001") == ["exclude"], "a demand code is no lattice id")
            #expect(try await problem(http, "\(s)&exclude=") == ["exclude"])
        }
    }

    @Test("the map: outline, district names with percentages, quantile legend, covered residents, north arrow, scale, census caption")
    func readableMap() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, _ in
            try await http.execute(uri: "/v1/coverage.svg?region=420100&business=ebike_registration&during=weekday_daytime&k=1", method: .get) { r in
                #expect(r.status == .ok)
                let svg = String(buffer: r.body)
                #expect(svg.contains(">黄陂区<tspan") && svg.contains(">70.0%</tspan>"), "district label with its percentage")
                #expect(svg.contains(">新洲区<tspan") && svg.contains(">100.0%</tspan>"))
                #expect(svg.contains("分位数分级"), "quantile classes")
                #expect(svg.contains("人已覆盖</title>"), "covered residents drawn")
                #expect(svg.contains(">北</text>"), "north arrow")
                #expect(svg.contains(" 公里</text>"), "scale bar")
                #expect(svg.contains("2020 年第七次人口普查数：黄陂区、新洲区"), "which figures are census")
                #expect(svg.contains("+1,500 人"), "the suggested site's gain")
                #expect(!svg.contains("href") && !svg.contains("<script"))
            }
        }
    }

    @Test("quantile class breaks: about as many cells per class, fewer classes for few distinct figures")
    func quantiles() {
        #expect(CoverageMap.classBreaks([]) == [])
        #expect(CoverageMap.classBreaks([7, 7, 7]) == [7])
        #expect(CoverageMap.classBreaks(Array(1...100)) == [20, 40, 60, 80, 100])
        // One huge cell does not push every other cell into the lowest class, as equal steps would.
        let skewed = Array(repeating: 10, count: 50) + Array(11...59) + [100_000]
        let b = CoverageMap.classBreaks(skewed)
        #expect(b.count == 4 && b.last == 100_000 && b[1] < 100)
    }
}
