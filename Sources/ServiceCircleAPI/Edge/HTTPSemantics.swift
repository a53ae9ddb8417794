import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Synchronization

// HTTP as clients expect it, applied to every route in one place (docs/api.md, "HTTP"): 405 with `Allow`,
// OPTIONS, Cache-Control by route, CORS for configured origins, gzip/deflate.

/// The routes the router serves, by path pattern, for `Allow` (filled once the routes are registered).
final class RouteTable: Sendable {
    struct Route: Sendable {
        var segments: [Substring]
        var methods: Set<HTTPRequest.Method>
    }
    private let routes = Mutex<[Route]>([])

    static let methodOrder: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    func record(_ descriptions: [Router<AppContext>.RouteDescription]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for d in descriptions { byPath[d.path.description, default: []].insert(d.method) }
        routes.withLock { table in
            table = byPath.map { path, methods in
                var m = methods
                if m.contains(.get) { m.insert(.head) }
                m.insert(.options)
                return Route(segments: path.split(separator: "/", omittingEmptySubsequences: true), methods: m)
            }
        }
    }

    /// The methods served on `path`, nil when no route matches it.
    func methods(for path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let found = routes.withLock { table -> Set<HTTPRequest.Method> in
            var found = Set<HTTPRequest.Method>()
            for r in table where r.segments.count == parts.count {
                if zip(r.segments, parts).allSatisfy({ pattern, part in
                    pattern.first == ":" || pattern.first == "{" || pattern == "*" || pattern == part
                }) { found.formUnion(r.methods) }
            }
            return found
        }
        return found.isEmpty ? nil : Self.methodOrder.filter(found.contains)
    }
}

/// HEAD answers the GET's status and headers with no body (the router sends HEAD to the GET route; this makes
/// errors bodiless too, and gives a streamed GET answer its real `Content-Length` rather than 0, since NIO would
/// otherwise frame an unknown length as chunked and send a terminator a HEAD client does not expect).
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        var headers = response.headers
        if headers[.contentLength] == nil, response.status.code >= 200, response.status != .noContent, response.status != .notModified {
            headers[.contentLength] = String(try await CompressionMiddleware<Context>.collect(response.body, length: 0).readableBytes)
        }
        return Response(status: response.status, headers: headers, body: .init())
    }
}

/// A known path asked with a method it does not serve: 405 with `Allow` instead of the router's 404; OPTIONS on
/// a known path: 204 with `Allow`. Runs only when the router found no route, so it costs the routes nothing.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound && e.body == nil {
            // A route that itself answered a bare 404 (its method is served here) keeps it.
            guard let methods = table.methods(for: request.uri.path), !methods.contains(request.method) || request.method == .options
            else { throw e }
            let allow = methods.map(\.rawValue).joined(separator: ", ")
            if request.method == .options {
                var headers = HTTPFields()
                headers[.allow] = allow
                return Response(status: .noContent, headers: headers)
            }
            var p = Problem(status: .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here; allowed: \(allow)")
            p.headers[.allow] = allow
            throw p
        }
    }
}

/// `Cache-Control` values and the route table (docs/api.md, "ETags and caching").
enum CachePolicy {
    /// Answers that depend on the time of the request, or on a key: never stored.
    static let noStore = "no-store"
    /// The reference lists are compiled into the binary: they change only with a release.
    static let reference = "public, max-age=86400"
    /// The holiday calendar changes when a State Council notice is loaded or corrected (once or twice a year).
    static let calendar = "public, max-age=3600"
    /// Everything else: a cache may keep it but must ask again each time (catalogue data, edited at any time).
    static let revalidate = "no-cache"
    /// The route whose answers are never compressed (measured: BENCHMARKS.md, "Compression and /v1/nearest").
    static let uncompressedRoute = "/v1/nearest"

    /// By route as Hummingbird names it (`context.endpointPath`, parameters as `{id}`). Routes that set their own
    /// (an outlet, the OpenAPI document, the console) are not listed.
    static let byRoute: [String: String] = [
        "/v1/nearest": noStore,
        "/v1/outlets": noStore,  // each item carries its status now
        "/v1/outlets/{id}/status": noStore,
        "/healthz": noStore,
        "/readyz": noStore,
        "/v1/keys": noStore,
        "/v1/outlet-kinds": reference,
        "/v1/business-types": reference,
        "/v1/calendar": calendar,
    ]
}

/// `Cache-Control` by route on successful GET/HEAD answers that do not set their own.
struct CachePolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method == .get || request.method == .head, response.headers[.cacheControl] == nil,
              (200..<300).contains(response.status.code) || response.status == .notModified else { return response }
        response.headers[.cacheControl] = context.endpointPath.flatMap { CachePolicy.byRoute[$0] } ?? CachePolicy.revalidate
        return response
    }
}

