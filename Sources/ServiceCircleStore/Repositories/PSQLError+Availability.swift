import PostgresNIO
import ServiceCircleApp

extension PSQLError: StoreAvailabilityError {
    /// Lost or refused connections, and the server's own "shutting down / starting up / too many clients"
    /// (SQLSTATE class 08, 57P01–57P03, 53300): the database is unavailable, not the request wrong.
    public var meansUnavailable: Bool {
        switch code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            guard let state = serverInfo?[.sqlState] else { return false }
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
        default:
            return false
        }
    }
}
