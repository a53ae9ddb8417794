import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

/// The seed catalogue (SeedData/outlets/articles.jsonl), as the service loads it.
let seedOutlets: [OutletRecord] = {
    let url = TestDatabase.projectDirectory.appendingPathComponent("SeedData/outlets/articles.jsonl")
    let text = try! String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").map { try! JSONDecoder().decode(OutletRecord.self, from: Data($0.utf8)) }
}()

@Suite("Hotline: /v1/places, /v1/nearest?place=, Chinese status texts, /console (PostgreSQL)")
struct HotlineTests {
    func prepare(_ client: PostgresClient) async throws { try await TestDatabase.load(seedOutlets, into: client) }

    func get(_ http: any TestClientProtocol, _ uri: String, status: HTTPResponse.Status = .ok) async throws -> [String: Any] {
        try await http.execute(uri: uri, method: .get) { r in
            #expect(r.status == status, "\(uri): \(String(buffer: r.body))")
            return try r.json
        }
    }

    @Test func placesRankStreetOutletsAndRegions() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let j = try await get(http, "/v1/places?limit=50&q=\(enc("我在黄陂区前川街道附近"))")
            let query = try #require(j["query"] as? [String: Any])
            #expect(query["normalized"] as? String == "黄陂区前川街道")
            #expect(query["ignored"] as? [String] == ["我在", "附近"])
            let c = try #require(j["candidates"] as? [[String: Any]])
            #expect(c.count == 50)
            #expect(c[0]["id"] as? String == "street:420116:前川街道")
            #expect(c[0]["kind"] as? String == "street")
            #expect(c[0]["full_name"] as? String == "湖北省武汉市黄陂区前川街道")
            #expect((c[0]["match"] as? [String: Any])?["name_match"] as? String == "exact")
            // Then the street's outlets, before the district and before outlets on other streets.
            let outlets = c.dropFirst().prefix(20)
            #expect(outlets.allSatisfy { $0["kind"] as? String == "outlet" && ($0["address"] as? String)?.contains("黄陂区前川街道") == true })
            #expect(outlets.allSatisfy { ($0["outlet_id"] as? Int) != nil && $0["location"] is [String: Any] })

            let district = try await get(http, "/v1/places?q=\(enc("黄陂区"))")
            let d = try #require((district["candidates"] as? [[String: Any]])?.first)
            #expect(d["id"] as? String == "region:420116" && d["kind"] as? String == "district" && d["district_code"] as? String == "420116")

            let exam = try await get(http, "/v1/places?q=\(enc("南湖考场"))&kind=outlet")
            let e = try #require((exam["candidates"] as? [[String: Any]])?.first)
            #expect(e["name"] as? String == "武汉市公安局交通管理局车辆管理所南湖考场")

            let none = try await get(http, "/v1/places?q=\(enc("哈尔滨"))")
            #expect((none["candidates"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("named demand places of the seed: a community by name, its street at the demand centre")
    func demandPlacesFromTheSeed() async throws {
        try await TestApp.run(prepare: { client in
            _ = try await SeedLoader(client: client, logger: TestDatabase.logger).load(from: TestDatabase.projectDirectory.appendingPathComponent("SeedData"))
        }) { http, _ in
            let j = try await get(http, "/v1/places?q=\(enc("前川翠苑社区"))")
            let c = try #require((j["candidates"] as? [[String: Any]])?.first)
            #expect(c["id"] as? String == "demand:420116-0002")
            #expect(c["kind"] as? String == "community")
            #expect(c["full_name"] as? String == "湖北省武汉市黄陂区前川街道前川翠苑社区")
            #expect(c["source"] as? String == "demand_points")
            // The street now comes from the demand places, not from the outlets' addresses.
            let street = try await get(http, "/v1/places?q=\(enc("黄陂区前川街道"))")
            let s0 = try #require((street["candidates"] as? [[String: Any]])?.first)
            #expect(s0["id"] as? String == "street:420116:前川街道" && s0["source"] as? String == "demand_points")
            // Caller's order and fillers still work for a community.
            let loose = try await get(http, "/v1/places?q=\(enc("我在前川翠苑附近"))")
            #expect((loose["candidates"] as? [[String: Any]])?.first?["id"] as? String == "demand:420116-0002")
        }
    }

    @Test("bad /v1/places input names the parameter", arguments: [
        ("/v1/places", "q"), ("/v1/places?q=", "q"), ("/v1/places?q=a&limit=0", "limit"), ("/v1/places?q=a&kind=planet", "kind"),
        ("/v1/places?q=\(String(repeating: "黄", count: 51))", "q"), ("/v1/places?q=a&qq=1", "qq"),
    ])
    func badPlaces(uri: String, param: String) async throws {
        try await TestApp.run { http, _ in
            try await http.execute(uri: uri.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!, method: .get) { r in
                #expect(r.status == .badRequest)
                let params = try #require(try r.json["invalid_params"] as? [[String: Any]])
                #expect(params.contains { $0["name"] as? String == param }, "\(uri): \(params)")
            }
        }
    }

