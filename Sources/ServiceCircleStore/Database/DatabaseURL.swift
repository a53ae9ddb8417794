import Foundation
import PostgresNIO

/// Where the service's database is: parsed from a `postgres://` URL (DATABASE_URL) or built for the embedded cluster.
public struct DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// Full path of the socket file (`<dir>/.s.PGSQL.<port>`).
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool

    public init(endpoint: Endpoint, username: String, password: String? = nil, database: String, requireTLS: Bool = false) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    /// Parses `postgres://user:pass@host:port/db?sslmode=...` and the Unix-socket forms
    /// `postgres://user@/db?host=/socket/dir` and `postgres://user@%2Fsocket%2Fdir/db`.
    public init(url text: String) throws {
        guard let comps = URLComponents(string: text), let scheme = comps.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseURLError(reason: "must be a postgres:// or postgresql:// URL")
        }
        let query = Dictionary((comps.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let port = comps.port ?? Int(query["port"] ?? "") ?? 5432
        let host = comps.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        let socketDir = query["host"] ?? (host.hasPrefix("/") ? host : nil)
        if let dir = socketDir {
            endpoint = .unixSocket(path: (dir as NSString).appendingPathComponent(".s.PGSQL.\(port)"))
        } else {
            endpoint = .tcp(host: host.isEmpty ? "localhost" : host, port: port)
        }
        username = comps.user?.removingPercentEncoding ?? query["user"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = comps.password?.removingPercentEncoding ?? query["password"]
        let path = comps.path.hasPrefix("/") ? String(comps.path.dropFirst()) : comps.path
        database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        requireTLS = ["require", "verify-ca", "verify-full"].contains(query["sslmode"] ?? "")
    }

    /// A copy pointing at another database on the same server.
    public func with(database: String) -> DatabaseLocation {
        var copy = self
        copy.database = database
        return copy
    }

    public var url: String {
        let user = username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? username
        switch endpoint {
        case .tcp(let host, let port): return "postgres://\(user)@\(host):\(port)/\(database)"
        case .unixSocket(let path):
            let dir = (path as NSString).deletingLastPathComponent
            let port = path.split(separator: ".").last.map(String.init) ?? "5432"
            return "postgres://\(user)@/\(database)?host=\(dir)&port=\(port)"
        }
    }

    /// The URL without the password, for logs.
    public var description: String { url }

    public var clientConfiguration: PostgresClient.Configuration {
        switch endpoint {
        case .tcp(let host, let port):
            return PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        case .unixSocket(let path):
            return PostgresClient.Configuration(unixSocketPath: path, username: username, password: password, database: database)
        }
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "DATABASE_URL \(reason)" }
}
