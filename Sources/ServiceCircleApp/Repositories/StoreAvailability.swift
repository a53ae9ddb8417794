/// An error a repository throws that may mean "the database cannot be reached now" rather than "this request is
/// wrong" or "this is a bug": the API answers those 503 with Retry-After. The store's driver errors conform.
public protocol StoreAvailabilityError: Error {
    var meansUnavailable: Bool { get }
}

public enum StoreAvailability {
    /// Whether `error` means the database is unreachable, restarting or out of connections.
    public static func isUnavailable(_ error: any Error) -> Bool {
        if let e = error as? any StoreAvailabilityError { return e.meansUnavailable }
        // The driver's pool error lives in a module the store does not export: known by its type's name.
        return String(describing: type(of: error)) == "ConnectionPoolError"
    }
}
