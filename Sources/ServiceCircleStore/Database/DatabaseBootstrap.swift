import Foundation
import Logging
import PostgresNIO

/// Gets a database ready: the server named by DATABASE_URL, or the embedded cluster started on demand.
public enum DatabaseBootstrap {
    /// Resolves where the database is, starting the embedded cluster when there is no URL.
    public static func locate(databaseURL: String?, dataDirectory: URL, logger: Logger) throws -> (DatabaseLocation, EmbeddedCluster?) {
        if let url = databaseURL, !url.isEmpty {
            return (try DatabaseLocation(url: url), nil)
        }
        let cluster = EmbeddedCluster(dataDirectory: dataDirectory, logger: logger)
        try cluster.start()
        return (cluster.location, cluster)
    }

    /// Runs `body` with a running pooled client for `location`; `maximumConnections` caps the pool
    /// (PostgresNIO's default, 20, when nil).
    @discardableResult
    public static func withClient<R: Sendable>(_ location: DatabaseLocation, logger: Logger, maximumConnections: Int? = nil,
                                               _ body: @Sendable (PostgresClient) async throws -> R) async throws -> R {
        var configuration = location.clientConfiguration
        if let maximumConnections { configuration.options.maximumConnections = maximumConnections }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // Wait until the run task has started, so the first query does not find the pool not running yet.
            let started = AsyncStream<Void>.makeStream()
            group.addTask {
                started.continuation.finish()
                await client.run()
            }
            for await _ in started.stream {}
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Creates `location.database` on its server when missing (connecting to the `postgres` database).
    public static func createDatabaseIfMissing(_ location: DatabaseLocation, logger: Logger) async throws {
        let admin = location.with(database: "postgres")
        try await withClient(admin, logger: logger) { client in
            let rows = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(location.database)", logger: logger)
            var exists = false
            for try await _ in rows { exists = true }
            if !exists {
                logger.info("creating database", metadata: ["database": "\(location.database)"])
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(location.database.replacingOccurrences(of: "\"", with: "\"\""))\""), logger: logger)
            }
        }
    }
}
