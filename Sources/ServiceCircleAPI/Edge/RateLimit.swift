import Hummingbird
import NIOCore
import ServiceCircleApp
import ServiceCircleDomain
import Synchronization

/// Per-client token buckets: `rate` requests a second on average, bursts of up to `burst`. A client is the peer
/// address of the connection — behind a proxy that is the proxy, so there the proxy should limit (docs/operations.md).
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    let rate: Double
    let burst: Double
    let buckets = Mutex<[String: Bucket]>([:])
    /// Past this many clients, buckets that have refilled are forgotten (they would allow a full burst anyway).
    static let pruneAbove = 10_000

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Nil when `client` may go on (a token is taken), else how long until a token is there.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var b = buckets[client] ?? Bucket(tokens: burst, at: now)
            let elapsed = now - b.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            b.tokens = min(burst, b.tokens + seconds * rate)
            b.at = now
            defer {
                if buckets.count > Self.pruneAbove { prune(&buckets, now: now) }
            }
            if b.tokens >= 1 {
                b.tokens -= 1
                buckets[client] = b
                return nil
            }
            buckets[client] = b
            return .milliseconds(Int64(((1 - b.tokens) / rate * 1000).rounded(.up)))
        }
    }

    private func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let full = burst / rate
        buckets = buckets.filter { _, b in
            let elapsed = now - b.at
            return Double(elapsed.components.seconds) < full
        }
    }
}

/// 429 problem+json with `Retry-After` (whole seconds, at least 1) for a client over its rate; health checks and
/// the console's static files are never limited.
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz" || path == "/readyz" || path == "/metrics" {
            return try await next(request, context)
        }
        guard let client = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress else {
            return try await next(request, context)
        }
        if let wait = limiter.take(client) {
            var p = Problem(status: .tooManyRequests,
                            detail: "too many requests from this client: at most \(Int(limiter.rate)) a second (bursts of \(Int(limiter.burst))); try again shortly",
                            type: "https://servicecircle.example/problems/rate-limited")
            p.headers[.retryAfter] = "\(max(1, wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0)))"
            throw p
        }
        return try await next(request, context)
    }
}

/// The request context of the service: Hummingbird's basic context plus the peer address (for rate limits).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
