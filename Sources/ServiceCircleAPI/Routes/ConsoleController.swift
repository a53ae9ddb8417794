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
        router.get("/console") { _, _ in try Self.file("index.html") }
        router.get("/console/{file}") { _, context in
            guard let name = context.parameters.get("file"), Self.files[name] != nil else {
                throw DomainError.notFound("no console file with that name")
            }
            return try Self.file(name)
        }
    }

    static func file(_ name: String) throws -> Response {
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        guard let type = files[name],
              let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Resources/console") else {
            throw DomainError.unavailable("console file \(name) missing from the build")
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        // Small files that change with the binary: revalidate rather than cache stale script across upgrades.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }
}
