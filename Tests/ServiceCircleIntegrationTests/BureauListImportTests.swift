import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceCircleDomain
import Testing

/// A traffic-police outlet list as a bureau publishes it (Chinese headers, Chinese hours text, business scope in
/// everyday words, GCJ-02/BD-09 coordinates), imported through `POST /v1/imports` (docs/editing.md).
@Suite struct BureauListImportTests {
    static let dir = TestDatabase.projectDirectory.appendingPathComponent("Tests/Fixtures/hours-zh")

    struct Stored: Sendable {
        var hours: String
        var lat: Double
        var lon: Double
        var businesses: [String]
    }

    static func stored(_ client: PostgresClient) async throws -> [String: Stored] {
        var out: [String: Stored] = [:]
        let rows = try await client.query("SELECT code, hours::text, lat, lon, businesses FROM outlets WHERE code LIKE 'HB-ZH-%'",
                                          logger: TestDatabase.logger)
        for try await (code, hours, lat, lon, businesses) in rows.decode((String, String, Double, Double, [String]).self) {
            out[code] = Stored(hours: hours, lat: lat, lon: lon, businesses: businesses)
        }
        return out
    }

    static func importFile(_ http: any TestClientProtocol, _ key: String, _ bytes: [UInt8], dryRun: Bool = false) async throws -> Reply {
        let r = try await http.execute(uri: "/v1/imports" + (dryRun ? "?dry_run=true" : ""), method: .post,
                                       headers: [.authorization: "Bearer \(key)", .contentType: "text/csv"], body: ByteBuffer(bytes: bytes))
        return Reply(status: r.status, headers: r.headers, body: String(buffer: r.body))
    }

    @Test(arguments: ["bureau-list.csv", "bureau-list-gb18030.csv"])
    func bureauListImportsWithTheExpectedHours(file: String) async throws {
        let bytes = try [UInt8](Data(contentsOf: Self.dir.appendingPathComponent(file)))
        let expected = try String(contentsOf: Self.dir.appendingPathComponent("bureau-list.expected.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { JSONValue.parse($0) }
        #expect(expected.count >= 20)
        try await TestApp.run(prepare: { try await TestDatabase.load([], into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let r = try await Self.importFile(http, keys.editor, bytes)
            #expect(r.status == .ok, "\(r.body.prefix(2000))")
            #expect(r.json["created"] as? Int == expected.count, "\(r.body.prefix(500))")
            #expect(r.json["encoding"] as? String == (file.contains("gb18030") ? "gb18030" : "utf-8"))
            let stored = try await Self.stored(client)
            var matched = 0
            for line in expected {
                guard case .object(let o) = line, case .string(let code)? = o["code"], let hv = o["hours"], case .string(let system)? = o["system"],
                      case .number(let lon)? = o["lon"], case .number(let lat)? = o["lat"] else { Issue.record("bad expected line"); continue }
                guard let s = stored[code] else { Issue.record("\(code) not stored"); continue }
                let want = try Hours(json: hv).normalizedForChineseText()
                let got = try Hours(json: try #require(JSONValue.parse(s.hours)))
                var gotPlain = got.normalizedForChineseText()
                gotPlain.exceptions = gotPlain.exceptions.map { var e = $0; e.id = nil; return e }
                #expect(gotPlain == want, "\(code): \(got.textZh), expected \(want.textZh)")
                // Coordinates: converted to WGS-84 from the system the 坐标系 column names.
                let from: CoordinateSystem = switch system {
                case "GCJ-02", "高德": .gcj02
                case "BD-09", "百度": .bd09
                default: .wgs84
                }
                let p = Datum.toWGS84(GeoPoint(lat: lat, lon: lon), from: from)
                #expect(abs(s.lat - p.lat) < 1e-7 && abs(s.lon - p.lon) < 1e-7, "\(code) \(system): \(s.lat),\(s.lon) vs \(p.lat),\(p.lon)")
                if from != .wgs84 { #expect(abs(s.lat - lat) + abs(s.lon - lon) > 1e-3, "\(code): not converted") }
                #expect(!s.businesses.isEmpty)
                if gotPlain == want { matched += 1 }
            }
            print("bureau list \(file): \(matched) of \(expected.count) rows stored with the expected hours")
            // Status follows the hours: HB-ZH-007 (工作日, 调休上班日照常) is open on the make-up Saturday 2026-02-14.
            let importedID = try await client.query("SELECT id FROM outlets WHERE code = 'HB-ZH-007'", logger: TestDatabase.logger)
            var id: Int64 = 0
            for try await i in importedID.decode(Int64.self) { id = i }
            let status = try await call(http, .get, "/v1/outlets/\(id)/status?at=2026-02-14T10:00:00%2B08:00")
            #expect(status.json["open"] as? Bool == true, "\(status.body.prefix(500))")
        }
    }

    @Test func unreadableHoursAndWordsAreRowErrorsQuotingThePhrase() async throws {
        let csv = """
        网点编号,网点名称,网点类型,省份,城市,区县,区县代码,经度,纬度,坐标系,业务范围,办公时间
        HB-ZH-101,汉阳区测试点,车管分所,湖北省,武汉市,汉阳区,420105,114.23,30.53,GCJ-02,期满换证,每月最后一个工作日 9:00-12:00
        HB-ZH-102,汉阳区测试点二,车管分所,湖北省,武汉市,汉阳区,420105,114.23,30.53,GCJ-02,期满换证、上牌、办证,工作日 8:30-17:30
        HB-ZH-103,汉阳区测试点三,车管分所,湖北省,武汉市,汉阳区,420105,114.23,30.53,火星,期满换证,周一至周五 8:30-17:30，需提前预约

        """
        try await TestApp.run(prepare: { try await TestDatabase.load([], into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let r = try await Self.importFile(http, keys.editor, Array(csv.utf8), dryRun: true)
            #expect(r.status == .ok, "\(r.body)")
            let errors = (r.json["errors"] as? [[String: Any]] ?? []).map { "\($0["row"] ?? "")|\($0["field"] ?? "")|\($0["reason"] ?? "")" }
            #expect(errors.contains { $0.hasPrefix("1|办公时间|") && $0.contains("'每月最后一个工作日 9:00-12:00'") && $0.contains("cannot be expressed") }, "\(errors)")
            #expect(errors.contains { $0.hasPrefix("2|业务范围|") && $0.contains("'上牌'") && $0.contains("ambiguous") }, "\(errors)")
            #expect(errors.contains { $0.hasPrefix("2|业务范围|") && $0.contains("'办证'") }, "\(errors)")
            #expect(errors.contains { $0.hasPrefix("3|坐标系|") && $0.contains("'火星'") }, "\(errors)")
            #expect(errors.contains { $0.hasPrefix("3|办公时间|") && $0.contains("'需提前预约'") }, "\(errors)")
            #expect(r.json["valid"] as? Int == 0)
            // 经度/纬度 without 坐标系: the file is refused (which system is not guessed).
            let noSystem = "网点编号,网点名称,网点类型,省份,城市,区县,区县代码,经度,纬度,业务范围,办公时间\n"
                + "HB-ZH-104,汉阳区测试点,车管分所,湖北省,武汉市,汉阳区,420105,114.23,30.53,期满换证,工作日 8:30-17:30\n"
            let refused = try await Self.importFile(http, keys.editor, Array(noSystem.utf8))
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("坐标系"), "\(refused.body)")
        }
    }
}
