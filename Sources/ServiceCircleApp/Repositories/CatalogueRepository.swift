import Foundation
import ServiceCircleDomain

/// Filters of the outlet list (`GET /v1/outlets`).
public struct OutletFilter: Sendable, Hashable {
    public var kinds: [OutletKind] = []
    /// An outlet must offer all of them.
    public var businesses: [BusinessCode] = []
    public var city: String?
    public var districtCode: String?
    /// Whitespace-separated words; each must occur in the name, address or administrative names.
    public var text: String?
    public var operatingStates: [OperatingState] = []
    public var afterID: Outlet.ID?
    public var limit: Int = 50
    public init() {}
}

/// A candidate of a spatial search: the outlet and its geodesic distance in metres from the query point.
public struct OutletDistance: Sendable {
    public var outlet: Outlet
    public var distance: Double

    package init(outlet: Outlet, distance: Double) {
        self.outlet = outlet
        self.distance = distance
    }
}


/// Reads of the catalogue: outlets, spatial candidates, the calendar and the names the place lookup indexes.
/// `ServiceCircleStore.Catalogue` implements it on PostgreSQL.
public protocol CatalogueRepository: Sendable {
    func outlet(id: Outlet.ID) async throws -> Outlet?
    /// One keyset page of the outlet list, in id order.
    func outlets(_ f: OutletFilter) async throws -> [Outlet]
    /// Candidates within `radius` of `p` in (sphere distance, id) order, with their sphere distance: the PostGIS nearest path.
    func nearestFirst(of p: GeoPoint, within radius: Double, businesses: [BusinessCode], kinds: [OutletKind],
                      offset: Int, limit: Int) async throws -> [(OutletDistance, sphere: Double)]
    /// Every candidate within `radius` (geodesic), in (distance, id) order, after `after` when given.
    func within(radius: Double, of p: GeoPoint, businesses: [BusinessCode], kinds: [OutletKind],
                after: (distance: Double, id: Outlet.ID)?, limit: Int?) async throws -> [OutletDistance]
    func holidayCalendar() async throws -> HolidayCalendar
    /// Outlets as named points (the place lookup).
    func outletPlaces() async throws -> [NamedPoint]
    /// The demand tables' named communities and villages, with their streets.
    func demandPlaces() async throws -> [NamedPoint]
}

extension CatalogueRepository {
    public func within(radius: Double, of p: GeoPoint, businesses: [BusinessCode], kinds: [OutletKind]) async throws -> [OutletDistance] {
        try await within(radius: radius, of: p, businesses: businesses, kinds: kinds, after: nil, limit: nil)
    }
}

/// Whether the database holds every migration this build knows (/readyz).
public protocol SchemaStatus: Sendable {
    func isUpToDate() async throws -> Bool
}
