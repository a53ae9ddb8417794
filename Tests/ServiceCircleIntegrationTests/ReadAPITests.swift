import Foundation
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

/// A small hand-made catalogue: two districts, three kinds, known businesses.
let readFixture: [OutletRecord] = {
    let office = Hours(rules: [HoursRule(days: [.workday], intervals: [TimeRange("08:30", "12:00"), TimeRange("13:30", "17:30")])])
    var out: [OutletRecord] = []
    for i in 0..<30 {
        let huangpi = i % 3 != 0
        out.append(fixture(String(format: "T-%03d", i), huangpi ? "黄陂区前川街道第\(i)服务站" : "江岸区后湖第\(i)服务站",
                           kind: i % 5 == 0 ? .policePostPoint : .ebikePlatePoint,
                           at: GeoPoint(lat: 30.87 + Double(i) * 0.001, lon: 114.37),
                           businesses: i % 5 == 0 ? [.licenseRenewal, .violationHandling] : [.ebikeRegistration],
                           hours: office, district: huangpi ? ("黄陂区", "420116") : ("江岸区", "420102")))
    }
    out.append(fixture("T-GY", "贵阳市车管所", kind: .vehicleAdminOffice, at: GeoPoint(lat: 26.6, lon: 106.7),
                       businesses: [.vehicleTransfer, .licenseRenewal], hours: office, district: ("云岩区", "520103"), city: "贵阳市"))
    return out
}()

@Suite("Read API (PostgreSQL)")
struct ReadAPITests {
    func prepare(_ client: PostgresClient) async throws { try await TestDatabase.load(readFixture, into: client) }

    @Test func healthAndReadiness() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            try await http.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await http.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func referenceLists() async throws {
        try await TestApp.run { http, _ in
            try await http.execute(uri: "/v1/outlet-kinds", method: .get) { r in
                let items = try #require(try r.json["items"] as? [[String: Any]])
                #expect(items.count == 13)
                #expect(items.contains { $0["code"] as? String == "ebike_plate_point" && $0["name_zh"] as? String == "电动自行车上牌点" })
            }
            try await http.execute(uri: "/v1/business-types", method: .get) { r in
                let items = try #require(try r.json["items"] as? [[String: Any]])
                #expect(items.count == 28)
                #expect(items.contains { $0["code"] as? String == "vehicle_inspection" && $0["category"] as? String == "inspection" })
            }
        }
    }

    func codes(_ http: any TestClientProtocol, _ query: String) async throws -> [String] {
        try await http.execute(uri: "/v1/outlets?limit=200&" + query, method: .get) { r in
            #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
            let items = try #require(try r.json["items"] as? [[String: Any]])
            return items.compactMap { $0["code"] as? String }
        }
    }

