import Hummingbird
import Logging

/// One log line per request: request id (Hummingbird's `hb.request.id` metadata), method, route, status, duration.
/// The route is the matched pattern (`/v1/outlets/:id`), never the query string or the raw path: a caller's words,
/// phone numbers and precise positions travel in requests and must not reach the logs (PIPL).
struct RequestLoggingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: Int) {
            let d = ContinuousClock.now - start
            let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            context.logger.info("request", metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "unmatched")",
                "status": "\(status)", "duration_ms": "\((ms * 100).rounded() / 100)",
            ])
        }
        do {
            let response = try await next(request, context)
            log(response.status.code)
            return response
        } catch let e as any HTTPResponseError {
            log(e.status.code)
            throw e
        } catch {
            log(500)
            throw error
        }
    }
}
