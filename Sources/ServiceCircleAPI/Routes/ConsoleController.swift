import Foundation
import Hummingbird
import ServiceCircleApp
import ServiceCircleDomain

/// The hotline agent console: one page and its script and style, served from the package's resources
/// (no CDN, no build step), calling the public API like any other client.
struct ConsoleController: Sendable {
    static let files: [String: String] = [
        "index.html": "text/html; charset=utf-8",
        "console.js": "text/javascript; charset=utf-8",
        "console.css": "text/css; charset=utf-8",
    ]

    func register(on router: Router<AppContext>) {
        router.get("/console") { request, _ in try Self.file("index.html", request) }
        router.get("/console/{file}") { request, context in
            guard let name = context.parameters.get("file"), Self.files[name] != nil else {
                throw DomainError.notFound("no console file with that name")
            }
            return try Self.file(name, request)
        }
    }

    /// The files change only with the binary, together: a page must not run with a script of another release, so a
    /// browser revalidates each load (`no-cache`) and gets 304 while the ETag holds.
    static let cacheControl = "no-cache"

    static let loaded: [String: StaticResource] = {
        var out: [String: StaticResource] = [:]
        for (name, type) in files {
            let base = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            if let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Resources/console"),
               let data = try? Data(contentsOf: url) {
                out[name] = StaticResource(data, contentType: type)
            }
        }
        return out
    }()

    static func file(_ name: String, _ request: Request) throws -> Response {
        guard let resource = loaded[name] else { throw DomainError.unavailable("console file \(name) missing from the build") }
        return resource.response(to: request, cacheControl: cacheControl)
    }
}

/// A file served from the package's resources: read once, with a weak ETag of its content (weak, so that the
/// same tag holds for its gzip form) and 304 for `If-None-Match`.
struct StaticResource: Sendable {
    let bytes: ByteBuffer
    let etag: String
    let contentType: String

    init(_ data: Data, contentType: String) {
        bytes = ByteBuffer(bytes: data)
        // FNV-1a, 64 bits: enough to tell two releases' files apart.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        etag = "W/\"\(String(h, radix: 16))\""
        self.contentType = contentType
    }

    func response(to request: Request, cacheControl: String) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = cacheControl
        if let inm = request.headers[.ifNoneMatch], inm.split(separator: ",").contains(where: {
            let t = $0.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == etag || t == etag.dropFirst(2)
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
