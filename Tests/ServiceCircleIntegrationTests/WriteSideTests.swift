import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore
import Synchronization
import Testing

// MARK: - Helpers

/// Keys for a test database: an editor and an admin.
struct TestKeys: Sendable {
    var editor: String
    var admin: String
    var editorName = "editor.zhang"

    static func make(_ client: PostgresClient) async throws -> TestKeys {
        let store = APIKeyStore(client: client, logger: TestDatabase.logger)
        let e = try await store.create(name: "editor.zhang", role: .editor, createdBy: "test")
        let a = try await store.create(name: "admin.li", role: .admin, createdBy: "test")
        return TestKeys(editor: e.key, admin: a.key)
    }
}

struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
    }
    var invalidNames: [String] { ((json["invalid_params"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } }
    var etag: String? { headers[.eTag] }
}

/// One request with optional key, If-Match and JSON (or raw) body.
func call(_ http: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, ifMatch: String? = nil,
          json: String? = nil, raw: String? = nil, contentType: String? = nil) async throws -> Reply {
    var headers = HTTPFields()
    if let key { headers[.authorization] = "Bearer \(key)" }
    if let ifMatch { headers[.ifMatch] = ifMatch }
    if json != nil { headers[.contentType] = contentType ?? "application/json" }
    if raw != nil, let contentType { headers[.contentType] = contentType }
    let body = (json ?? raw).map { ByteBuffer(string: $0) }
    let r = try await http.execute(uri: uri, method: method, headers: headers, body: body)
    return Reply(status: r.status, headers: r.headers, body: String(buffer: r.body))
}

/// A valid outlet body for POST/PUT.
func outletBody(code: String, name: String = "黄陂区前川电动自行车上牌点", phone: String = "027-61001000",
                lat: Double = 30.8801, lon: Double = 114.3702, hours: String = #"{"rules":[{"days":["workday"],"intervals":[["08:30","12:00"],["13:30","17:30"]]}]}"#) -> String {
    """
    {"code":"\(code)","name":"\(name)","kind":"ebike_plate_point","address":"前川街道黄陂大道1号","province":"湖北省","city":"武汉市",
     "district":"黄陂区","district_code":"420116","phone":"\(phone)","location":{"lat":\(lat),"lon":\(lon)},
     "businesses":["ebike_registration"],"hours":\(hours)}
    """
}

func csvFile(_ records: [OutletRecord]) -> String {
    OutletImport.csvHeader + records.enumerated().map { OutletImport.csvLine(id: Int64($0.offset + 1), $0.element) }.joined()
}

/// The catalogue as CSV export lines without the id column (ids differ between databases).
func exportWithoutIDs(_ http: any TestClientProtocol, _ path: String = "/v1/outlets.csv") async throws -> [String] {
    let r = try await call(http, .get, path)
    #expect(r.status == .ok)
    return r.body.split(separator: "\r\n").map { line in
        line.hasPrefix("id,") ? String(line) : String(line.drop(while: { $0 != "," }))
    }
}

/// Polls until `condition` holds, for at most `seconds` (the change feed is asynchronous; the whole suite shares
/// two cores, so the default is generous).
func eventually(_ what: Comment, seconds: Int = 30, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<(seconds * 20) {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting: \(what)")
}

/// Like `TestApp.run(memory: true)`, with every view (read model, calendar, places) following the change feed as `serve` runs it.
func runWithLiveReadModel(at now: Instant = Instant(rfc3339: "2026-03-02T10:00:00+08:00")!,
                          prepare: @Sendable (PostgresClient) async throws -> Void,
                          _ body: @Sendable (any TestClientProtocol, PostgresClient) async throws -> Void) async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
        try await prepare(client)
        let model = ReadModel(client: client, logger: TestDatabase.logger)
        let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(), clock: FixedClock(now),
                                            readModel: model, logger: TestDatabase.logger)
        let feed = ChangeFeed(source: PostgresChangeSource(client: client, logger: TestDatabase.logger), views: deps.views,
                              logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await feed.run() }
            defer { group.cancelAll() }
            try await eventually("read model loaded") { model.isLoaded }
            let app = Application(router: buildRouter(deps), logger: TestDatabase.logger)
            try await TestApp.$nearestSource.withValue("memory") {
                try await app.test(.router) { http in try await body(http, client) }
            }
        }
    }
}

// MARK: - Authentication