/// CORS for the configured origins (`cors.origins`); not installed when there are none.
struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    let anyOrigin: Bool
    static var allowMethods: String { "GET, HEAD, POST, PUT, PATCH, DELETE" }
    static var allowHeaders: String { "Authorization, Content-Type, If-Match, If-None-Match" }
    static var exposeHeaders: String { "ETag, Link, Location, Retry-After, X-Nearest-Source, WWW-Authenticate" }
    /// How long a browser may reuse a preflight answer (Chrome caps it at 2 h).
    static var maxAge: String { "3600" }

    init(origins: [String]) {
        self.anyOrigin = origins.contains("*")
        self.origins = Set(origins.filter { $0 != "*" })
    }

    func allowedOrigin(_ request: Request) -> String? {
        guard let origin = request.headers[.origin], origin != "null" else { return nil }
        if anyOrigin { return "*" }
        return origins.contains(origin) ? origin : nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allow = allowedOrigin(request) else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = allow
            headers[.accessControlAllowMethods] = Self.allowMethods
            headers[.accessControlAllowHeaders] = Self.allowHeaders
            headers[.accessControlMaxAge] = Self.maxAge
            if !anyOrigin { headers[.vary] = "Origin" }
            return Response(status: .noContent, headers: headers)
        }
        func decorate(_ headers: inout HTTPFields) {
            headers[.accessControlAllowOrigin] = allow
            headers[.accessControlExposeHeaders] = Self.exposeHeaders
            if !anyOrigin { headers.append(HTTPField(name: .vary, value: "Origin")) }
        }
        do {
            var response = try await next(request, context)
            decorate(&response.headers)
            return response
        } catch var p as Problem {
            decorate(&p.headers)
            throw p
        }
    }
}

/// gzip or deflate for a client that asks (`Accept-Encoding`), on bodies of at least ``minimumSize`` bytes of a
/// text type. `/v1/nearest` is left out: measured, compressing its few kilobytes costs more server time than
/// the route itself (BENCHMARKS.md).
struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    static var minimumSize: Int { 1024 }

    enum Coding: String { case gzip, deflate }

    /// The coding to use from an `Accept-Encoding` value: gzip first, then deflate; `q=0` refuses one.
    static func choose(_ accept: String) -> Coding? {
        var gzip: Double?, deflate: Double?, any: Double?
        for item in accept.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first else { continue }
            var q = 1.0
            for p in parts.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            switch name {
            case "gzip", "x-gzip": gzip = q
            case "deflate": deflate = q
            case "*": any = q
            default: break
            }
        }
        if (gzip ?? any ?? 0) > 0 { return .gzip }
        if (deflate ?? any ?? 0) > 0 { return .deflate }
        return nil
    }

    static func compressible(_ contentType: String?) -> Bool {
        guard let t = contentType?.lowercased() else { return false }
        return t.hasPrefix("application/json") || t.hasPrefix("application/geo+json") || t.hasPrefix("application/problem+json")
            || t.hasPrefix("text/") || t.hasPrefix("image/svg+xml") || t.hasPrefix("application/javascript")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let endpoint = context.endpointPath, endpoint == CachePolicy.uncompressedRoute { return try await next(request, context) }
        var response = try await next(request, context)
        guard response.status.code >= 200, response.status != .noContent, response.status != .notModified,
              response.headers[.contentEncoding] == nil, Self.compressible(response.headers[.contentType]),
              let length = response.body.contentLength, length >= Self.minimumSize else { return response }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        guard let accept = request.headers[.acceptEncoding], let coding = Self.choose(accept) else { return response }
        var body = try await Self.collect(response.body, length: length)
        // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), which compress-nio calls zlib.
        let compressed = try body.compress(with: coding == .gzip ? .gzip() : .zlib())
        response.headers[.contentEncoding] = coding.rawValue
        response.headers[.contentLength] = String(compressed.readableBytes)
        if let tag = response.headers[.eTag], !tag.hasPrefix("W/") {
            // A strong tag names exact bytes: the compressed ones are another representation.
            response.headers[.eTag] = String(tag.dropLast()) + "-\(coding.rawValue)\""
        }
        response.body = .init(byteBuffer: compressed)
        return response
    }

    /// The bytes of a response body (these bodies are one buffer; the writer gathers whatever it is given).
    static func collect(_ body: ResponseBody, length: Int) async throws -> ByteBuffer {
        let sink = Sink()
        sink.buffer.reserveCapacity(length)
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer
    }

    final class Sink { var buffer = ByteBuffer() }

    struct CollectingWriter: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws {
            var b = buffer
            sink.buffer.writeBuffer(&b)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// `Link: <…>; rel="next"` (RFC 8288) for a cursor-paged list: the same request with `cursor` set to the next page's.
enum PageLink {
    static func next(_ request: Request, cursor: String) -> String {
        var items = (request.uri.query ?? "").split(separator: "&").filter { !$0.isEmpty && $0 != "cursor" && !$0.hasPrefix("cursor=") }
        items.append("cursor=\(cursor)"[...])
        var target = request.uri.path + "?" + items.joined(separator: "&")
        // A query may hold characters a Link value cannot (the parser lets `<`, `>` and `"` through).
        if target.contains(where: { $0 == "<" || $0 == ">" || $0 == "\"" }) {
            target = target.replacingOccurrences(of: "<", with: "%3C").replacingOccurrences(of: ">", with: "%3E")
                .replacingOccurrences(of: "\"", with: "%22")
        }
        return "<\(target)>; rel=\"next\""
    }
}

extension HTTPField.Name {
    /// RFC 8288 (not among swift-http-types' predefined names).
    static let link = HTTPField.Name("Link")!
}