    @Test("nearest by place: echoes the place and runners-up, same answer as by its point; memory and PostGIS identical")
    func nearestByPlace() async throws {
        let query = "place=\(enc("我在黄陂区前川街道附近"))&business=ebike_registration&at=\(enc("2026-03-07T10:00:00+08:00"))"
        let bodies = Bodies()
        for memory in [false, true] {
            try await TestApp.run(memory: memory, prepare: prepare) { http, _ in
                let a = try await nearest(http, query)
                await bodies.add(a.body)
                let q = try #require(a.raw["query"] as? [String: Any])
                let place = try #require(q["place"] as? [String: Any])
                #expect(place["parameter"] as? String == "place")
                #expect(place["text"] as? String == "我在黄陂区前川街道附近")
                let resolved = try #require(place["resolved"] as? [String: Any])
                #expect(resolved["name"] as? String == "前川街道")
                #expect((place["runners_up"] as? [Any])?.count == 4)
                #expect((q["input"] as? [String: Any])?["place"] as? String == "我在黄陂区前川街道附近")
                let loc = try #require(q["location"] as? [String: Any])
                #expect(loc["lat"] as? Double == (resolved["location"] as? [String: Any])?["lat"] as? Double)
                // Saturday morning: e-bike plate points open; every result has its sentence for the caller.
                #expect(a.results.count == 5)
                let results = try #require(a.raw["results"] as? [[String: Any]])
                #expect(results.allSatisfy { ($0["status_text_zh"] as? String)?.hasPrefix("营业中，") == true })
                // The same point given as lat/lon finds the same outlets.
                let byPoint = try await nearest(http, "lat=\(loc["lat"]!)&lon=\(loc["lon"]!)&business=ebike_registration&at=\(enc("2026-03-07T10:00:00+08:00"))")
                #expect(byPoint.results == a.results)
                #expect((byPoint.raw["query"] as? [String: Any])?["place"] is NSNull)
                // place_id resolves exactly what /v1/places listed.
                let byID = try await nearest(http, "place_id=\(enc("region:420116"))&business=ebike_registration&at=\(enc("2026-03-07T10:00:00+08:00"))")
                let p = try #require((byID.raw["query"] as? [String: Any])?["place"] as? [String: Any])
                #expect((p["resolved"] as? [String: Any])?["name"] as? String == "黄陂区")
                // Spring Festival: nothing open in the radius; opening_soon says when, in Chinese.
                let holiday = try await nearest(http, "place=\(enc("前川"))&business=license_renewal&at=\(enc("2026-02-18T10:00:00+08:00"))")
                let soon = try #require(holiday.raw["opening_soon"] as? [[String: Any]])
                #expect(holiday.results.isEmpty && !soon.isEmpty)
                #expect(soon.allSatisfy { ($0["status_text_zh"] as? String)?.contains("春节假期休息") == true }, "\(soon.map { $0["status_text_zh"]! })")
            }
        }
        let b = await bodies.all
        #expect(b.count == 2 && b[0] == b[1])
    }

    actor Bodies {
        var all: [String] = []
        func add(_ s: String) { all.append(s) }
    }

    @Test("bad place input names the parameter", arguments: [
        ("place=\(enc("哈尔滨"))&business=ebike_registration", "place"),
        ("place=\(enc("黄陂"))&lat=30&business=ebike_registration", "lat"),
        ("place=\(enc("黄陂"))&coordsys=gcj02&business=ebike_registration", "coordsys"),
        ("place_id=region:999999&business=ebike_registration", "place_id"),
        ("place=\(enc("黄陂"))&place_id=region:420116&business=ebike_registration", "place_id"),
        ("business=ebike_registration", "lat"),
    ])
    func badPlace(query: String, param: String) async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            try await http.execute(uri: "/v1/nearest?" + query, method: .get) { r in
                #expect(r.status == .badRequest, "\(query)")
                let params = try #require(try r.json["invalid_params"] as? [[String: Any]])
                #expect(params.contains { $0["name"] as? String == param }, "\(query): \(params)")
            }
        }
    }

    @Test func statusCarriesChineseTextAndExplanation() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            let id = try await firstID(client, code: "WH-VA-0001")
            let s = try await get(http, "/v1/outlets/\(id)/status?at=\(enc("2026-02-18T10:00:00+08:00"))&business=license_renewal")
            #expect(s["status_text_zh"] as? String == "春节假期休息，2月24日（周二）08:30 恢复办理")
            #expect(s["explanation_zh"] as? String ==
                "2026年2月18日（周三）是法定节假日（春节）；没有“法定节假日”或“每天”规则，当天不办理；所查业务：期满换证；结论：春节假期休息，2月24日（周二）08:30 恢复办理")
            let makeup = try await get(http, "/v1/outlets/\(id)/status?at=\(enc("2026-02-14T10:00:00+08:00"))")
            #expect(makeup["status_text_zh"] as? String == "今日为调休工作日，正常办理，17:30 停止办理")
            #expect((makeup["explanation_zh"] as? String)?.contains("调休工作日按“工作日”规则，适用规则 1「工作日 08:30–17:30」") == true)
            // The outlet itself carries the status text, not the explanation.
            let outlet = try await get(http, "/v1/outlets/\(id)")
            let status = try #require(outlet["status"] as? [String: Any])
            #expect(status["status_text_zh"] is String && status["explanation_zh"] == nil)
        }
    }

    @Test func consoleIsServed() async throws {
        try await TestApp.run { http, _ in
            try await http.execute(uri: "/console", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: r.body)
                #expect(html.contains("lang=\"zh-CN\"") && html.contains("/console/console.js") && !html.contains("http://") && !html.contains("https://"))
            }
            for (file, type) in [("console.js", "text/javascript; charset=utf-8"), ("console.css", "text/css; charset=utf-8")] {
                try await http.execute(uri: "/console/\(file)", method: .get) { r in
                    #expect(r.status == .ok && r.headers[.contentType] == type)
                    // No external resource; the only addresses are the navigation links the console builds.
                    let body = String(buffer: r.body).replacingOccurrences(of: "https://uri.amap.com/marker", with: "")
                        .replacingOccurrences(of: "https://api.map.baidu.com/marker", with: "")
                    #expect(!body.contains("https://"))
                }
            }
            try await http.execute(uri: "/console/secret.txt", method: .get) { r in #expect(r.status == .notFound) }
        }
    }
}
