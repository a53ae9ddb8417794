import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain

/// The change feed on PostgreSQL: `LISTEN servicecircle_changes`, which the statement triggers of
/// sql/0005_change_feed.sql notify with `{"table": …, "id": …}` or `{"reload": true}`.
public struct PostgresChangeSource: ChangeSource {
    public static let channel = "servicecircle_changes"
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func run(subscribed: @Sendable () async throws -> Void, apply: @Sendable (CatalogueChange) async throws -> Void) async throws {
        try await client.withConnection { conn in
            try await conn.listen(on: Self.channel) { notifications in
                try await subscribed()
                for try await n in notifications {
                    guard let change = try? JSONDecoder().decode(CatalogueChange.self, from: Data(n.payload.utf8)) else {
                        // Unreadable: the safe reading is "something changed" (a full reload).
                        logger.warning("change feed: unreadable notification, reloading", metadata: ["payload": "\(n.payload)"])
                        try await apply(CatalogueChange(table: "", reload: true))
                        continue
                    }
                    try await apply(change)
                }
            }
        }
    }
}

/// /readyz's question to PostgreSQL: is every migration of this build applied?
public struct PostgresSchemaStatus: SchemaStatus {
    let client: PostgresClient
    let logger: Logger
    let migrations: [Migration]

    public init(client: PostgresClient, logger: Logger, migrations: [Migration]) {
        self.client = client
        self.logger = logger
        self.migrations = migrations
    }

    public func isUpToDate() async throws -> Bool {
        try await Migrator(client: client, logger: logger).isUpToDate(migrations)
    }
}

extension AppDependencies {
    /// The application on PostgreSQL: every repository on one pool.
    public static func postgres(client: PostgresClient, migrations: [Migration], clock: any AppClock = SystemClock(),
                                readModel: ReadModel? = nil, placeRegions: [Region] = [], health: DatabaseHealth? = nil,
                                locator: RegionLocator = .empty, hotline: HotlineData = .empty, trust: TrustSettings = TrustSettings(),
                                logger: Logger) -> AppDependencies {
        AppDependencies(catalogue: Catalogue(client: client, logger: logger),
                        editor: CatalogueEditor(client: client, logger: logger),
                        regions: RegionStore(client: client, logger: logger),
                        keys: APIKeyStore(client: client, logger: logger),
                        schema: PostgresSchemaStatus(client: client, logger: logger, migrations: migrations),
                        clock: clock, readModel: readModel, placeRegions: placeRegions, health: health, locator: locator,
                        hotline: hotline, reports: ReportStore(client: client, logger: logger), trust: trust)
    }
}

extension ReadModel {
    /// The read model loaded from the catalogue in PostgreSQL (the ``ChangeFeed`` keeps it fresh).
    public convenience init(client: PostgresClient, logger: Logger) {
        self.init(source: Catalogue(client: client, logger: logger), logger: logger)
    }
}

/// The health probe: `SELECT 1` on a pool of its own (one connection), so a busy request pool never reads as an outage.
public struct PostgresProbe: DatabaseProbe {
    let client: PostgresClient
    let logger: Logger
    /// Where the database listens, for ``refused()``; nil: never reported refused.
    var endpoint: DatabaseLocation.Endpoint?

    /// A client for probing `location`: one connection, a short connect timeout. Run it as a service.
    public static func client(for location: DatabaseLocation, logger: Logger) -> PostgresClient {
        var configuration = location.clientConfiguration
        configuration.options.maximumConnections = 1
        configuration.options.connectTimeout = .seconds(1)
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    public init(client: PostgresClient, logger: Logger, endpoint: DatabaseLocation.Endpoint? = nil) {
        self.client = client
        self.logger = logger
        self.endpoint = endpoint
    }

    public func refused() async -> Bool {
        guard let endpoint else { return false }
        return SocketCheck.refused(endpoint)
    }

    public func ping() async throws {
        let rows = try await client.query("SELECT 1", logger: logger)
        for try await _ in rows.decode(Int.self) {}
    }
}
