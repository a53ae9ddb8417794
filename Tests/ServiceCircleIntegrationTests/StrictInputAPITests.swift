import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Testing

/// Issue 12 from the outside: nothing a client sends crashes the process or reaches PostgreSQL as invalid text
/// (a 500); every refusal is a 400 problem+json naming the parameter, field, or row and column; nothing changes.
@Suite("Strict input at the edge (PostgreSQL)")
struct StrictInputAPITests {
    static func prepare(_ client: PostgresClient) async throws {
        try await CoverageFixture.load(client)
        try await TestDatabase.load(readFixture, into: client, calendar: false)
    }

    /// The whole catalogue as exported, plus the history and the boundaries: what "nothing changed" compares.
    static func snapshot(_ http: any TestClientProtocol, _ client: PostgresClient) async throws -> [String] {
        var out = try await exportWithoutIDs(http)
        let rows = try await client.query("SELECT count(*)::int FROM outlet_history", logger: TestDatabase.logger)
        for try await n in rows.decode(Int.self) { out.append("history \(n)") }
        let b = try await client.query("SELECT code, coalesce(boundary_source, '-') FROM regions ORDER BY code", logger: TestDatabase.logger)
        for try await (code, source) in b.decode((String, String).self) { out.append("\(code) \(source)") }
        return out
    }

    static func deepArray(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }

    /// JSON nested 1,000,000 deep on every entry point: 400 naming the limit, no crash, nothing changed. Bodies of
    /// outlets, exceptions and keys allow 1 MB, so there the million brackets are not closed (the reader must stop at
    /// its limit, not at the end); imports and boundaries get them closed too.
    @Test func jsonNestedAMillionDeepOnEveryEntryPoint() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-001")
            let before = try await Self.snapshot(http, client)
            let deep = String(repeating: "[", count: 1_000_000)
            let deepHours = #"{"rules":"# + deep + "}"
            let outlet = outletBody(code: "NEW-1", hours: deepHours)
            let cases: [(HTTPRequest.Method, String, String, String?)] = [
                (.post, "/v1/outlets", outlet, nil),
                (.post, "/v1/outlets", deep, nil),
                (.put, "/v1/outlets/\(id)", outletBody(code: "T-001", hours: deepHours), nil),
                (.patch, "/v1/outlets/\(id)", #"{"hours":"# + deepHours + "}", nil),
                (.patch, "/v1/outlets/\(id)", deep, nil),
                (.post, "/v1/outlets/\(id)/exceptions", #"{"from":"2026-05-01","intervals":"# + deep + "}", nil),
                (.post, "/v1/keys", #"{"name":"# + deep + "}", nil),
            ]
            for (method, uri, body, _) in cases {
                let r = try await call(http, method, uri, key: keys.admin, ifMatch: "\"\(id)-1\"", json: body)
                #expect(r.status == .badRequest, "\(method) \(uri): \(r.body.prefix(300))")
                #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                #expect(r.body.contains("64"), "\(method) \(uri): names the limit: \(r.body.prefix(300))")
            }
            // A CSV whose hours cell is nested 10^6 deep (imports allow 512 MB).
            let cell = "\"" + #"{""rules"":"# + Self.deepArray(1_000_000) + "}\""
            let csv = "code,name,kind,province,city,district,district_code,lat,lon,businesses,hours\n"
                + "N-1,甲,ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.8,114.3,ebike_registration,\(cell)\n"
            var r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: csv, contentType: "text/csv")
            #expect(r.status == .badRequest, "\(r.body.prefix(300))")
            #expect(r.invalidNames == ["row 1: hours"], "\(r.body.prefix(300))")
            #expect(r.body.contains("64"))
            // A GeoJSON import nested 10^6 deep inside its second feature's hours.
            let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[114.3,30.8]},"properties":{"code":"G-1","hours":"#
            let geo = #"{"type":"FeatureCollection","features":["# + feature + #"{"rules":[]}}},"# + feature
                + Self.deepArray(1_000_000) + "}}]}"
            r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: geo, contentType: "application/geo+json")
            #expect(r.status == .badRequest, "\(r.body.prefix(300))")
            #expect(r.invalidNames == ["row 2: properties.hours"], "\(r.body.prefix(300))")
            // A boundary (16 MB allowed) nested 10^6 deep.
            r = try await call(http, .put, "/v1/regions/420116/boundary", key: keys.editor,
                               json: #"{"type":"Polygon","coordinates":"# + Self.deepArray(1_000_000) + "}")
            #expect(r.status == .badRequest, "\(r.body.prefix(300))")
            #expect(r.invalidNames == ["boundary"], "\(r.body.prefix(300))")
            #expect(r.body.contains("64"))
            // Still alive, and nothing changed.
            #expect(try await call(http, .get, "/healthz").status == .ok)
            #expect(try await Self.snapshot(http, client) == before)
        }
    }

