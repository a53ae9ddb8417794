import Foundation
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

/// Issue 17 parts 2 and 3: provenance and its caution, problem reports and their warning (docs/editing.md).
@Suite struct TrustTests {
    static let point = GeoPoint(lat: 30.5900, lon: 114.2700)
    static let nearest = "/v1/nearest?lat=30.59&lon=114.27&business=ebike_registration"

    static func prepare(_ client: PostgresClient) async throws {
        try await TestDatabase.load([fixture("T-1", "信任测试上牌点", at: point, hours: allDay)], into: client)
    }

    static func firstResult(_ r: Reply) throws -> [String: Any] {
        let results = try #require(r.json["results"] as? [[String: Any]])
        return try #require(results.first)
    }

    @Test(arguments: [false, true])
    func closedReportsWarnInNearestUntilDismissed(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            // Two earlier reports from other citizens (09:00 and 09:30 on the test day; the clock is 10:00).
            try await client.query("""
                INSERT INTO outlet_reports (outlet_id, kind, created_at) VALUES
                    (1, 'closed', '2026-03-02T09:00:00+08:00'), (1, 'closed', '2026-03-02T09:30:00+08:00'),
                    (1, 'wrong_phone', '2026-03-02T09:40:00+08:00')
                """, logger: TestDatabase.logger)
            var r = try await call(http, .get, Self.nearest)
            #expect(try Self.firstResult(r)["warning"] is NSNull)

            r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "closed", "text": "门口贴了停业通知"}"#)
            #expect(r.status == .created, "\(r.body)")
            #expect(r.json["state"] as? String == "open" && r.json["kind"] as? String == "closed" && r.json["outlet_id"] as? Int == 1)

            r = try await call(http, .get, Self.nearest)
            let result = try Self.firstResult(r)
            let warning = try #require(result["warning"] as? [String: Any], "\(r.body)")
            #expect(warning["kind"] as? String == "reported_closed")
            #expect(warning["reports"] as? Int == 3)
            #expect(warning["since"] as? String == "2026-03-02T09:00:00+08:00")
            #expect((result["status_text_zh"] as? String)?.hasSuffix("（近期有市民反映该网点已关闭，请致电确认）") == true, "\(result)")
            // The single outlet answer carries it too.
            r = try await call(http, .get, "/v1/outlets/1")
            #expect((r.json["warning"] as? [String: Any])?["reports"] as? Int == 3)
            #expect(((r.json["status"] as? [String: Any])?["status_text_zh"] as? String)?.contains("近期有市民反映该网点已关闭") == true)

            // Editors list the open reports; the public cannot.
            r = try await call(http, .get, "/v1/reports?state=open")
            #expect(r.status == .unauthorized)
            r = try await call(http, .get, "/v1/reports?state=open&outlet=1", key: keys.editor)
            let items = try #require(r.json["items"] as? [[String: Any]])
            #expect(items.count == 4)
            let closedIDs = items.filter { $0["kind"] as? String == "closed" }.compactMap { $0["id"] as? Int }
            #expect(closedIDs.count == 3)

