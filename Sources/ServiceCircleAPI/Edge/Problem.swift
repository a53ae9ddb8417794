import Foundation
import Hummingbird
import ServiceCircleApp
import ServiceCircleDomain

/// An RFC 9457 problem detail, the body of every error response (`application/problem+json`).
public struct Problem: Error, Codable, Sendable, HTTPResponseError {
    public var type: String
    public var title: String
    public var statusCode: Int
    public var detail: String
    public var invalidParams: [InvalidParam]?
    /// Extra response headers (`WWW-Authenticate` on a 401, `ETag` on a 412); not part of the body.
    public var headers = HTTPFields()

    enum CodingKeys: String, CodingKey {
        case type, title, detail
        case statusCode = "status"
        case invalidParams = "invalid_params"
    }

    public init(status: HTTPResponse.Status, detail: String, invalidParams: [InvalidParam]? = nil, type: String? = nil) {
        self.type = type ?? "https://servicecircle.example/problems/\(status.code)"
        self.title = status.reasonPhrase
        self.statusCode = status.code
        self.detail = detail
        self.invalidParams = invalidParams
    }

    public var status: HTTPResponse.Status { .init(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json; charset=utf-8"
        headers.append(contentsOf: self.headers)
        let body = try JSONEncoder().encode(self)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The one place where errors become HTTP: the domain's vocabulary, the write side's refusals, and HTTP errors
    /// from the framework. Anything else is nil: a 500, logged, because it is a bug.
    public static func from(_ error: any Error) -> Problem? {
        switch error {
        case let p as Problem: return p
        case let d as DomainError:
            switch d {
            case .invalid(let params):
                let names = params.map(\.name)
                let detail = params.count == 1 ? "\(params[0].name): \(params[0].reason)"
                    : "invalid parameters: \(names.joined(separator: ", "))"
                return Problem(status: .badRequest, detail: detail, invalidParams: params, type: "https://servicecircle.example/problems/invalid-parameters")
            case .notFound(let what): return Problem(status: .notFound, detail: what)
            case .unavailable(let why):
                var p = Problem(status: .serviceUnavailable, detail: why)
                p.headers[.retryAfter] = "2"
                return p
            }
        case let e as EditError:
            switch e {
            case .notFound(let id): return Problem(status: .notFound, detail: "no outlet with id \(id.rawValue)")
            case .stale(let id, let current):
                var p = Problem(status: .preconditionFailed,
                                detail: "the outlet changed since you read it (it is at version \(current)); GET it again, reapply your edit and send its new ETag")
                p.headers[.eTag] = WriteSupport.etag(id: id, version: current)
                return p
            case .duplicateCode(let code):
                return Problem(status: .conflict, detail: "another outlet already has code '\(code)'",
                               invalidParams: [InvalidParam(name: "code", reason: "already used by another outlet")])
            }
        case let e as APIKeyError:
            switch e {
            case .invalidName: return Problem(status: .badRequest, detail: e.description, invalidParams: [InvalidParam(name: "name", reason: e.description)])
            case .nameTaken: return Problem(status: .conflict, detail: e.description, invalidParams: [InvalidParam(name: "name", reason: "taken by a live key")])
            }
        case let h as HTTPError:
            return Problem(status: h.status, detail: h.body ?? (h.status == .notFound ? "no such resource" : h.status.reasonPhrase))
        case let e where StoreAvailability.isUnavailable(e):
            var p = Problem(status: .serviceUnavailable, detail: "the database is unavailable; try again shortly")
            p.headers[.retryAfter] = "2"
            return p
        default: return nil
        }
    }
}

/// Maps every error thrown below it to problem+json; anything unexpected is a logged 500 (a bug by definition).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let p = Problem.from(error) { throw p }
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(status: .internalServerError, detail: "internal error; it has been logged")
        }
    }
}
