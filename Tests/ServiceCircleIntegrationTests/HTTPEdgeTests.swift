import CompressNIO
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

/// HTTP as clients expect it (issue 12): HEAD, 405 + Allow, OPTIONS, Cache-Control, weak ETags with freshness,
/// Link paging, CORS, compression. The socket-level behaviours (timeouts, caps, parser errors, drain) are in
/// scripts/edge-test.py, run by the test command.
@Suite("HTTP edge: HEAD, 405, caching, ETags, Link, CORS, compression (PostgreSQL)")
struct HTTPEdgeTests {
    func prepare(_ client: PostgresClient) async throws { try await TestDatabase.load(readFixture, into: client) }

    /// The router of `serve` with CORS origins, on the read fixture, at a fixed clock.
    func withApp(corsOrigins: [String] = [], at now: Instant = Instant(rfc3339: "2026-03-02T10:00:00+08:00")!,
                 _ body: @Sendable (any TestClientProtocol, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await prepare(client)
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(), clock: FixedClock(now),
                                                readModel: nil, placeRegions: try TestDatabase.regions(), logger: TestDatabase.logger)
            let app = Application(router: buildRouter(deps, corsOrigins: corsOrigins), logger: TestDatabase.logger)
            try await app.test(.router) { http in try await body(http, client) }
        }
    }

    /// Every route the router serves, as (method, path with `{name}` parameters).
    func routes(_ client: PostgresClient) -> [(method: HTTPRequest.Method, path: String)] {
        let deps = AppDependencies.postgres(client: client, migrations: [], logger: TestDatabase.logger)
        return buildRouter(deps).routes.map { r in
            let path = r.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return (r.method, "/" + path.joined(separator: "/"))
        }
    }

    func concrete(_ path: String, id: Int64) -> String {
        path.replacingOccurrences(of: "{id}", with: "\(id)").replacingOccurrences(of: "{code}", with: "420116")
            .replacingOccurrences(of: "{file}", with: "console.js").replacingOccurrences(of: "{exception_id}", with: "1")
            .replacingOccurrences(of: "{key}", with: "nobody")
    }

    @Test func headAnswersEveryGETRouteWithItsHeadersAndNoBody() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            let gets = routes(client).filter { $0.method == .get }
            #expect(gets.count >= 20)
            for route in gets {
                let uri = concrete(route.path, id: id)
                let get = try await http.execute(uri: uri, method: .get)
                let head = try await http.execute(uri: uri, method: .head)
                #expect(head.status == get.status, "HEAD \(uri): \(head.status) vs GET \(get.status)")
                #expect(head.status != .notFound || get.status == .notFound, "HEAD \(uri) is routed")
                #expect(head.body.readableBytes == 0, "HEAD \(uri) has no body")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri): content type")
                // The length of the GET's body, also when the GET streams it (no Content-Length of its own).
                #expect(head.headers[.contentLength] == get.headers[.contentLength] ?? "\(get.body.readableBytes)",
                        "HEAD \(uri): the GET's Content-Length")
            }
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            var served: [String: Set<String>] = [:]
            for r in routes(client) { served[r.path, default: []].insert(r.method.rawValue) }
            let trace = HTTPRequest.Method("TRACE")!
            for (path, methods) in served {
                let uri = concrete(path, id: id)
                var allow = methods
                if methods.contains("GET") { allow.insert("HEAD") }
                allow.insert("OPTIONS")
                for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, trace] where !methods.contains(method.rawValue) {
                    let r = try await http.execute(uri: uri, method: method)
                    #expect(r.status == .methodNotAllowed, "\(method) \(uri): \(r.status)")
                    #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                    let listed = Set((r.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(listed == allow, "\(method) \(uri): Allow \(listed.sorted()) vs \(allow.sorted())")
                }
                let options = try await http.execute(uri: uri, method: .options)
                #expect(options.status == .noContent, "OPTIONS \(uri)")
                #expect(options.headers[.allow] != nil)
            }
            // The classic cases of the issue, and an unknown path stays a 404.
            let r = try await http.execute(uri: "/v1/nearest?lat=30&lon=114", method: trace)
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers[.allow] == "GET, HEAD, OPTIONS")
            #expect(try await http.execute(uri: "/v1/outlets", method: .delete).headers[.allow] == "GET, HEAD, POST, OPTIONS")
            // HEAD on a path without GET: 405 too, and bodiless like every HEAD answer.
            let headImports = try await http.execute(uri: "/v1/imports", method: .head)
            #expect(headImports.status == .methodNotAllowed)
            #expect(headImports.headers[.allow] == "POST, OPTIONS")
            #expect(headImports.body.readableBytes == 0)
            #expect(try await http.execute(uri: "/v1/nowhere", method: .delete).status == .notFound)
            #expect(try await http.execute(uri: "/v1/nowhere", method: .get).status == .notFound)
        }
    }

    @Test func cacheControlByRoute() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            let expected: [(String, String)] = [
                ("/v1/business-types", "public, max-age=86400"),
                ("/v1/outlet-kinds", "public, max-age=86400"),
                ("/v1/calendar?from=2026-03-01&to=2026-03-07", "public, max-age=3600"),
                ("/openapi.json", "public, max-age=3600"),
                ("/console", "no-cache"),
                ("/console/console.js", "no-cache"),
                ("/v1/nearest?lat=30.88&lon=114.37&business=ebike_registration", "no-store"),
                ("/v1/outlets/\(id)/status", "no-store"),
                ("/v1/outlets?limit=2", "no-store"),
                ("/healthz", "no-store"),
                ("/v1/regions", "no-cache"),
            ]
            for (uri, value) in expected {
                let r = try await http.execute(uri: uri, method: .get)
                #expect(r.status == .ok, "\(uri)")
                #expect(r.headers[.cacheControl] == value, "\(uri): \(r.headers[.cacheControl] ?? "none")")
                let head = try await http.execute(uri: uri, method: .head)
                #expect(head.headers[.cacheControl] == value, "HEAD \(uri)")
            }
            // Static resources: an ETag of their content, and 304 while it holds.
            for uri in ["/openapi.json", "/console", "/console/console.js", "/console/console.css"] {
                let r = try await http.execute(uri: uri, method: .get)
                let tag = try #require(r.headers[.eTag], "\(uri) has an ETag")
                var h = HTTPFields()
                h[.ifNoneMatch] = tag
                let again = try await http.execute(uri: uri, method: .get, headers: h)
                #expect(again.status == .notModified, "\(uri)")
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == tag)
            }
        }
    }

    /// The outlet's ETag names its stored version and is weak (the body also carries `status`, computed when
    /// answered); the answer is fresh until the status next changes, at most a minute.
    @Test func outletETagIsWeakAndFreshUntilTheStatusChanges() async throws {
        // Monday 11:59:30: the fixture's office closes at 12:00 for lunch, 30 s later.
        try await TestApp.run(at: Instant(rfc3339: "2026-03-02T11:59:30+08:00")!, prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            let r = try await http.execute(uri: "/v1/outlets/\(id)", method: .get)
            let tag = try #require(r.headers[.eTag])
            #expect(tag.hasPrefix("W/\"\(id)-"), "weak: \(tag)")
            #expect(r.headers[.cacheControl] == "max-age=30")
            for sent in [tag, String(tag.dropFirst(2))] {
                var h = HTTPFields()
                h[.ifNoneMatch] = sent
                let again = try await http.execute(uri: "/v1/outlets/\(id)", method: .get, headers: h)
                #expect(again.status == .notModified, "If-None-Match \(sent)")
                #expect(again.headers[.eTag] == tag)
                #expect(again.headers[.cacheControl] == "max-age=30")
            }
        }
        // 10:00, status holds until 12:00: capped at a minute (an edit is then seen within it).
        try await TestApp.run(prepare: prepare) { http, client in
            let id = try await firstID(client, code: "T-001")
            #expect(try await http.execute(uri: "/v1/outlets/\(id)", method: .get).headers[.cacheControl] == "max-age=60")
        }
        // Both forms of the tag are accepted by If-Match, and a 412 tells the current (weak) one.
        try await TestApp.run(prepare: prepare) { http, client in
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-001")
            let tag = try #require(try await call(http, .get, "/v1/outlets/\(id)").etag)
            let strongForm = String(tag.dropFirst(2))
            let ok = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: strongForm, json: #"{"phone":"027-11111111"}"#)
            #expect(ok.status == .ok)
            let newTag = try #require(ok.etag)
            #expect(newTag.hasPrefix("W/"))
            let stale = try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: tag, json: #"{"phone":"027-22222222"}"#)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.etag == newTag)
            #expect(try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: newTag, json: #"{"phone":"027-33333333"}"#).status == .ok)
        }
    }

    @Test func cursorPagedListsCarryALinkToTheNextPage() async throws {
        try await TestApp.run(prepare: prepare) { http, client in
            var uri: String? = "/v1/outlets?kind=ebike_plate_point&limit=7&city=%E6%AD%A6%E6%B1%89%E5%B8%82"
            var seen: [String] = []
            var pages = 0
            while let u = uri {
                let r = try await http.execute(uri: u, method: .get)
                #expect(r.status == .ok, "\(u)")
                let j = try r.json
                seen += (j["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                pages += 1
                if let cursor = j["next_cursor"] as? String {
                    let link = try #require(r.headers[HTTPField.Name("Link")!], "page \(pages) links to the next")
                    #expect(link.hasSuffix(">; rel=\"next\""))
                    #expect(link.contains("cursor=\(cursor)"))
                    #expect(link.contains("kind=ebike_plate_point") && link.contains("limit=7") && link.contains("city=%E6%AD%A6"))
                    uri = String(link.dropFirst().prefix { $0 != ">" })
                } else {
                    #expect(r.headers[HTTPField.Name("Link")!] == nil, "the last page has no next")
                    uri = nil
                }
            }
            #expect(pages == 4)
            #expect(seen.count == 24 && Set(seen).count == 24)
            // The history pages too.
            let keys = try await TestKeys.make(client)
            let id = try await firstID(client, code: "T-002")
            var tag = try #require(try await call(http, .get, "/v1/outlets/\(id)").etag)
            for i in 0..<3 {
                tag = try #require(try await call(http, .patch, "/v1/outlets/\(id)", key: keys.editor, ifMatch: tag,
                                                  json: #"{"phone":"027-1000000\#(i)"}"#).etag)
            }
            let h = try await http.execute(uri: "/v1/outlets/\(id)/history?limit=2", method: .get)
            let link = try #require(h.headers[HTTPField.Name("Link")!])
            #expect(link.hasPrefix("</v1/outlets/\(id)/history?limit=2&cursor="))
            let next = try await http.execute(uri: String(link.dropFirst().prefix { $0 != ">" }), method: .get)
            #expect(next.status == .ok)
            #expect((try next.json["items"] as? [Any])?.isEmpty == false)
        }
    }

    @Test func corsForConfiguredOriginsOnly() async throws {
        let origin = "https://planner.example"
        try await withApp(corsOrigins: [origin, "http://localhost:3000"]) { http, client in
            let id = try await firstID(client, code: "T-001")
            var pre = HTTPFields()
            pre[.origin] = origin
            pre[.accessControlRequestMethod] = "PATCH"
            pre[.accessControlRequestHeaders] = "authorization, content-type, if-match"
            let p = try await http.execute(uri: "/v1/outlets/\(id)", method: .options, headers: pre)
            #expect(p.status == .noContent)
            #expect(p.headers[.accessControlAllowOrigin] == origin)
            #expect(p.headers[.accessControlAllowMethods]?.contains("PATCH") == true)
            for h in ["Authorization", "Content-Type", "If-Match"] {
                #expect(p.headers[.accessControlAllowHeaders]?.contains(h) == true, "allows \(h)")
            }
            #expect(p.headers[.accessControlMaxAge] != nil)
            var get = HTTPFields()
            get[.origin] = origin
            let r = try await http.execute(uri: "/v1/outlets/\(id)", method: .get, headers: get)
            #expect(r.headers[.accessControlAllowOrigin] == origin)
            #expect(r.headers[values: .vary].contains { $0.contains("Origin") })
            for h in ["ETag", "Link", "Retry-After", "X-Nearest-Source"] {
                #expect(r.headers[.accessControlExposeHeaders]?.contains(h) == true, "exposes \(h)")
            }
            // Errors carry the headers too, or a browser hides the problem from the page.
            let missing = try await http.execute(uri: "/v1/outlets/999999", method: .get, headers: get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.accessControlAllowOrigin] == origin)
            // Another origin gets nothing.
            var other = HTTPFields()
            other[.origin] = "https://evil.example"
            #expect(try await http.execute(uri: "/v1/outlets/\(id)", method: .get, headers: other).headers[.accessControlAllowOrigin] == nil)
            other[.accessControlRequestMethod] = "GET"
            #expect(try await http.execute(uri: "/v1/outlets", method: .options, headers: other).headers[.accessControlAllowOrigin] == nil)
        }
        try await withApp(corsOrigins: ["*"]) { http, _ in
            var h = HTTPFields()
            h[.origin] = "https://anyone.example"
            let r = try await http.execute(uri: "/healthz", method: .get, headers: h)
            #expect(r.headers[.accessControlAllowOrigin] == "*")
        }
        // The default: no origins, no CORS headers.
        try await TestApp.run(prepare: prepare) { http, _ in
            var h = HTTPFields()
            h[.origin] = origin
            #expect(try await http.execute(uri: "/healthz", method: .get, headers: h).headers[.accessControlAllowOrigin] == nil)
            h[.accessControlRequestMethod] = "GET"
            let p = try await http.execute(uri: "/v1/outlets", method: .options, headers: h)
            #expect(p.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func gzipAndDeflateWhenAsked() async throws {
        try await TestApp.run(prepare: prepare) { http, _ in
            let plain = try await http.execute(uri: "/openapi.json", method: .get)
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[values: .vary].contains { $0.contains("Accept-Encoding") })
            for (accept, coding) in [("gzip, deflate, br", "gzip"), ("deflate", "deflate"), ("gzip;q=0, deflate;q=0.5", "deflate"), ("*", "gzip")] {
                var h = HTTPFields()
                h[.acceptEncoding] = accept
                let r = try await http.execute(uri: "/openapi.json", method: .get, headers: h)
                #expect(r.headers[.contentEncoding] == coding, "Accept-Encoding: \(accept)")
                #expect(r.headers[.contentLength] == "\(r.body.readableBytes)")
                #expect(r.body.readableBytes < plain.body.readableBytes / 3, "\(coding): \(r.body.readableBytes) bytes")
                var body = r.body
                let inflated = try body.decompress(with: coding == "gzip" ? .gzip() : .zlib())
                #expect(inflated == plain.body, "\(coding) inflates to the same bytes")
                let head = try await http.execute(uri: "/openapi.json", method: .head, headers: h)
                #expect(head.headers[.contentEncoding] == coding && head.headers[.contentLength] == r.headers[.contentLength])
            }
            var none = HTTPFields()
            none[.acceptEncoding] = "gzip;q=0, identity"
            #expect(try await http.execute(uri: "/openapi.json", method: .get, headers: none).headers[.contentEncoding] == nil)
            // Small bodies and /v1/nearest are sent as they are.
            var gz = HTTPFields()
            gz[.acceptEncoding] = "gzip"
            #expect(try await http.execute(uri: "/healthz", method: .get, headers: gz).headers[.contentEncoding] == nil)
            let nearest = try await http.execute(uri: "/v1/nearest?lat=30.88&lon=114.37&business=ebike_registration&limit=50&radius_m=50000",
                                                 method: .get, headers: gz)
            #expect(nearest.status == .ok && nearest.body.readableBytes > 1024)
            #expect(nearest.headers[.contentEncoding] == nil)
            let list = try await http.execute(uri: "/v1/outlets?limit=20", method: .get, headers: gz)
            #expect(list.headers[.contentEncoding] == "gzip")
        }
    }
}