            // Dismissing one takes the count below the threshold: the warning goes.
            r = try await call(http, .post, "/v1/reports/\(closedIDs[0])/resolve", key: keys.editor, json: #"{"action": "dismissed", "note": "电话核实仍在营业"}"#)
            #expect(r.status == .ok, "\(r.body)")
            #expect(r.json["state"] as? String == "dismissed" && r.json["resolved_by"] as? String == "editor.zhang")
            r = try await call(http, .post, "/v1/reports/\(closedIDs[0])/resolve", key: keys.editor, json: #"{"action": "confirmed"}"#)
            #expect(r.status == .conflict)
            r = try await call(http, .get, Self.nearest)
            #expect(try Self.firstResult(r)["warning"] is NSNull)
            #expect((try Self.firstResult(r)["status_text_zh"] as? String)?.contains("近期有市民反映") == false)
            r = try await call(http, .get, "/v1/reports?state=dismissed", key: keys.editor)
            #expect((r.json["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func resolvingWithAnEditLinksTheHistoryEntry() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            var r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "wrong_phone"}"#)
            let reportID = try #require(r.json["id"] as? Int)
            let etag = try #require(try await call(http, .get, "/v1/outlets/1").etag)
            r = try await call(http, .patch, "/v1/outlets/1", key: keys.editor, ifMatch: etag, json: #"{"phone": "027-61009999"}"#)
            #expect(r.status == .ok)
            r = try await call(http, .get, "/v1/outlets/1/history?limit=1")
            let historyID = try #require((r.json["items"] as? [[String: Any]])?.first?["id"] as? Int)
            r = try await call(http, .post, "/v1/reports/\(reportID)/resolve", key: keys.editor, json: #"{"action": "dismissed", "history_id": \#(historyID)}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["history_id"])
            r = try await call(http, .post, "/v1/reports/\(reportID)/resolve", key: keys.editor, json: #"{"action": "confirmed", "history_id": 999999}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["history_id"])
            r = try await call(http, .post, "/v1/reports/\(reportID)/resolve", key: keys.editor, json: #"{"action": "confirmed", "history_id": \#(historyID)}"#)
            #expect(r.status == .ok, "\(r.body)")
            #expect(r.json["state"] as? String == "resolved" && r.json["history_id"] as? Int == historyID)
            r = try await call(http, .post, "/v1/reports/424242/resolve", key: keys.editor, json: #"{"action": "confirmed"}"#)
            #expect(r.status == .notFound)
        }
    }

    @Test func badReportsAreRefusedNamingTheField() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            var r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "gone"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["kind"])
            r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"text": "没写类型"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["kind"])
            r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "other", "text": "a\u0007b"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["text"])
            r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "other", "text": "\#(String(repeating: "长", count: 501))"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["text"])
            r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "other", "phone": "13800000000"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["phone"])
            r = try await call(http, .post, "/v1/outlets/999/reports", json: #"{"kind": "closed"}"#)
            #expect(r.status == .notFound)
            r = try await call(http, .post, "/v1/outlets/abc/reports", json: #"{"kind": "closed"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["id"])
            r = try await call(http, .get, "/v1/reports?state=closed", key: keys.editor)
            #expect(r.status == .badRequest && r.invalidNames == ["state"])
            r = try await call(http, .get, "/v1/reports?outlet=x", key: keys.editor)
            #expect(r.status == .badRequest && r.invalidNames == ["outlet"])
            r = try await call(http, .post, "/v1/reports/1/resolve", key: keys.editor, json: #"{"action": "maybe"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["action"])
        }
    }

    @Test func reportsAreRateLimitedPerClient() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, _ in
            for _ in 0..<5 {
                let r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "wrong_hours"}"#)
                #expect(r.status == .created)
            }
            let r = try await call(http, .post, "/v1/outlets/1/reports", json: #"{"kind": "wrong_hours"}"#)
            #expect(r.status == .tooManyRequests)
            #expect(Int(r.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test(arguments: [false, true])
    func provenanceAndItsCaution(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: { client in
            try await Self.prepare(client)
            // As the seed leaves it: generated, never confirmed.
            try await client.query("UPDATE outlets SET source = 'generated', verified_at = NULL", logger: TestDatabase.logger)
        }) { http, client in
            let keys = try await TestKeys.make(client)
            var r = try await call(http, .get, "/v1/outlets/1")
            #expect(r.json["source"] as? String == "generated" && r.json["verified_at"] is NSNull)
            #expect(((r.json["status"] as? [String: Any])?["status_text_zh"] as? String)?.hasSuffix("（示例数据，营业时间未经核实，请致电确认）") == true, "\(r.body)")
            r = try await call(http, .get, Self.nearest)
            var result = try Self.firstResult(r)
            #expect((result["outlet"] as? [String: Any])?["source"] as? String == "generated")
            #expect((result["status_text_zh"] as? String)?.hasSuffix("请致电确认）") == true)

            // An editor confirms the hours as of an old date: stale after 180 days (the clock is 2026-03-02).
            var etag = try #require(try await call(http, .get, "/v1/outlets/1").etag)
            r = try await call(http, .patch, "/v1/outlets/1", key: keys.editor, ifMatch: etag, json: #"{"verified_at": "2099-01-01"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["verified_at"])
            r = try await call(http, .patch, "/v1/outlets/1", key: keys.editor, ifMatch: etag, json: #"{"verified_at": "yesterday"}"#)
            #expect(r.status == .badRequest && r.invalidNames == ["verified_at"])
            r = try await call(http, .patch, "/v1/outlets/1", key: keys.editor, ifMatch: etag, json: #"{"verified_at": "2025-06-01"}"#)
            #expect(r.status == .ok, "\(r.body)")
            #expect(r.json["source"] as? String == "editor:editor.zhang")
            #expect(r.json["verified_at"] as? String == "2025-06-01T00:00:00+08:00")
            #expect(((r.json["status"] as? [String: Any])?["status_text_zh"] as? String)?.hasSuffix("（营业时间最后确认于2025年6月1日，请致电确认）") == true, "\(r.body)")
            r = try await call(http, .get, Self.nearest)
            result = try Self.firstResult(r)
            #expect((result["outlet"] as? [String: Any])?["verified_at"] as? String == "2025-06-01T00:00:00+08:00")
            #expect((result["status_text_zh"] as? String)?.hasSuffix("（营业时间最后确认于2025年6月1日，请致电确认）") == true, "\(result)")

            // Confirmed recently: no caution.
            etag = try #require(try await call(http, .get, "/v1/outlets/1").etag)
            r = try await call(http, .patch, "/v1/outlets/1", key: keys.editor, ifMatch: etag, json: #"{"verified_at": "2026-03-01T09:00:00+08:00"}"#)
            #expect(r.status == .ok)
            r = try await call(http, .get, Self.nearest)
            result = try Self.firstResult(r)
            #expect((result["status_text_zh"] as? String)?.contains("请致电确认") == false, "\(result)")
            #expect(result["warning"] is NSNull)
        }
    }

    @Test func importsRecordTheirFile() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let csv = """
                code,name,kind,province,city,district,district_code,address,phone,lat,lon,businesses,opening_hours
                T-2,信任测试二号点,ebike_plate_point,湖北省,武汉市,黄陂区,420116,前川街道1号,,30.6,114.28,ebike_registration,Mo-Su 09:00-18:00

                """
            var r = try await call(http, .post, "/v1/imports?file=new-points.csv", key: keys.editor, raw: csv, contentType: "text/csv")
            #expect(r.status == .ok, "\(r.body)")
            r = try await call(http, .get, "/v1/outlets?q=信任测试二号点".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)
            let item = try #require((r.json["items"] as? [[String: Any]])?.first)
            #expect(item["source"] as? String == "import:new-points.csv")
            #expect(item["verified_at"] is String)
            r = try await call(http, .post, "/v1/imports?file=a/b.csv", key: keys.editor, raw: csv, contentType: "text/csv")
            #expect(r.status == .badRequest && r.invalidNames == ["file"])
        }
    }

    /// Another process's reports reach this one through the change feed; the read model is not reloaded for them.
    @Test func reportsReachOtherProcessesThroughTheFeed() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.prepare(client)
            let model = ReadModel(client: client, logger: TestDatabase.logger)
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(), readModel: model,
                                                logger: TestDatabase.logger)
            let feed = ChangeFeed(source: PostgresChangeSource(client: client, logger: TestDatabase.logger), views: deps.views,
                                  logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await feed.run() }
                defer { group.cancelAll() }
                try await eventually("first load") { model.isLoaded }
                let loaded = model.generation
                #expect(deps.reportBoard.isEmpty)
                try await client.query("""
                    INSERT INTO outlet_reports (outlet_id, kind, created_at) VALUES
                        (1, 'closed', now() - interval '2 hours'), (1, 'closed', now() - interval '1 hour'), (1, 'closed', now())
                    """, logger: TestDatabase.logger)
                var warned = false
                for _ in 0..<200 where !warned {
                    warned = deps.trust(of: try #require(try await deps.catalogue.outlet(id: Outlet.ID(1))), now: deps.clock.now()).warning != nil
                    if !warned { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(warned, "the warning follows the feed")
                #expect(model.generation == loaded, "a report is no outlet change: the read model is not reloaded")
                try await client.query("UPDATE outlet_reports SET state = 'dismissed', resolved_at = now()", logger: TestDatabase.logger)
                var cleared = false
                for _ in 0..<200 where !cleared {
                    cleared = deps.reportBoard.isEmpty
                    if !cleared { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(cleared, "dismissed elsewhere: the warning goes")
            }
        }
    }
}