@Suite("Write side: keys, 401/403 (PostgreSQL)")
struct WriteAuthTests {
    @Test func missingInvalidRevokedAndWrongRole() async throws {
        try await TestApp.run(prepare: { try await TestDatabase.load(readFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-001")

            // Reads stay public.
            #expect(try await call(http, .get, "/v1/outlets/\(id)").status == .ok)
            #expect(try await call(http, .get, "/v1/outlets/\(id)/history").status == .ok)
            #expect(try await call(http, .get, "/v1/outlets.csv").status == .ok)

            // Every write without a key: 401 problem+json with a Bearer challenge, and nothing changes.
            let writes: [(HTTPRequest.Method, String)] = [
                (.post, "/v1/outlets"), (.put, "/v1/outlets/\(id)"), (.patch, "/v1/outlets/\(id)"), (.delete, "/v1/outlets/\(id)"),
                (.post, "/v1/outlets/\(id)/exceptions"), (.delete, "/v1/outlets/\(id)/exceptions/x1"), (.post, "/v1/imports"),
                (.get, "/v1/keys"), (.post, "/v1/keys"), (.delete, "/v1/keys/editor.zhang"),
            ]
            for (method, uri) in writes {
                let r = try await call(http, method, uri, ifMatch: "\"\(id)-1\"", json: #"{"phone":"110"}"#)
                #expect(r.status == .unauthorized, "\(method) \(uri)")
                #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(r.json["status"] as? Int == 401)
            }
            for bad in ["sck_nosuchkey1234_abc", "not-a-key", keys.editor + "x", String(keys.editor.dropLast())] {
                let r = try await call(http, .patch, "/v1/outlets/\(id)", key: bad, ifMatch: "\"\(id)-1\"", json: #"{"phone":"110"}"#)
                #expect(r.status == .unauthorized)
                #expect(r.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            }
            var basic = HTTPFields()
            basic[.authorization] = "Basic dXNlcjpwYXNz"
            #expect(try await http.execute(uri: "/v1/imports", method: .post, headers: basic, body: nil).status == .unauthorized)

            // Wrong role: an editor cannot manage keys.
            let forbidden = try await call(http, .get, "/v1/keys", key: keys.editor)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(try await call(http, .post, "/v1/keys", key: keys.editor, json: #"{"name":"x","role":"admin"}"#).status == .forbidden)

            // An admin can: create (shown once), list (never the secret), revoke (stops working at once).
            let created = try await call(http, .post, "/v1/keys", key: keys.admin, json: #"{"name":"editor.wang","role":"editor"}"#)
            #expect(created.status == .created)
            let newKey = try #require(created.json["key"] as? String)
            let listed = try await call(http, .get, "/v1/keys", key: keys.admin)
            #expect(listed.status == .ok)
            #expect(listed.body.contains("editor.wang") && !listed.body.contains(newKey) && !listed.body.contains(keys.editor))
            #expect(try await call(http, .post, "/v1/keys", key: keys.admin, json: #"{"name":"editor.wang","role":"editor"}"#).status == .conflict)

            let etag = try #require(try await call(http, .get, "/v1/outlets/\(id)").etag)
            let ok = try await call(http, .patch, "/v1/outlets/\(id)", key: newKey, ifMatch: etag, json: #"{"phone":"027-11111111"}"#)
            #expect(ok.status == .ok)
            #expect(try await call(http, .delete, "/v1/keys/editor.wang", key: keys.admin).status == .ok)
            let revoked = try await call(http, .patch, "/v1/outlets/\(id)", key: newKey, ifMatch: ok.etag, json: #"{"phone":"027-22222222"}"#)
            #expect(revoked.status == .unauthorized)

            // The history names the key that made the change.
            let h = try await call(http, .get, "/v1/outlets/\(id)/history")
            let items = try #require(h.json["items"] as? [[String: Any]])
            #expect(items.first?["actor"] as? String == "editor.wang")
        }
    }

    /// Keys never appear in logs, even at trace level (request logging, database queries).
    @Test func keysAreNeverLogged() async throws {
        let lines = LogLines()
        let logger = {
            var l = Logger(label: "capture") { _ in CapturingLogHandler(lines: lines) }
            l.logLevel = .trace
            return l
        }()
        try await TestDatabase.withFreshDatabase { client, _ in
            try await TestDatabase.load(readFixture, into: client)
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-002")
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(),
                                       clock: FixedClock(Instant(rfc3339: "2026-03-02T10:00:00+08:00")!), logger: logger)
            let app = Application(router: buildRouter(deps), logger: logger)
            try await app.test(.router) { http in
                let etag = try #require(try await call(http, .get, "/v1/outlets/\(id)").etag)
                #expect(try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag, json: #"{"phone":"027-33333333"}"#).status == .ok)
                #expect(try await call(http, .post, "/v1/keys", key: keys.editor, json: #"{"name":"a","role":"admin"}"#).status == .forbidden)
                #expect(try await call(http, .post, "/v1/imports", key: keys.editor + "tampered", raw: "code\n").status == .unauthorized)
            }
            let all = lines.all
            #expect(all.count > 3, "the capture works")
            let secrets = [keys.editor, keys.admin].map { String($0.split(separator: "_").last!) }
            for s in secrets {
                let leaks = all.filter { $0.contains(s) }
                #expect(leaks.isEmpty, "a key's secret appears in the logs: \(leaks.prefix(3))")
            }
        }
    }
}

extension WriteAuthTests {
    /// PIPL: at the production log level the logs hold no caller's sentence, no phone number and no coordinates finer
    /// than 3 decimals — whatever the request, answered or refused; the request line keeps route, status and duration.
    @Test func callersWordsPhonesAndFineCoordinatesAreNeverLogged() async throws {
        let lines = LogLines()
        let logger = {
            var l = Logger(label: "capture") { _ in CapturingLogHandler(lines: lines) }
            l.logLevel = .info
            return l
        }()
        try await TestDatabase.withFreshDatabase { client, _ in
            try await TestDatabase.load(readFixture, into: client)
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-002")
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(),
                                                clock: FixedClock(Instant(rfc3339: "2026-03-02T10:00:00+08:00")!), logger: logger)
            let app = Application(router: buildRouter(deps), logger: logger)
            let sentence = "我在江汉区一带后天下午想给电动车上牌"
            try await app.test(.router) { http in
                _ = try await call(http, .get, "/v1/places?q=\(enc(sentence))")
                _ = try await call(http, .get, "/v1/outlets?q=\(enc(sentence))")
                _ = try await call(http, .get, "/v1/nearest?lat=30.123456&lon=114.654321&business=ebike_registration")
                _ = try await call(http, .get, "/v1/nearest?lat=30.123456&lon=114.654321&business=\(enc(sentence))")
                _ = try await call(http, .get, "/v1/nearest?place=\(enc(sentence))&business=ebike_registration")
                let etag = try #require(try await call(http, .get, "/v1/outlets/\(id)").etag)
                _ = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag, json: #"{"phone":"13912345678"}"#)
                _ = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag, json: #"{"phone":"13987654321"}"#)
            }
            let all = lines.all
            #expect(all.contains { $0.hasPrefix("info request") }, "request lines are logged")
            for secret in [sentence, "江汉区", "13912345678", "13987654321", "30.1234", "114.6543"] {
                let leaks = all.filter { $0.contains(secret) }
                #expect(leaks.isEmpty, "'\(secret)' appears in the logs: \(leaks.prefix(3))")
            }
        }
    }
}

extension WriteAuthTests {
    /// What schemathesis found against the contract: a malformed If-Match is a 400 naming it (not a 412), a missing
    /// exception is a 404 whatever the If-Match, an empty import is a 400 with or without dry_run, and a flag's value
    /// is checked.
    @Test func contractFindingsOfTheWriteSide() async throws {
        try await TestApp.run(prepare: { try await TestDatabase.load(readFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-002")
            for bad in ["", "0", "garbage", "\"\(id)-1", "W/x"] {
                let r = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: bad, json: #"{"phone":"027-1"}"#)
                #expect(r.status == .badRequest, "If-Match '\(bad)'")
                #expect((r.json["invalid_params"] as? [[String: Any]])?.first?["name"] as? String == "If-Match")
            }
            let stale = try await call(http, .delete, "/v1/outlets/\(id)/exceptions/nosuch", key: keys.editor, ifMatch: "\"\(id)-999\"")
            #expect(stale.status == .notFound)
            for q in ["?dry_run=true", ""] {
                let r = try await call(http, .post, "/v1/imports\(q)", key: keys.editor, raw: "", contentType: "text/csv")
                #expect(r.status == .badRequest, "empty import \(q)")
            }
            // A file that is not a catalogue file at all (a GeoJSON array sent as CSV) is refused in a dry run too.
            let notOurs = try await call(http, .post, "/v1/imports?dry_run=true&format=csv", key: keys.editor, raw: "[null, null]",
                                         contentType: "application/geo+json")
            #expect(notOurs.status == .badRequest)
            #expect(try await call(http, .get, "/v1/keys?include_revoked=banana", key: keys.admin).status == .badRequest)
            #expect(try await call(http, .get, "/v1/keys?include_revoked=true", key: keys.admin).status == .ok)
        }
    }
}

final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
    func append(_ s: String) { lines.withLock { $0.append(s) } }
    var all: [String] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        lines.append("\(level) \(message) \(self.metadata.merging(metadata ?? [:]) { $1 })")
    }
}

// MARK: - Edits, ETags, history

@Suite("Write side: edits, ETag/If-Match, history, as_of (PostgreSQL)")
struct WriteEditTests {
    @Test func createPatchReplaceCloseAndHistory() async throws {
        try await TestApp.run { http, client in
            let keys = try await TestKeys.make(client)
            // Validation: every bad field named by its path; nothing stored.
            let bad = try await call(http, .post, "/v1/outlets", key: keys.editor, json: outletBody(code: "B 1", lat: 95,
                hours: #"{"rules":[{"days":["funday"],"intervals":[["08:30","25:00"]]}]}"#))
            #expect(bad.status == .badRequest)
            #expect(Set(bad.invalidNames).isSuperset(of: ["code", "location.lat", "hours.rules[0].days[0]", "hours.rules[0].intervals[0]"]), "\(bad.invalidNames)")
            #expect(try await call(http, .post, "/v1/outlets", key: keys.editor, json: "{not json").status == .badRequest)
            #expect(try await call(http, .post, "/v1/outlets", key: keys.editor, json: outletBody(code: "X"), contentType: "text/plain").status == .unsupportedMediaType)
            #expect(try await call(http, .post, "/v1/outlets", key: keys.editor, json: #"{"code":"X","colour":"red"}"#).invalidNames.contains("colour"))

            // Create: 201, Location, ETag.
            let created = try await call(http, .post, "/v1/outlets", key: keys.editor, json: outletBody(code: "WH-EB-9001"))
            #expect(created.status == .created, "\(created.body)")
            let id = try #require(created.json["id"] as? Int)
            #expect(created.headers[.location] == "/v1/outlets/\(id)")
            let etag1 = try #require(created.etag)
            #expect(try await call(http, .get, "/v1/outlets/\(id)").etag == etag1)
            #expect(try await call(http, .post, "/v1/outlets", key: keys.editor, json: outletBody(code: "WH-EB-9001")).status == .conflict)

            // If-None-Match: 304 while unchanged.
            var inm = HTTPFields()
            inm[.ifNoneMatch] = etag1
            #expect(try await http.execute(uri: "/v1/outlets/\(id)", method: .get, headers: inm, body: nil).status == .notModified)

            // PATCH needs If-Match (428), a current one (412), then merges (RFC 7396).
            #expect(try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, json: #"{"phone":"027-1"}"#).status == .preconditionRequired)
            #expect(try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: "*", json: #"{"phone":"027-1"}"#).status == .preconditionRequired)
            let stale = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: "\"\(id)-99\"", json: #"{"phone":"027-1"}"#)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.etag == etag1, "a 412 tells the current ETag")
            let patched = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag1,
                                         json: #"{"phone":"027-61009999","location":{"lat":30.8805},"address":null}"#,
                                         contentType: "application/merge-patch+json")
            #expect(patched.status == .ok, "\(patched.body)")
            let etag2 = try #require(patched.etag)
            #expect(etag2 != etag1)
            #expect(patched.json["phone"] as? String == "027-61009999")
            #expect(patched.json["address"] as? String == "", "null removes the member: address falls back to empty")
            #expect((patched.json["location"] as? [String: Any])?["lat"] as? Double == 30.8805)
            #expect((patched.json["location"] as? [String: Any])?["lon"] as? Double == 114.3702, "merge keeps the sibling")
            let badPatch = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag2,
                                          json: #"{"name":null,"hours":{"rules":[{"days":["mon"],"intervals":[["09:00","12:00"],["11:00","13:00"],["14:00","14:00"]]}]}}"#)
            #expect(badPatch.status == .badRequest)
            #expect(Set(badPatch.invalidNames) == ["name", "hours.rules[0].intervals[1]", "hours.rules[0].intervals[2]"], "\(badPatch.invalidNames)")
            // OSM text replaces the weekly rules.
            let osm = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag2, json: #"{"opening_hours":"Mo-Fr 09:00-17:00; Sa 09:00-12:00"}"#)
            #expect(osm.status == .ok, "\(osm.body)")
            #expect(osm.json["opening_hours"] as? String == "Mo-Fr 09:00-17:00; Sa 09:00-12:00; PH off")
            let etag3 = try #require(osm.etag)

            // PUT replaces; a fetched outlet can be sent back as it is (derived fields ignored).
            var doc = try await call(http, .get, "/v1/outlets/\(id)").json
            doc["name"] = "黄陂区前川电动自行车上牌点（新址）"
            let put = try await call(http, .put, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag3,
                                     json: String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self))
            #expect(put.status == .ok, "\(put.body)")
            #expect(put.json["name"] as? String == "黄陂区前川电动自行车上牌点（新址）")
            #expect(try await call(http, .put, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag3, json: outletBody(code: "WH-EB-9001")).status == .preconditionFailed)

            // DELETE marks it closed and keeps it.
            let closed = try await call(http, .delete, "/v1/outlets/\(id)", key: keys.editor, ifMatch: put.etag)
            #expect(closed.status == .ok)
            #expect(closed.json["operating_state"] as? String == "closed")
            #expect((closed.json["status"] as? [String: Any])?["open"] as? Bool == false)
            #expect(try await call(http, .get, "/v1/outlets/\(id)").json["operating_state"] as? String == "closed")

            // History: every change, newest first, who, before and after.
            let h = try await call(http, .get, "/v1/outlets/\(id)/history")
            let items = try #require(h.json["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["action"] as? String } == ["close", "replace", "patch", "patch", "create"])
            #expect(items.allSatisfy { $0["actor"] as? String == keys.editorName })
            #expect(items.compactMap { $0["version"] as? Int } == [5, 4, 3, 2, 1])
            let firstPatch = items[3]
            #expect(((firstPatch["before"] as? [String: Any])?["phone"] as? String) == "027-61001000")
            #expect(((firstPatch["after"] as? [String: Any])?["phone"] as? String) == "027-61009999")
            #expect((firstPatch["changes"] as? [String]) == ["address", "lat", "phone"])
            #expect(items[4]["before"] is NSNull)
            // Paging.
            let p1 = try await call(http, .get, "/v1/outlets/\(id)/history?limit=2")
            let cursor = try #require(p1.json["next_cursor"] as? String)
            let p2 = try await call(http, .get, "/v1/outlets/\(id)/history?limit=10&cursor=\(cursor)")
            #expect((p2.json["items"] as? [[String: Any]])?.count == 3)
            #expect(try await call(http, .get, "/v1/outlets/999999/history").status == .notFound)
        }
    }

    /// Editors copy coordinates from Chinese maps: a move given in GCJ-02 is stored in WGS-84.
    @Test func moveGivenInGCJ02() async throws {
        try await TestApp.run { http, client in
            let keys = try await TestKeys.make(client)
            let created = try await call(http, .post, "/v1/outlets", key: keys.editor, json: outletBody(code: "GCJ-1"))
            let id = try #require(created.json["id"] as? Int)
            let target = GeoPoint(lat: 30.59, lon: 114.31)
            let g = Datum.wgs84ToGcj02(target)
            let moved = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: created.etag,
                                       json: #"{"location_gcj02":{"lat":\#(g.lat),"lon":\#(g.lon)}}"#)
            #expect(moved.status == .ok, "\(moved.body)")
            let loc = try #require(moved.json["location"] as? [String: Any])
            #expect(abs((loc["lat"] as? Double ?? 0) - target.lat) < 1e-6 && abs((loc["lon"] as? Double ?? 0) - target.lon) < 1e-6)
            let bad = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: moved.etag, json: #"{"location_gcj02":{"lat":"north"}}"#)
            #expect(bad.invalidNames == ["location_gcj02"])
        }
    }

    /// "What were this outlet's hours on 2026-03-01?": history rows dated by hand, since the clock of a test is now.
    @Test func asOf() async throws {
        try await TestApp.run(prepare: { try await TestDatabase.load(readFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-004")
            let etag = try #require(try await call(http, .get, "/v1/outlets/\(id)").etag)
            let r = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag,
                                   json: #"{"opening_hours":"Mo-Su 00:00-24:00","phone":"027-88888888"}"#)
            #expect(r.status == .ok)
            // Date the load in February and the edit in mid-March.
            try await client.query("UPDATE outlet_history SET changed_at = '2026-02-01T09:00:00+08:00' WHERE outlet_id = \(Int64(id)) AND version = 1", logger: TestDatabase.logger)
            try await client.query("UPDATE outlet_history SET changed_at = '2026-03-15T09:00:00+08:00' WHERE outlet_id = \(Int64(id)) AND version = 2", logger: TestDatabase.logger)

            let old = try await call(http, .get, "/v1/outlets/\(id)?as_of=2026-03-01")
            #expect(old.status == .ok, "\(old.body)")
            #expect(old.json["phone"] as? String == "027-00000000")
            #expect(old.json["opening_hours"] as? String == "Mo-Fr 08:30-12:00,13:30-17:30; PH off")
            #expect(old.json["version"] as? Int == 1)
            #expect(old.json["as_of"] as? String == "2026-03-01T23:59:59+08:00")
            #expect(((old.json["status"] as? [String: Any])?["open"] as? Bool) == false, "status at the as_of instant: Sunday night")
            let atInstant = try await call(http, .get, "/v1/outlets/\(id)?as_of=\(enc("2026-03-16T10:00:00+08:00"))")
            #expect(atInstant.json["phone"] as? String == "027-88888888")
            #expect(((atInstant.json["status"] as? [String: Any])?["open"] as? Bool) == true)
            #expect(try await call(http, .get, "/v1/outlets/\(id)?as_of=2025-01-01").status == .notFound)
            #expect(try await call(http, .get, "/v1/outlets/\(id)?as_of=yesterday").invalidNames == ["as_of"])
        }
    }

    /// Two editors PATCH with the same ETag at the same moment: exactly one 200 and one 412, and the final state is the
    /// winner's, at one version more, with one history entry.
    @Test func concurrentPatchesWithTheSameETag() async throws {
        // A held row lock, two requests waiting behind it (each may need a second connection meanwhile) and the
        // polling query: more than the default pool.
        try await TestApp.run(poolSize: 16, prepare: { try await TestDatabase.load(readFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-007")
            for round in 0..<8 {
                let before = try await call(http, .get, "/v1/outlets/\(id)")
                let etag = try #require(before.etag)
                let phones = ["027-1000\(round)01", "027-2000\(round)02"]
                // Half the rounds hold the row lock from a third transaction until both requests wait on it, so the
                // two transactions are provably concurrent; the other half simply race.
                let holdLock = round % 2 == 0
                let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                    let release = AsyncStream<Void>.makeStream()
                    if holdLock {
                        // The requests start only once the lock is held: on a loaded machine a fixed pause was not
                        // always enough, the requests took the lock first and nobody ever waited.
                        let locked = AsyncStream<Void>.makeStream()
                        group.addTask {
                            defer { locked.continuation.finish() }   // also when taking the lock fails
                            try await client.withConnection { conn in
                                try await conn.query("BEGIN", logger: TestDatabase.logger)
                                try await conn.query("SELECT 1 FROM outlets WHERE id = \(Int64(id)) FOR UPDATE", logger: TestDatabase.logger)
                                locked.continuation.finish()
                                for await _ in release.stream {}
                                try await conn.query("COMMIT", logger: TestDatabase.logger)
                            }
                            return Reply(status: .continue, headers: [:], body: "")
                        }
                        for await _ in locked.stream {}
                    }
                    for phone in phones {
                        group.addTask {
                            try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: etag, json: #"{"phone":"\#(phone)"}"#)
                        }
                    }
                    if holdLock {
                        try await eventually("both PATCH transactions wait on the row lock") {
                            var waiting = 0
                            let rows = try await client.query("""
                                SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
                                """, logger: TestDatabase.logger)
                            for try await n in rows.decode(Int.self) { waiting = n }
                            return waiting >= 2
                        }
                        release.continuation.finish()
                    }
                    var out: [Reply] = []
                    for try await r in group where r.status != .continue { out.append(r) }
                    return out
                }
                let statuses = replies.map(\.status.code).sorted()
                #expect(statuses == [200, 412], "round \(round): \(statuses)")
                let winner = try #require(replies.first { $0.status == .ok })
                let after = try await call(http, .get, "/v1/outlets/\(id)")
                #expect(after.json["phone"] as? String == winner.json["phone"] as? String)
                #expect(after.etag == winner.etag)
                #expect(replies.first { $0.status == .preconditionFailed }?.etag == winner.etag)
                let v0 = Int(etag.split(separator: "-").last!.dropLast())!
                #expect(after.etag == "W/\"\(id)-\(v0 + 1)\"", "exactly one write")
            }
            var entries = 0
            for try await n in try await client.query("SELECT count(*)::int FROM outlet_history WHERE outlet_id = \(Int64(id)) AND action = 'patch'",
                                                      logger: TestDatabase.logger).decode(Int.self) { entries = n }
            #expect(entries == 8)
        }
    }
}

// MARK: - Exceptions and nearest

@Suite("Write side: temporary closures take effect at once (PostgreSQL)")
struct WriteExceptionTests {
    let saturday = "2026-03-07T03:00:00Z"  // 11:00 in Shanghai
    @Test("a closure added now changes /v1/nearest now", arguments: [false, true])
    func closureChangesNearest(memory: Bool) async throws {
        try await TestApp.run(memory: memory, prepare: { try await TestDatabase.load(nearestFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let b = try await firstID(client, code: "N-B")
            let here = "lat=\(centre.lat)&lon=\(centre.lon)&business=ebike_registration&at=\(enc(saturday))"
            #expect(try await nearest(http, here).results == ["N-B"])

            let body = #"{"from":"2026-03-07","to":"2026-03-08","intervals":[],"note":"系统升级暂停办理"}"#
            let added = try await call(http, .post, "/v1/outlets/\(b)/exceptions", key: keys.editor, json: body)
            #expect(added.status == .created, "\(added.body)")
            let exceptionID = try #require(added.json["id"] as? String)
            #expect(added.headers[.location] == "/v1/outlets/\(b)/exceptions/\(exceptionID)")
            // No wait: the same process answers with the change.
            #expect(try await nearest(http, here).results.isEmpty)
            let status = try await call(http, .get, "/v1/outlets/\(b)/status?at=\(enc(saturday))")
            #expect(status.json["open"] as? Bool == false)
            #expect(((status.json["rule"] as? [String: Any])?["notes"] as? [String]) == ["系统升级暂停办理"])
            // A retried POST changes nothing.
            let again = try await call(http, .post, "/v1/outlets/\(b)/exceptions", key: keys.editor, json: body)
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == exceptionID)

            // Special hours for one business on one day; invalid bodies name the field.
            let special = try await call(http, .post, "/v1/outlets/\(b)/exceptions", key: keys.editor,
                                         json: #"{"from":"2026-03-09","intervals":[["09:00","12:00"]],"businesses":["ebike_registration"],"note":"半天"}"#)
            #expect(special.status == .created)
            let invalid = try await call(http, .post, "/v1/outlets/\(b)/exceptions", key: keys.editor,
                                         json: #"{"from":"2026-03-10","to":"2026-03-01","intervals":[["9:00","12:00"]],"businesses":["nope"]}"#)
            #expect(invalid.status == .badRequest)
            #expect(Set(invalid.invalidNames).isSuperset(of: ["from", "intervals[0]", "businesses[0]"]), "\(invalid.invalidNames)")

            let list = try await call(http, .get, "/v1/outlets/\(b)/exceptions")
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? String }.first == exceptionID)
            #expect(items.count == 2)
            #expect(try await call(http, .get, "/v1/outlets/\(b)/exceptions/\(exceptionID)").json["note"] as? String == "系统升级暂停办理")

            // Delete: the outlet is back at once; a stale If-Match is refused; unknown ids are 404.
            #expect(try await call(http, .delete, "/v1/outlets/\(b)/exceptions/\(exceptionID)", key: keys.editor, ifMatch: "\"\(b)-1\"").status == .preconditionFailed)
            #expect(try await call(http, .delete, "/v1/outlets/\(b)/exceptions/\(exceptionID)", key: keys.editor).status == .noContent)
            #expect(try await nearest(http, here).results == ["N-B"])
            #expect(try await call(http, .delete, "/v1/outlets/\(b)/exceptions/\(exceptionID)", key: keys.editor).status == .notFound)
            let h = try await call(http, .get, "/v1/outlets/\(b)/history")
            #expect(((h.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }.prefix(3) == ["exception_delete", "exception_add", "exception_add"])
        }
    }
}

// MARK: - Import and export

@Suite("Write side: bulk import and export (PostgreSQL)")
struct WriteImportTests {
    static func generated(_ n: Int, prefix: String = "IMP") -> [OutletRecord] {
        (0..<n).map { (i: Int) -> OutletRecord in
            let lat: Double = 30.5 + Double(i % 100) * 0.003
            let lon: Double = 114.2 + Double(i / 100) * 0.003
            let hours: Hours = i % 3 == 0 ? allDay : officeHours
            return fixture(String(format: "\(prefix)-%04d", i), "导入测试上牌点\(i)", at: GeoPoint(lat: lat, lon: lon), hours: hours)
        }
    }

    func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        for try await n in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) { return n }
        return -1
    }

    @Test func oneBadRowAmongAThousandChangesNothing() async throws {
        try await TestApp.run(prepare: { try await TestDatabase.load(readFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let records = Self.generated(1_000)
            var lines = csvFile(records).split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            // Row 537 (line 538): latitude 95.
            lines[537] = lines[537].replacingOccurrences(of: ",30.", with: ",95.")
            let bad = lines.joined(separator: "\r\n")
            let outletsBefore = try await count(client, "SELECT count(*)::int FROM outlets")
            let historyBefore = try await count(client, "SELECT count(*)::int FROM outlet_history")

            let r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: bad, contentType: "text/csv")
            #expect(r.status == .badRequest)
            #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            let errors = try #require(r.json["errors"] as? [[String: Any]])
            #expect(errors.count == 1)
            #expect(errors.first?["row"] as? Int == 537)
            #expect(errors.first?["field"] as? String == "lat")
            #expect(try await count(client, "SELECT count(*)::int FROM outlets") == outletsBefore)
            #expect(try await count(client, "SELECT count(*)::int FROM outlet_history") == historyBefore)

            // Dry run: the same report, the counts a real run would give, still nothing changed.
            let dry = try await call(http, .post, "/v1/imports?dry_run=true", key: keys.editor, raw: bad, contentType: "text/csv")
            #expect(dry.status == .ok)
            #expect(dry.json["created"] as? Int == 999)
            #expect((dry.json["errors"] as? [[String: Any]])?.first?["row"] as? Int == 537)
            #expect(try await count(client, "SELECT count(*)::int FROM outlets") == outletsBefore)

            // The fixed file: 1,000 created; again: 1,000 unchanged; three edited rows: 3 updated.
            let good = csvFile(records)
            let first = try await call(http, .post, "/v1/imports", key: keys.editor, raw: good, contentType: "text/csv")
            #expect(first.status == .ok, "\(first.body.prefix(500))")
            #expect([first.json["created"], first.json["updated"], first.json["unchanged"]].compactMap { $0 as? Int } == [1_000, 0, 0])
            #expect(try await count(client, "SELECT count(*)::int FROM outlets") == outletsBefore + 1_000)
            let second = try await call(http, .post, "/v1/imports", key: keys.editor, raw: good, contentType: "text/csv")
            #expect([second.json["created"], second.json["updated"], second.json["unchanged"]].compactMap { $0 as? Int } == [0, 0, 1_000])
            var edited = records
            edited[10].phone = "027-12345678"
            edited[20].name = "改名的上牌点"
            edited[30].hours = Hours(rules: officeHours.rules, exceptions: [HoursException(from: LocalDate(iso: "2026-05-06")!, to: LocalDate(iso: "2026-05-06")!, intervals: [], note: "盘点")]).json
            let third = try await call(http, .post, "/v1/imports", key: keys.editor, raw: csvFile(edited), contentType: "text/csv")
            #expect([third.json["created"], third.json["updated"], third.json["unchanged"]].compactMap { $0 as? Int } == [0, 3, 997])
            #expect((third.json["changes"] as? [[String: Any]])?.compactMap { $0["row"] as? Int } == [11, 21, 31])
            #expect(try await count(client, "SELECT count(*)::int FROM outlet_history WHERE action = 'import' AND actor = 'editor.zhang'") == 1_003)

            // File-level problems: a missing column, an unknown one, a duplicated code.
            let noColumn = try await call(http, .post, "/v1/imports", key: keys.editor, raw: "code,name\nA,B\n", contentType: "text/csv")
            #expect(noColumn.status == .badRequest)
            let dup = csvFile([records[0], records[0]])
            let dupR = try await call(http, .post, "/v1/imports?dry_run=true", key: keys.editor, raw: dup, contentType: "text/csv")
            #expect((dupR.json["errors"] as? [[String: Any]])?.first?["row"] as? Int == 2)
        }
    }

    @Test func hoursAsOSMTextKeepStoredExceptions() async throws {
        try await TestApp.run { http, client in
            let keys = try await TestKeys.make(client)
            let csv = "code,name,kind,province,city,district,district_code,lat,lon,businesses,hours\n"
                + "OSM-1,测试点,ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.88,114.37,ebike_registration,\"Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00\"\n"
            #expect(try await call(http, .post, "/v1/imports", key: keys.editor, raw: csv, contentType: "text/csv").json["created"] as? Int == 1)
            let id = try await firstID(client, code: "OSM-1")
            #expect(try await call(http, .post, "/v1/outlets/\(id)/exceptions", key: keys.editor, json: #"{"from":"2026-04-01","intervals":[]}"#).status == .created)
            let changed = csv.replacingOccurrences(of: "Sa 09:00-12:00", with: "Sa 09:00-11:00")
            let r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: changed, contentType: "text/csv")
            #expect(r.json["updated"] as? Int == 1)
            let o = try await call(http, .get, "/v1/outlets/\(id)")
            #expect(((o.json["hours"] as? [String: Any])?["exceptions"] as? [Any])?.count == 1)
            #expect(o.json["opening_hours"] as? String == "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-11:00; PH off")
        }
    }

    /// Export → import into an empty catalogue → export: identical, in CSV and in GeoJSON; and re-importing an export
    /// into its own catalogue changes nothing.
    @Test func exportImportRoundTrip() async throws {
        let withExceptions: [OutletRecord] = readFixture + nearestFixture.map { r in
            var r = r
            r.hours = Hours(rules: officeHours.rules, exceptions: [
                HoursException(from: LocalDate(iso: "2026-03-03")!, to: LocalDate(iso: "2026-03-04")!, intervals: [TimeRange("09:00", "11:00")],
                               businesses: [.ebikeRegistration], note: "系统升级, \"部分\"业务暂停"),
            ]).json
            r.phone = nil
            r.name += "，第二门"
            return r
        }
        let exported = Mutex<(csv: String, geojson: String, lines: [String])>(("", "", []))
        try await TestApp.run(prepare: { try await TestDatabase.load(withExceptions, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let csv = try await call(http, .get, "/v1/outlets.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let geo = try await call(http, .get, "/v1/outlets.geojson")
            #expect(geo.headers[.contentType]?.hasPrefix("application/geo+json") == true)
            #expect((geo.json["features"] as? [Any])?.count == withExceptions.count)
            let lines = try await exportWithoutIDs(http)
            exported.withLock { $0 = (csv.body, geo.body, lines) }
            // Same filters as the list.
            let filtered = try await call(http, .get, "/v1/outlets.csv?district=420102&kind=police_post_point")
            #expect(filtered.body.split(separator: "\r\n").count == 1 + 2)
            #expect(try await call(http, .get, "/v1/outlets.csv?kind=nope").status == .badRequest)
            // Re-import into itself: all unchanged.
            for (body, type) in [(csv.body, "text/csv"), (geo.body, "application/geo+json")] {
                let r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: body, contentType: type)
                #expect(r.json["unchanged"] as? Int == withExceptions.count, "\(type): \(r.body.prefix(300))")
            }
        }
        let (csv, geo, lines) = exported.withLock { $0 }
        for (body, type) in [(csv, "text/csv"), (geo, "application/geo+json")] {
            try await TestApp.run(prepare: { try await TestDatabase.load([], into: $0) }) { http, client in
                let keys = try await TestKeys.make(client)
                let r = try await call(http, .post, "/v1/imports", key: keys.editor, raw: body, contentType: type)
                #expect(r.json["created"] as? Int == withExceptions.count, "\(type): \(r.body.prefix(300))")
                let again = try await exportWithoutIDs(http)
                #expect(again == lines, "\(type): the re-imported catalogue differs")
            }
        }
    }

    /// The issue's "done when": with curl and a key an editor closes an outlet for next Tuesday, fixes its phone, imports
    /// 50 new e-bike points, and sees each change in history and in /v1/nearest; without a key, none of it.
    @Test func editorDay() async throws {
        // Monday 2026-03-02 10:00; next Tuesday is 2026-03-10.
        try await runWithLiveReadModel(prepare: { try await TestDatabase.load(nearestFixture, into: $0) }) { http, client in
            let keys = try await TestKeys.make(client)
            let b = try await firstID(client, code: "N-B")
            let tuesday = "at=\(enc("2026-03-10T10:00:00+08:00"))"
            let here = "lat=\(centre.lat)&lon=\(centre.lon)&business=ebike_registration"
            #expect(try await nearest(http, "\(here)&\(tuesday)").results.contains("N-B"))

            let closure = #"{"from":"2026-03-10","intervals":[],"note":"系统升级暂停办理"}"#
            #expect(try await call(http, .post, "/v1/outlets/\(b)/exceptions", json: closure).status == .unauthorized)
            #expect(try await call(http, .post, "/v1/outlets/\(b)/exceptions", key: keys.editor, json: closure).status == .created)
            #expect(!(try await nearest(http, "\(here)&\(tuesday)").results.contains("N-B")))

            let etag = try #require(try await call(http, .get, "/v1/outlets/\(b)").etag)
            #expect(try await call(http, .patch, "/v1/outlets/\(b)", ifMatch: etag, json: #"{"phone":"027-85550000"}"#).status == .unauthorized)
            #expect(try await call(http, .patch, "/v1/outlets/\(b)", key: keys.editor, ifMatch: etag, json: #"{"phone":"027-85550000"}"#).status == .ok)

            // 50 new 24-hour e-bike points 50–300 m from the query point.
            let points = (0..<50).map { i in
                fixture(String(format: "EB-NEW-%02d", i), "新增电动车上牌点\(i)",
                        at: Geodesy.destination(from: centre, bearingDegrees: Double(i) * 7, distance: 50 + Double(i) * 5), hours: allDay)
            }
            #expect(try await call(http, .post, "/v1/imports", raw: csvFile(points), contentType: "text/csv").status == .unauthorized)
            let imported = try await call(http, .post, "/v1/imports", key: keys.editor, raw: csvFile(points), contentType: "text/csv")
            #expect(imported.json["created"] as? Int == 50)
            try await eventually("the imported points reach the read model") {
                try await nearest(http, "\(here)&\(tuesday)&limit=50").results.filter { $0.hasPrefix("EB-NEW-") }.count == 50
            }
            let h = try await call(http, .get, "/v1/outlets/\(b)/history")
            let actions = ((h.json["items"] as? [[String: Any]]) ?? []).map { "\($0["action"] ?? "")/\($0["actor"] ?? "")" }
            #expect(actions.prefix(2) == ["patch/editor.zhang", "exception_add/editor.zhang"])
            let newID = try await firstID(client, code: "EB-NEW-07")
            let nh = try await call(http, .get, "/v1/outlets/\(newID)/history")
            #expect(((nh.json["items"] as? [[String: Any]]) ?? []).first?["action"] as? String == "import")
        }
    }
}
