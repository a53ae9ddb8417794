import Hummingbird
import ServiceCircleApp

extension QueryParameters {
    /// From the request's raw query string (as Hummingbird's `queryParameters` reads it, but without its dictionary:
    /// this runs on every request of the hot routes).
    init(_ request: Request, allowed: Set<String>) {
        self.init(query: request.uri.query ?? "", allowed: allowed)
    }
}
