import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

@Suite("Guides: /v1/business-types/{code}/guide, guide summaries in outlet status and /v1/ask (PostgreSQL)")
struct GuideTests {
    func prepare(_ client: PostgresClient) async throws { try await TestDatabase.load(seedOutlets, into: client) }

    func get(_ http: any TestClientProtocol, _ uri: String, status: HTTPResponse.Status = .ok) async throws -> [String: Any] {
        try await http.execute(uri: uri, method: .get) { r in
            #expect(r.status == status, "\(uri): \(String(buffer: r.body))")
            return try r.json
        }
    }

    @Test("license_renewal lists the documents with their sources")
    func licenseRenewal() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let j = try await get(http, "/v1/business-types/license_renewal/guide")
            #expect((j["business"] as? [String: Any])?["name_zh"] as? String == "期满换证")
            let docs = try #require(j["documents"] as? [[String: Any]])
            #expect(docs.count >= 2)
            for d in docs {
                let source = try #require(d["source"] as? [String: Any])
                #expect(!(source["regulation"] as? String ?? "").isEmpty)
                #expect(["confident", "uncertain", "not_applicable"].contains(source["article_confidence"] as? String ?? ""))
            }
            #expect(docs.first?["text_zh"] as? String == "机动车驾驶人的身份证明")
            #expect(((docs.first?["source"] as? [String: Any])?["regulation"] as? String)?.contains("机动车驾驶证申领和使用规定") == true)
            #expect(j["documents_zh"] as? [String] == ["身份证明", "体检证明", "原驾驶证"])
            #expect(j["read_out_zh"] as? String == "请携带：身份证明、体检证明、原驾驶证。")
            #expect((j["online"] as? [[String: Any]])?.first?["value"] as? String == "app")
            #expect((j["fees"] as? [[String: Any]])?.first?["value"] as? String == "10")
            #expect((j["scope"] as? [String: Any])?["applied"] as? [String] == [])
        }
    }

    @Test("a city override applies: 武汉 e-bike registration; 河北 replaces the documents")
    func cityOverride() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let national = try await get(http, "/v1/business-types/ebike_registration/guide")
            #expect((national["appointment"] as? [[String: Any]])?.first?["scope"] as? String == "national")
            let wuhan = try await get(http, "/v1/business-types/ebike_registration/guide?city=420100")
            #expect((wuhan["scope"] as? [String: Any])?["applied"] as? [String] == ["region:420100"])
            let appointment = try #require((wuhan["appointment"] as? [[String: Any]])?.first)
            #expect(appointment["scope"] as? String == "region:420100" && appointment["value"] as? String == "not_required")
            #expect((wuhan["notes"] as? [[String: Any]])?.contains { $0["scope"] as? String == "region:420100" } == true)
            let hebei = try await get(http, "/v1/business-types/ebike_registration/guide?city=130432")
            let docs = try #require(hebei["documents"] as? [[String: Any]])
            #expect(docs.allSatisfy { $0["scope"] as? String == "region:130000" })
            #expect(((docs.first?["source"] as? [String: Any])?["regulation"] as? String)?.contains("河北省电动自行车管理条例") == true)
        }
    }

    @Test("an outlet's own override and its district apply; the status carries the guide summary")
    func outletOverrideAndStatus() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            let rows = try await client.query("SELECT id FROM outlets WHERE code = 'WH-SS-0001'", logger: TestDatabase.logger)
            var id = 0
            for try await (v) in rows.decode(Int.self) { id = v }
            #expect(id > 0)
            let j = try await get(http, "/v1/business-types/license_renewal/guide?outlet=\(id)")
            let scope = try #require(j["scope"] as? [String: Any])
            #expect(scope["city"] as? String == "420102")
            #expect(scope["applied"] as? [String] == ["outlet:WH-SS-0001"])
            #expect((scope["outlet"] as? [String: Any])?["code"] as? String == "WH-SS-0001")
            #expect((j["agent"] as? [[String: Any]])?.map { $0["value"] as? String } == ["not_allowed"])

            let status = try await get(http, "/v1/outlets/\(id)/status?business=license_renewal")
            let guide = try #require(status["guide"] as? [String: Any])
            #expect(guide["business"] as? String == "license_renewal")
            #expect(guide["documents_zh"] as? [String] == ["身份证明", "体检证明", "原驾驶证"])
            #expect(guide["guide_url"] as? String == "/v1/business-types/license_renewal/guide?outlet=\(id)")
            let two = try await get(http, "/v1/outlets/\(id)/status?business=license_renewal,license_replacement")
            #expect(two["guide"] == nil)
        }
    }

    @Test("/v1/ask carries the guide and reads out 请携带")
    func askReadBack() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let j = try await get(http, "/v1/ask?q=\(enc("黄陂区前川街道换驾照"))&now=\(enc("2026-03-03T10:00:00+08:00"))")
            let guide = try #require(j["guide"] as? [String: Any])
            #expect(guide["business"] as? String == "license_renewal")
            #expect(guide["guide_url"] as? String == "/v1/business-types/license_renewal/guide?city=420116")
            let readBack = try #require(j["read_back_zh"] as? String)
            #expect(readBack.contains("请携带：身份证明、体检证明、原驾驶证。"), "\(readBack)")
            let ebike = try await get(http, "/v1/ask?q=\(enc("黄陂区前川街道给电动车上牌"))&now=\(enc("2026-03-03T10:00:00+08:00"))")
            #expect((ebike["read_back_zh"] as? String)?.contains("请携带：身份证明、购车发票、合格证、车辆（到场查验）。") == true, "\(ebike["read_back_zh"] ?? "")")
            // No business understood: no guide.
            let none = try await get(http, "/v1/ask?q=\(enc("黄陂区前川街道"))")
            #expect(none["guide"] is NSNull)
        }
    }

    @Test("unknown code is a 404; a bad city or outlet is a 400 naming it", arguments: [
        ("/v1/business-types/car_wash/guide", 404, nil),
        ("/v1/business-types/license_renewal/guide?city=4201", 400, "city"),
        ("/v1/business-types/license_renewal/guide?city=999999", 400, "city"),
        ("/v1/business-types/license_renewal/guide?outlet=abc", 400, "outlet"),
        ("/v1/business-types/license_renewal/guide?outlet=99999999", 400, "outlet"),
        ("/v1/business-types/license_renewal/guide?town=1", 400, "town"),
    ] as [(String, Int, String?)])
    func badInput(_ uri: String, _ status: Int, _ name: String?) async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            try await http.execute(uri: uri, method: .get) { r in
                #expect(Int(r.status.code) == status, "\(uri): \(String(buffer: r.body))")
                #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                if let name {
                    let params = try #require(try r.json["invalid_params"] as? [[String: Any]])
                    #expect(params.contains { $0["name"] as? String == name }, "\(params)")
                }
            }
        }
    }
}