    @Test func everyFilter() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let v1 = try await codes(http, "")
            #expect(v1.count == 31)
            let v2 = try await codes(http, "kind=police_post_point")
            #expect(v2.count == 6)
            let v3 = try await codes(http, "kind=police_post_point,vehicle_admin_office")
            #expect(v3.count == 7)
            let v4 = try await codes(http, "business=ebike_registration")
            #expect(v4.count == 24)
            let v5 = try await codes(http, "business=license_renewal,violation_handling")
            #expect(v5.count == 6)
            let v6 = try await codes(http, "business=license_renewal")
            #expect(v6.count == 7)
            let v7 = try await codes(http, "city=\(enc("贵阳市"))")
            #expect(v7 == ["T-GY"])
            let v8 = try await codes(http, "district=420102")
            #expect(v8.count == 10)
            let v9 = try await codes(http, "district=420102&kind=police_post_point")
            #expect(v9.count == 2)
            let v10 = try await codes(http, "q=\(enc("黄陂"))")
            #expect(v10.count == 20, "黄陂 finds outlets in 黄陂区")
            let v11 = try await codes(http, "q=\(enc("前川 服务站"))")
            #expect(v11.count == 20)
            let v12 = try await codes(http, "q=\(enc("车管所"))")
            #expect(v12 == ["T-GY"])
            let v13 = try await codes(http, "q=\(enc("100%"))")
            #expect(v13.isEmpty, "LIKE wildcards in q are literal")
        }
    }

    @Test func paginationWalksEveryRowExactlyOnce() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            var seen: [String] = []
            var cursor: String? = nil
            var pages = 0
            repeat {
                let uri = "/v1/outlets?limit=7" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await http.execute(uri: uri, method: .get) { r in
                    let j = try r.json
                    let items = try #require(j["items"] as? [[String: Any]])
                    #expect(items.count <= 7)
                    seen += items.compactMap { $0["code"] as? String }
                    return j["next_cursor"] as? String
                }
                pages += 1
            } while cursor != nil && pages < 20
            #expect(pages == 5)
            #expect(seen.count == 31 && Set(seen).count == 31)
        }
    }

    @Test func oneOutletCarriesHoursTextsAndStatus() async throws {
        try await TestApp.run(at: Instant(rfc3339: "2026-02-14T10:00:00+08:00")!, prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            try await http.execute(uri: "/v1/outlets/\(id)", method: .get) { r in
                #expect(r.status == .ok)
                let j = try r.json
                for key in ["id", "code", "name", "kind", "address", "city", "district", "district_code", "phone", "location",
                            "location_gcj02", "businesses", "operating_state", "hours", "hours_text_zh", "opening_hours", "status"] {
                    #expect(j[key] != nil, "missing \(key)")
                }
                let status = try #require(j["status"] as? [String: Any])
                #expect(status["open"] as? Bool == true, "make-up Saturday")
                #expect((j["hours_text_zh"] as? String)?.contains("工作日 08:30–12:00") == true)
                #expect(j["opening_hours"] as? String == "Mo-Fr 08:30-12:00,13:30-17:30; PH off")
            }
        }
    }

    @Test("status: make-up Saturday open; Spring Festival Saturday closed until 2026-02-24 08:30")
    func statusEdges() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            try await http.execute(uri: "/v1/outlets/\(id)/status?at=\(enc("2026-02-14T10:00:00+08:00"))", method: .get) { r in
                let j = try r.json
                #expect(j["open"] as? Bool == true)
                #expect(j["day_kind"] as? String == "makeup_workday")
                #expect(j["closes_at"] as? String == "2026-02-14T12:00:00+08:00")
                #expect((j["rule"] as? [String: Any])?["selector"] as? String == "workday")
            }
            try await http.execute(uri: "/v1/outlets/\(id)/status?at=2026-02-21T02:00:00Z&business=ebike_registration", method: .get) { r in
                let j = try r.json
                #expect(j["open"] as? Bool == false)
                #expect(j["day_kind"] as? String == "holiday")
                #expect(j["holiday_name"] as? String == "春节")
                #expect(j["next_opens_at"] as? String == "2026-02-24T08:30:00+08:00")
                #expect(j["calendar_known"] as? Bool == true)
                #expect(j["closes_at"] is NSNull)
            }
            try await http.execute(uri: "/v1/outlets/\(id)/status?at=\(enc("2027-01-01T10:00:00+08:00"))", method: .get) { r in
                let j = try r.json
                #expect(j["calendar_known"] as? Bool == false)
            }
        }
    }

    @Test func calendarRange() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            try await http.execute(uri: "/v1/calendar?from=2026-02-13&to=2026-02-24", method: .get) { r in
                let days = try #require(try r.json["days"] as? [[String: Any]])
                #expect(days.count == 12)
                #expect(days[1]["day_kind"] as? String == "makeup_workday")
                #expect(days[8]["day_kind"] as? String == "holiday" && days[8]["name_zh"] as? String == "春节")
                #expect(days[11]["day_kind"] as? String == "workday")
            }
            try await http.execute(uri: "/v1/calendar?from=2026-12-31&to=2027-01-02", method: .get) { r in
                let days = try #require(try r.json["days"] as? [[String: Any]])
                #expect(days.map { $0["calendar_known"] as? Bool } == [true, false, false])
            }
        }
    }

    @Test("bad input: 400 problem+json naming the parameter; unknown id 404", arguments: [
        ("/v1/outlets?kind=spaceport", "kind"), ("/v1/outlets?business=flying", "business"), ("/v1/outlets?limit=201", "limit"),
        ("/v1/outlets?limit=abc", "limit"), ("/v1/outlets?limit=0", "limit"), ("/v1/outlets?cursor=zzz", "cursor"),
        ("/v1/outlets?district=4201", "district"), ("/v1/outlets?bussiness=ebike_registration", "bussiness"),
        ("/v1/outlets/abc", "id"), ("/v1/outlets/-3/status", "id"), ("/v1/outlets/1/status?at=tomorrow", "at"),
        ("/v1/outlets/1/status?business=x", "business"), ("/v1/calendar?from=2026-01-01", "to"),
        ("/v1/calendar?from=2026-02-30&to=2026-03-01", "from"), ("/v1/calendar?from=2026-03-01&to=2026-02-01", "to"),
        ("/v1/calendar?from=2020-01-01&to=2026-01-01", "to"),
    ])
    func badInput(uri: String, param: String) async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            try await http.execute(uri: uri, method: .get) { r in
                #expect(r.status == .badRequest, "\(uri)")
                #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                let j = try r.json
                #expect(j["status"] as? Int == 400)
                let names = (j["invalid_params"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                #expect(names.contains(param), "\(uri) → \(names)")
            }
        }
    }

    @Test func notFound() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            for uri in ["/v1/outlets/999999", "/v1/outlets/999999/status", "/v1/nowhere"] {
                try await http.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .notFound, "\(uri)")
                    #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                }
            }
        }
    }

    @Test func openAPIDocumentsEveryRoute() async throws {
        try await TestApp.run { http, client in
            let deps = AppDependencies.postgres(client: client, migrations: [], logger: TestDatabase.logger)
            let routes = Set(buildRouter(deps).routes.map { r -> String in
                let path = r.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return "\(r.method.rawValue.lowercased()) /" + path.joined(separator: "/")
            })
            #expect(routes.count >= 10)
            try await http.execute(uri: "/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                let j = try r.json
                #expect((j["openapi"] as? String)?.hasPrefix("3.1") == true)
                let paths = try #require(j["paths"] as? [String: [String: Any]])
                let documented = Set(paths.flatMap { path, ops in ops.keys.filter { $0 != "parameters" }.map { "\($0) \(path)" } })
                #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
                #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
            }
        }
    }
}



func firstID(_ client: PostgresClient, code: String) async throws -> Int64 {
    for try await id in try await client.query("SELECT id FROM outlets WHERE code = \(code)", logger: TestDatabase.logger).decode(Int64.self) { return id }
    throw ClusterError("no fixture \(code)")
}