    /// Every query parameter of every route in the OpenAPI document refuses a NUL (and other control characters)
    /// with a 400 naming it: `lat=1%00` is not read as 1, `city=a%00` does not reach PostgreSQL.
    @Test func everyQueryParameterOfEveryRouteRefusesControlCharacters() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-001")
            let before = try await Self.snapshot(http, client)
            let doc = try await http.execute(uri: "/openapi.json", method: .get) { try $0.json }
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            let shared = (doc["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
            var tried = 0
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                for (method, op) in operations.sorted(by: { $0.key < $1.key }) {
                    guard let op = op as? [String: Any], let m = HTTPRequest.Method(method.uppercased()) else { continue }
                    let params = (op["parameters"] as? [[String: Any]] ?? []).map { p -> [String: Any] in
                        if let ref = p["$ref"] as? String { return shared[String(ref.split(separator: "/").last!)] ?? [:] }
                        return p
                    }
                    let uri = path.replacingOccurrences(of: "{id}", with: "\(id)").replacingOccurrences(of: "{exception_id}", with: "x1")
                        .replacingOccurrences(of: "{code}", with: "420116").replacingOccurrences(of: "{key}", with: "nobody")
                        .replacingOccurrences(of: "{file}", with: "console.js")
                    for p in params where p["in"] as? String == "query" {
                        let name = try #require(p["name"] as? String)
                        for value in ["1%00", "a%00b", "%1B", "x%7F", "1%0A"] {
                            tried += 1
                            let r = try await call(http, m, "\(uri)?\(name)=\(value)", key: keys.admin, ifMatch: "\"\(id)-1\"")
                            #expect(r.status == .badRequest, "\(m) \(uri)?\(name)=\(value): \(r.status) \(r.body.prefix(200))")
                            #expect(r.invalidNames.contains(name), "\(m) \(uri)?\(name)=\(value): \(r.body.prefix(300))")
                            let reasons = (r.json["invalid_params"] as? [[String: Any]] ?? []).filter { $0["name"] as? String == name }
                            #expect(reasons.contains { ($0["reason"] as? String)?.contains("control character") == true },
                                    "\(m) \(uri)?\(name)=\(value): \(r.body.prefix(300))")
                        }
                    }
                }
            }
            #expect(tried > 200)
            #expect(try await Self.snapshot(http, client) == before)
        }
    }

    /// The text fields of an outlet body (POST, PUT, PATCH), of an exception and of a key refuse NUL with a 400 naming
    /// the field (they answered 500: `invalid byte sequence for encoding "UTF8": 0x00`).
    @Test func everyTextFieldRefusesNUL() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-001")
            let before = try await Self.snapshot(http, client)
            let fields = ["code", "name", "kind", "address", "province", "city", "district", "district_code", "phone", "operating_state"]
            for field in fields {
                var doc = try #require(try JSONSerialization.jsonObject(with: Data(outletBody(code: "NUL-1").utf8)) as? [String: Any])
                doc[field] = "A1\u{0}2"
                let body = String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self)
                #expect(body.contains("\\u0000"))
                for (method, uri) in [(HTTPRequest.Method.post, "/v1/outlets"), (.put, "/v1/outlets/\(id)")] {
                    let r = try await call(http, method, uri, key: keys.editor, ifMatch: "\"\(id)-1\"", json: body)
                    #expect(r.status == .badRequest, "\(method) \(field): \(r.body.prefix(300))")
                    #expect(r.invalidNames == [field], "\(method) \(field): \(r.body.prefix(300))")
                }
                let patch = String(decoding: try JSONSerialization.data(withJSONObject: [field: "A1\u{0}2"]), as: UTF8.self)
                let r = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: "\"\(id)-1\"", json: patch)
                #expect(r.status == .badRequest, "PATCH \(field): \(r.body.prefix(300))")
                #expect(r.invalidNames == [field], "PATCH \(field): \(r.body.prefix(300))")
            }
            let bodies: [(HTTPRequest.Method, String, String, String)] = [
                (.patch, "/v1/outlets/\(id)", #"{"opening_hours":"Mo-Fr 08:00-17:00\u0000"}"#, "opening_hours"),
                (.patch, "/v1/outlets/\(id)", #"{"hours":{"rules":[],"exceptions":[{"from":"2026-05-01","note":"a\u0000"}]}}"#, "hours.exceptions[0].note"),
                (.patch, "/v1/outlets/\(id)", #"{"businesses":["ebike_registration\u0000"]}"#, "businesses[0]"),
                (.post, "/v1/outlets/\(id)/exceptions", #"{"from":"2026-05-01","note":"系统升级\u0000"}"#, "note"),
                (.post, "/v1/outlets/\(id)/exceptions", #"{"from":"2026-05-01","note":"系统升级\u0007"}"#, "note"),
                (.post, "/v1/outlets/\(id)/exceptions", #"{"from":"2026-05-01\u0000"}"#, "from"),
                (.post, "/v1/keys", #"{"name":"a\u0000","role":"editor"}"#, "name"),
                // Invalid UTF-8 and lone surrogates are not text either.
                (.post, "/v1/outlets/\(id)/exceptions", #"{"from":"2026-05-01","note":"\ud800"}"#, "note"),
            ]
            for (method, uri, body, field) in bodies {
                let r = try await call(http, method, uri, key: keys.admin, ifMatch: "\"\(id)-1\"", json: body)
                #expect(r.status == .badRequest, "\(uri) \(field): \(r.body.prefix(300))")
                #expect(r.invalidNames == [field], "\(uri) \(field): \(r.body.prefix(300))")
            }
            var raw = Array(#"{"from":"2026-05-01","note":"caf"#.utf8)
            raw += [0xE9] + Array(#""}"#.utf8)
            let r = try await http.execute(uri: "/v1/outlets/\(id)/exceptions", method: .post,
                                           headers: [.authorization: "Bearer \(keys.editor)", .contentType: "application/json"],
                                           body: ByteBuffer(bytes: raw)) { Reply(status: $0.status, headers: $0.headers, body: String(buffer: $0.body)) }
            #expect(r.status == .badRequest, "\(r.body)")
            #expect(r.invalidNames == ["note"], "\(r.body)")
            #expect(r.body.contains("UTF-8"))
            // A multi-line note keeps its line breaks and tabs.
            let ok = try await call(http, .post, "/v1/outlets/\(id)/exceptions", key: keys.editor,
                                    json: #"{"from":"2026-05-01","note":"第一行\n\t第二行"}"#)
            #expect(ok.status == .created, "\(ok.body)")
            #expect(ok.json["note"] as? String == "第一行\n\t第二行")
            _ = try await call(http, .delete, "/v1/outlets/\(id)/exceptions/\(ok.json["id"] as? String ?? "")", key: keys.editor)
            var after = try await Self.snapshot(http, client)
            after.removeAll { $0.hasPrefix("history") }
            #expect(after == before.filter { !$0.hasPrefix("history") })
            // Path parameters are not decoded: a %00 there is three characters, not a NUL, and no 500.
            #expect(try await call(http, .delete, "/v1/keys/a%00b", key: keys.admin).status == .notFound)
            #expect(try await call(http, .get, "/v1/outlets/\(id)/exceptions/a%00b").status == .notFound)
        }
    }

    /// CSV cells and GeoJSON properties: a 400 naming the row and column, nothing imported.
    @Test func importsRefuseControlCharactersByRowAndColumn() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let before = try await Self.snapshot(http, client)
            let header = "code,name,kind,province,city,district,district_code,lat,lon,businesses,hours\n"
            let good = "N-1,甲,ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.8,114.3,ebike_registration,Mo-Fr 08:00-17:00\n"
            let csv = header + good + "N-2,乙\u{0},ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.8,114.3,ebike_registration,Mo-Fr 08:00-17:00\n"
                + "N-3,丙,ebike_plate_point,湖北省,武汉\u{1}市,黄陂区,420116,0x1e,114.3,ebike_registration,Mo-Fr 08:00-17:00\n"
            var r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: csv, contentType: "text/csv")
            #expect(r.status == .badRequest, "\(r.body)")
            #expect(Set(r.invalidNames) == ["row 2: name", "row 3: city", "row 3: lat"], "\(r.body)")
            let geo = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.3,30.8]},"#
                + #""properties":{"code":"G-1","name":"甲\u0000","kind":"ebike_plate_point","province":"湖北省","city":"武汉市","district":"黄陂区","#
                + #""district_code":"420116","businesses":["ebike_registration"],"hours":"Mo-Fr 08:00-17:00"}}]}"#
            r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: geo, contentType: "application/geo+json")
            #expect(r.status == .badRequest, "\(r.body)")
            #expect(r.invalidNames == ["row 1: properties.name"], "\(r.body)")
            #expect(try await Self.snapshot(http, client) == before)
        }
    }

    /// A CSV saved by Excel on Chinese Windows (GB18030/GBK) imports with its Chinese intact, and says so.
    @Test func gbkCSVIsTranscoded() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let text = "code,name,kind,province,city,district,district_code,lat,lon,businesses,hours\r\n"
                + "GB-1,黄陂区前川电动自行车上牌点,ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.8,114.3,ebike_registration,Mo-Fr 08:00-17:00\r\n"
            let gb = try #require(TextEncodings.gb18030(text))
            let r = try await http.execute(uri: "/v1/imports", method: .post,
                                           headers: [.authorization: "Bearer \(keys.editor)", .contentType: "text/csv"],
                                           body: ByteBuffer(bytes: gb)) { Reply(status: $0.status, headers: $0.headers, body: String(buffer: $0.body)) }
            #expect(r.status == .ok, "\(r.body)")
            #expect(r.json["encoding"] as? String == "gb18030", "\(r.body)")
            let list = try await call(http, .get, "/v1/outlets?q=\(enc("前川电动自行车"))")
            let names = (list.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("黄陂区前川电动自行车上牌点"), "\(names)")
            // Bytes that are neither UTF-8 nor Chinese in GB18030 are refused, naming the encoding.
            let bad = try await http.execute(uri: "/v1/imports", method: .post,
                                             headers: [.authorization: "Bearer \(keys.editor)", .contentType: "text/csv"],
                                             body: ByteBuffer(bytes: Array("code,name\r\nX-1,Caf".utf8) + [0xE9, 0x0D, 0x0A])) {
                Reply(status: $0.status, headers: $0.headers, body: String(buffer: $0.body))
            }
            #expect(bad.status == .badRequest, "\(bad.body)")
            #expect(bad.body.contains("UTF-8") && bad.body.contains("GB18030"), "\(bad.body)")
        }
    }

    /// `lat=0x1e` is not 30, `lat=30.5%00` is not 30.5; `+` is a space; instants keep to years 0001–9999.
    @Test func numbersInstantsAndPlus() async throws {
        try await TestApp.run(prepare: Self.prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            for q in ["lat=0x1e&lon=114.3", "lat=30.5%00&lon=114.3", "lat=inf&lon=114.3", "lat=30.8&lon=1_14"] {
                let r = try await call(http, .get, "/v1/nearest?business=ebike_registration&\(q)")
                #expect(r.status == .badRequest, "\(q): \(r.body)")
                #expect(r.invalidNames.count == 1 && ["lat", "lon"].contains(r.invalidNames.first ?? ""), "\(q): \(r.body)")
            }
            let bbox = try await call(http, .get, "/v1/coverage?bbox=0x72,30.8,114.5,31&business=ebike_registration&during=weekday_daytime")
            #expect(bbox.invalidNames == ["bbox"], "\(bbox.body)")
            // '+' is a space (WHATWG form encoding): q=前川+服务站 finds what q=前川%20服务站 finds.
            let plus = try await call(http, .get, "/v1/outlets?limit=200&q=\(enc("前川"))+\(enc("服务站"))")
            let space = try await call(http, .get, "/v1/outlets?limit=200&q=\(enc("前川 服务站"))")
            #expect(plus.status == .ok && space.status == .ok)
            let found = (plus.json["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(!found.isEmpty)
            #expect(found == (space.json["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
            let places = try await call(http, .get, "/v1/places?q=\(enc("黄陂区"))+\(enc("前川街道"))")
            #expect(places.status == .ok, "\(places.body)")
            #expect((places.json["query"] as? [String: Any])?["q"] as? String == "黄陂区 前川街道")
            // `at` documents its offset: `+08:00` as written, `%2B08:00`, or the space a form encoder made of the `+`.
            var texts: Set<String> = []
            for at in ["2026-03-02T10:00:00+08:00", "2026-03-02T10:00:00%2B08:00", "2026-03-02T10:00:00%2008:00", "2026-03-02T02:00:00Z"] {
                let r = try await call(http, .get, "/v1/outlets/\(id)/status?at=\(at)")
                #expect(r.status == .ok, "\(at): \(r.body)")
                texts.insert(r.json["at"] as? String ?? "?")
            }
            #expect(texts == ["2026-03-02T10:00:00+08:00"])
            // Five-digit years in the answer: refused, naming at, on every route that takes it.
            for path in ["/v1/outlets/\(id)/status?", "/v1/nearest?lat=30.88&lon=114.37&business=ebike_registration&",
                         "/v1/coverage?region=420116&business=ebike_registration&"] {
                for at in ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00%2B09:00", "10000-01-01T00:00:00Z"] {
                    let r = try await call(http, .get, path + "at=\(at)")
                    #expect(r.status == .badRequest, "\(path)\(at): \(r.body)")
                    #expect(r.invalidNames == ["at"], "\(path)\(at): \(r.body)")
                }
            }
            // The last instant of year 9999 in Shanghai: every instant in the answer keeps four digits.
            // A station open around the clock, a kilometre's walk away: arriving after 9999-12-31 is not an answer.
            let station = Geodesy.destination(from: CoverageFixture.at(270, 20000), bearingDegrees: 0, distance: 1000)
            let allDay = "/v1/nearest?lat=\(station.lat)&lon=\(station.lon)&business=vehicle_inspection&mode=walk&at="
            for uri in [allDay + "9999-12-31T23:59:00%2B08:00", allDay + "9999-12-31T20:00:00%2B08:00",
                        "/v1/outlets/\(id)/status?at=9999-12-31T23:59:59%2B08:00",
                        "/v1/outlets/\(id)/status?at=9999-12-31T17:00:00%2B08:00",
                        "/v1/nearest?lat=30.88&lon=114.37&business=ebike_registration&mode=walk&at=9999-12-31T23:59:59%2B08:00",
                        "/v1/nearest?lat=30.88&lon=114.37&business=ebike_registration&mode=walk&at=9999-12-31T17:20:00%2B08:00"] {
                let last = try await call(http, .get, uri)
                #expect(last.status == .ok, "\(uri): \(last.body)")
                #expect(last.body.range(of: #"\d{5}-\d\d-\d\dT"#, options: .regularExpression) == nil, "\(uri): \(last.body)")
            }
            let asOf = try await call(http, .get, "/v1/outlets/\(id)?as_of=9999-12-31T23:59:59Z")
            #expect(asOf.invalidNames == ["as_of"], "\(asOf.body)")
        }
    }
}
