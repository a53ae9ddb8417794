import Foundation
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

@Suite("GET /v1/regions/at: where is this point (boundaries in memory)")
struct RegionsAtTests {
    func at(_ http: any TestClientProtocol, _ query: String) async throws -> [String: Any] {
        try await http.execute(uri: "/v1/regions/at?" + query, method: .get) { r in
            #expect(r.status == .ok, "\(query): \(String(buffer: r.body))")
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            return try r.json
        }
    }
    func obj(_ j: [String: Any], _ key: String) -> [String: Any]? { j[key] as? [String: Any] }

    @Test("the point of the issue: 30.5900, 114.2700 is 江汉区, covered")
    func jianghan() async throws {
        try await TestApp.run { http, _ in
            let j = try await at(http, "lat=30.5900&lon=114.2700")
            #expect(obj(j, "district")?["code"] as? String == "420103")
            #expect(obj(j, "district")?["name"] as? String == "江汉区")
            #expect(obj(j, "district")?["level"] as? String == "district")
            #expect(obj(j, "city")?["code"] as? String == "420100" && obj(j, "city")?["name"] as? String == "武汉市")
            #expect(obj(j, "city")?["level"] as? String == "city")
            #expect(obj(j, "province")?["code"] as? String == "420000" && obj(j, "province")?["name"] as? String == "湖北省")
            let c = try #require(obj(j, "coverage"))
            #expect(c["in_catalogue"] as? Bool == true)
            let region = try #require(c["region"] as? [String: String])
            #expect(region == ["code": "420103", "name": "江汉区", "city": "武汉市", "province": "湖北省"])
            #expect((c["message_zh"] as? String)?.contains("湖北省武汉市江汉区") == true)
            #expect(obj(j, "query")?["coordsys"] as? String == "wgs84")
        }
    }

