/// One invalid input field: its name (query parameter or JSON path) and why.
public struct InvalidParam: Error, Hashable, Sendable, Codable {
    public var name: String
    public var reason: String
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

/// The one error vocabulary of the service; the API maps it to problem+json once, at the edge.
public enum DomainError: Error, Sendable, Equatable {
    /// Bad input: 400 with every invalid field named.
    case invalid([InvalidParam])
    /// A resource that does not exist: 404.
    case notFound(String)
    /// The service cannot answer yet (database unreachable or not migrated): 503.
    case unavailable(String)

    public static func invalid(_ name: String, _ reason: String) -> DomainError {
        .invalid([InvalidParam(name: name, reason: reason)])
    }
}
