import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import Testing

/// GET /v1/ask on the seed catalogue and the committed hotline data (the full caller fixtures run in
/// scripts/hotline-test.py), /v1/business-types?q=, and the calendar note in status texts.
@Suite("Hotline: /v1/ask (PostgreSQL)")
struct AskTests {
    func prepare(_ client: PostgresClient) async throws { try await TestDatabase.load(seedOutlets, into: client) }

    func ask(_ http: any TestClientProtocol, _ q: String, now: String = "2026-12-01T10:00:00+08:00", extra: String = "") async throws -> [String: Any] {
        try await http.execute(uri: "/v1/ask?q=\(enc(q))&now=\(enc(now))\(extra)", method: .get) { r in
            #expect(r.status == .ok, "\(q): \(String(buffer: r.body))")
            return try r.json
        }
    }

    @Test("the issue's example: 江汉区, e-bike plates, the day after tomorrow in the afternoon, a read-back with the date")
    func issueExample() async throws {
        try await TestApp.run(memory: true, prepare: prepare) { http, _ in
            let j = try await ask(http, "我在江汉区一带，后天下午想给电动车上牌")
            let u = try #require(j["understood"] as? [String: Any])
            let place = try #require(u["place"] as? [String: Any])
            #expect(place["district_code"] as? String == "420103" && place["kind"] as? String == "district")
            #expect(place["confidence"] as? String == "confirm")
            #expect((u["businesses"] as? [[String: Any]])?.map { $0["code"] as? String } == ["ebike_registration"])
            #expect(u["at"] as? String == "2026-12-03T14:00:00+08:00")
            #expect(u["time_words"] as? [String] == ["后天", "下午"])
            let clarify = try #require(u["clarify"] as? [[String: Any]])
            #expect(clarify.map { $0["kind"] as? String } == ["place"])
            #expect(((clarify[0]["options"] as? [[String: Any]]) ?? []).allSatisfy { ($0["value"] as? String)?.hasPrefix("street:420103:") == true })
            let coverage = try #require(u["coverage"] as? [String: Any])
            #expect(coverage["in_catalogue"] as? Bool == true)
            // `answer` is exactly the /v1/nearest body for the understood query.
            let answer = try #require(j["answer"] as? [String: Any])
            let results = try #require(answer["results"] as? [[String: Any]])
            #expect(!results.isEmpty)
            let query = try #require(answer["query"] as? [String: Any])
            #expect(query["at"] as? String == "2026-12-03T14:00:00+08:00" && query["businesses"] as? [String] == ["ebike_registration"])
            let first = try #require(results.first?["outlet"] as? [String: Any])
            let readBack = try #require(j["read_back_zh"] as? String)
            #expect(readBack.contains("后天（周四）14:00") && readBack.contains(first["name"] as! String) && readBack.contains("地址"))
            let loc = try #require(query["location"] as? [String: Any])
            let nearest = try await http.execute(uri: "/v1/nearest?lat=\(loc["lat"]!)&lon=\(loc["lon"]!)&business=ebike_registration&at=\(enc("2026-12-03T14:00:00+08:00"))",
                                                 method: .get) { try $0.json }
            #expect((nearest["results"] as? [[String: Any]])?.map { ($0["outlet"] as? [String: Any])?["id"] as? Int }
                    == results.map { ($0["outlet"] as? [String: Any])?["id"] as? Int })

            // The agent answers the question: the street replaces the bare district, and the question is gone.
            let street = try #require((clarify[0]["options"] as? [[String: Any]])?.first?["value"] as? String)
            let chosen = try await ask(http, "我在江汉区一带，后天下午想给电动车上牌", extra: "&place_id=\(enc(street))")
            let cu = try #require(chosen["understood"] as? [String: Any])
            #expect((cu["place"] as? [String: Any])?["id"] as? String == street && (cu["clarify"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("out of the catalogue: named, never answered with another city's outlets; nothing understood: questions, no coverage")
    func outsideAndNothing() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let out = try await ask(http, "西安长安区电动车上牌")
            let u = try #require(out["understood"] as? [String: Any])
            let cov = try #require(u["coverage"] as? [String: Any])
            #expect(cov["in_catalogue"] as? Bool == false && (cov["region"] as? [String: Any])?["code"] as? String == "610116")
            #expect(out["answer"] is NSNull)
            #expect((out["read_back_zh"] as? String)?.contains("不覆盖") == true)

            let none = try await ask(http, "喂喂，听得到吗")
            let nu = try #require(none["understood"] as? [String: Any])
            #expect(nu["place"] is NSNull && none["answer"] is NSNull)
            #expect((nu["coverage"] as? [String: Any])?["in_catalogue"] is NSNull)
            #expect(Set(((nu["clarify"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }) == ["place", "business"])
            #expect((none["read_back_zh"] as? String)?.contains("不覆盖") == false)

            let online = try await ask(http, "电子驾驶证怎么申领")
            #expect(((online["online"] as? [[String: Any]])?.first)?["channel"] as? String == "交管12123 App")
            #expect((online["read_back_zh"] as? String)?.contains("12123") == true)
        }
    }

    @Test("no dead end: nothing offers it within 50 km → the nearest that does, however far; dates beyond the calendar say so")
    func noDeadEndAndCalendar() async throws {
        try await TestApp.run(memory: true, prepare: prepare) { http, _ in
            let j = try await ask(http, "我在兴义桔山街道", extra: "&business=military_license_exchange")
            let fallback = try #require(j["fallback"] as? [String: Any])
            let offering = try #require(fallback["nearest_offering"] as? [String: Any])
            #expect((offering["distance_m"] as? Int ?? 0) > 50_000)
            #expect((j["read_back_zh"] as? String)?.contains(offering["name"] as! String) == true)

            let later = try await ask(http, "元旦那天江岸区后湖街道能上电动车牌吗")
            let u = try #require(later["understood"] as? [String: Any])
            #expect(u["at"] as? String == "2027-01-01T09:00:00+08:00" && u["calendar_known"] as? Bool == false)
            let results = try #require((later["answer"] as? [String: Any])?["results"] as? [[String: Any]])
            #expect(results.allSatisfy { ($0["status_text_zh"] as? String)?.hasSuffix("（节假日安排尚未公布，按平日推算）") == true })
            #expect((later["read_back_zh"] as? String)?.contains("节假日安排尚未公布") == true)
        }
    }

    @Test("bad /v1/ask input is a 400 naming the parameter", arguments: [
        ("/v1/ask", "q"),
        ("/v1/ask?q=", "q"),
        ("/v1/ask?q=\(String(repeating: "汉", count: 201))", "q"),
        ("/v1/ask?q=abc&now=tomorrow", "now"),
        ("/v1/ask?q=abc&business=plates", "business"),
        ("/v1/ask?q=abc&place_id=street:000000:x", "place_id"),
        ("/v1/ask?q=abc&where=here", "where"),
    ])
    func badInput(uri: String, param: String) async throws {
        try await TestApp.run { http, _ in
            let encoded = uri.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
            let names = try await problem(http, encoded)
            #expect(names.contains(param), "\(uri): \(names)")
        }
    }

    @Test func businessTypesByCallerWords() async throws {
        try await TestApp.run { http, _ in
            let j = try await http.execute(uri: "/v1/business-types?q=\(enc("想给电驴上牌"))", method: .get) { try $0.json }
            let items = try #require(j["items"] as? [[String: Any]])
            #expect(items.first?["code"] as? String == "ebike_registration")
            let amb = try await http.execute(uri: "/v1/business-types?q=\(enc("年审"))", method: .get) { try $0.json }
            let options = ((amb["clarify"] as? [[String: Any]])?.first?["options"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
            #expect(options == ["vehicle_inspection", "license_review"])
            let online = try await http.execute(uri: "/v1/business-types?q=\(enc("违章查询"))", method: .get) { try $0.json }
            #expect((online["online"] as? [[String: Any]])?.isEmpty == false)
            let all = try await http.execute(uri: "/v1/business-types", method: .get) { try $0.json }
            #expect((all["items"] as? [Any])?.count == BusinessCode.allCases.count)
        }
    }
}