    @Test("a place in China the catalogue does not cover is named, never snapped to a covered city")
    func hangzhouXihu() async throws {
        try await TestApp.run { http, _ in
            let j = try await at(http, "lat=30.2460&lon=120.1300")   // on 西湖, 杭州市西湖区
            #expect(obj(j, "district")?["code"] as? String == "330106" && obj(j, "district")?["name"] as? String == "西湖区")
            #expect(obj(j, "city")?["name"] as? String == "杭州市")
            #expect(obj(j, "province")?["name"] as? String == "浙江省")
            let c = try #require(obj(j, "coverage"))
            #expect(c["in_catalogue"] as? Bool == false)
            #expect((c["region"] as? [String: String]) == ["code": "330106", "name": "西湖区", "city": "杭州市", "province": "浙江省"])
            let message = try #require(c["message_zh"] as? String)
            #expect(message.contains("杭州市") && message.contains("浙江省") && message.contains("不覆盖"))
            for covered in ["武汉", "石家庄", "贵阳", "黄陂"] { #expect(!message.contains(covered), "snapped to \(covered): \(message)") }
        }
    }

    @Test("at sea or abroad: every level null, in_catalogue null")
    func sea() async throws {
        try await TestApp.run { http, _ in
            for q in ["lat=25.0&lon=123.0", "lat=35.6812&lon=139.7671", "lat=-33.86&lon=151.21"] {
                let j = try await at(http, q)
                #expect(j["district"] is NSNull && j["city"] is NSNull && j["province"] is NSNull, "\(q)")
                let c = try #require(obj(j, "coverage"))
                #expect(c["in_catalogue"] is NSNull && c["region"] is NSNull)
                #expect((c["message_zh"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("GCJ-02 and BD-09 input is converted to WGS-84 before the lookup")
    func convertedInput() async throws {
        try await TestApp.run { http, _ in
            let wgs = GeoPoint(lat: 30.5900, lon: 114.2700)
            let gcj = Datum.wgs84ToGcj02(wgs)
            let j = try await at(http, "lat=\(gcj.lat)&lon=\(gcj.lon)&coordsys=gcj02")
            #expect(obj(j, "district")?["code"] as? String == "420103")
            let loc = try #require(obj(j, "query")?["location"] as? [String: Double])
            #expect(abs(loc["lat"]! - wgs.lat) < 1e-6 && abs(loc["lon"]! - wgs.lon) < 1e-6)
            #expect(obj(j, "query")?["coordsys"] as? String == "gcj02")
            #expect(obj(j, "query")?["lat"] as? Double == gcj.lat)
            // A GCJ-02 point across a border from its WGS-84 reading: 汉阳区 (WGS 30.5530, 114.2445) read as WGS-84
            // would be ~500 m off; converted, it lands where the caller's map showed it.
            let hanyang = GeoPoint(lat: 30.5530, lon: 114.2445)
            let g = Datum.wgs84ToGcj02(hanyang)
            let viaGcj = try await at(http, "lat=\(g.lat)&lon=\(g.lon)&coordsys=gcj02")
            let direct = try await at(http, "lat=\(hanyang.lat)&lon=\(hanyang.lon)")
            #expect(obj(viaGcj, "district")?["code"] as? String == obj(direct, "district")?["code"] as? String)
            let bd = Datum.gcj02ToBd09(gcj)
            let viaBd = try await at(http, "lat=\(bd.lat)&lon=\(bd.lon)&coordsys=bd09")
            #expect(obj(viaBd, "district")?["code"] as? String == "420103")
        }
    }

    @Test("bad parameters: one 400 naming each")
    func badParameters() async throws {
        try await TestApp.run { http, _ in
            let none = try await problem(http, "/v1/regions/at")
            #expect(none.sorted() == ["lat", "lon"])
            let all = try await problem(http, "/v1/regions/at?lat=91&lon=abc&coordsys=utm&place=x")
            #expect(all.sorted() == ["coordsys", "lat", "lon", "place"])
            let noLon = try await problem(http, "/v1/regions/at?lat=30.59")
            #expect(noLon == ["lon"])
        }
    }

    @Test("/v1/nearest echoes query.region and query.coverage; /v1/places candidates carry their district")
    func echoes() async throws {
        try await TestApp.run(prepare: { try await TestDatabase.load(nearestFixture, into: $0) }) { http, _ in
            let a = try await nearest(http, "lat=30.5900&lon=114.2700&business=ebike_registration")
            let q = try #require(a.raw["query"] as? [String: Any])
            let region = try #require(q["region"] as? [String: Any])
            #expect((region["district"] as? [String: Any])?["code"] as? String == "420103")
            #expect((region["city"] as? [String: Any])?["name"] as? String == "武汉市")
            #expect((region["province"] as? [String: Any])?["name"] as? String == "湖北省")
            #expect((q["coverage"] as? [String: Any])?["in_catalogue"] as? Bool == true)
            // A place query: the region of the resolved point.
            let byPlace = try await nearest(http, "place=\(enc("黄陂区"))&business=ebike_registration")
            let pq = try #require(byPlace.raw["query"] as? [String: Any])
            #expect(((pq["region"] as? [String: Any])?["district"] as? [String: Any])?["code"] as? String == "420116")
            // Outside the catalogue: still answered (no outlets), the coverage says so.
            let hz = try await nearest(http, "lat=30.2460&lon=120.1300&business=ebike_registration")
            let hq = try #require(hz.raw["query"] as? [String: Any])
            #expect((hq["coverage"] as? [String: Any])?["in_catalogue"] as? Bool == false)
            try await http.execute(uri: "/v1/places?q=\(enc("江汉区"))", method: .get) { r in
                let candidates = try #require(try r.json["candidates"] as? [[String: Any]])
                let first = try #require(candidates.first)
                #expect(first["district_code"] as? String == "420103")
                #expect((first["district"] as? [String: String]) == ["code": "420103", "name": "江汉区"])
                #expect(candidates.allSatisfy { $0.keys.contains("district") })
            }
        }
    }

    @Test("region boundaries are written as RFC 7946 asks: exteriors counter-clockwise, holes clockwise")
    func boundaryOrientation() async throws {
        try await TestApp.run(prepare: CoverageFixture.load) { http, client in
            func rings(_ uri: String) async throws -> [[[[Double]]]] {
                try await http.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok, "\(uri): \(String(buffer: r.body))")
                    let g = try #require(try r.json["geometry"] as? [String: Any])
                    return try #require(g["coordinates"] as? [[[[Double]]]])
                }
            }
            func area2(_ ring: [[Double]]) -> Double {
                zip(ring, ring.dropFirst()).reduce(0) { $0 + $1.0[0] * $1.1[1] - $1.1[0] * $1.0[1] }
            }
            func check(_ mp: [[[[Double]]]], _ label: String) {
                #expect(!mp.isEmpty, "\(label)")
                for poly in mp {
                    for (i, ring) in poly.enumerated() { #expect(i == 0 ? area2(ring) > 0 : area2(ring) < 0, "\(label) ring \(i)") }
                }
            }
            check(try await rings("/v1/regions/420116/boundary"), "approximate 420116")
            check(try await rings("/v1/regions/420100/boundary"), "city 420100")
            // An upload given clockwise, with a counter-clockwise hole, comes back the RFC 7946 way round.
            let key = try await TestKeys.make(client).editor
            let cw = #"{"type":"Polygon","coordinates":[[[114.30,30.90],[114.30,31.00],[114.40,31.00],[114.40,30.90],[114.30,30.90]],[[114.33,30.93],[114.36,30.93],[114.36,30.96],[114.33,30.96],[114.33,30.93]]]}"#
            try await http.execute(uri: "/v1/regions/420116/boundary", method: .put, headers: [.authorization: "Bearer \(key)"],
                                   body: ByteBuffer(string: cw)) { r in #expect(r.status == .ok, "\(String(buffer: r.body))") }
            let uploaded = try await rings("/v1/regions/420116/boundary")
            check(uploaded, "uploaded 420116")
            #expect(uploaded.first?.count == 2)
        }
    }
}
