import Foundation
import ServiceCircleDomain

/// A region as stored, with its boundary and the demand assigned to it.
public struct StoredRegion: Sendable {
    public var region: CoverageRegion
    public var province: String
    public var city: String
    public var level: String
    public var areaKm2: Double
    public var bbox: Region.BoundingBox
    public var populationSource: String
    /// Area of the effective boundary (geodesic, km²), when there is one.
    public var boundaryAreaKm2: Double?
    public var uploadedAt: String?
    /// Residents and points of the demand assigned to the region (for a city: to its districts).
    public var demandPopulation: Int
    public var demandPoints: Int

    package init(region: CoverageRegion, province: String, city: String, level: String, areaKm2: Double, bbox: Region.BoundingBox, populationSource: String, boundaryAreaKm2: Double? = nil, uploadedAt: String? = nil, demandPopulation: Int, demandPoints: Int) {
        self.region = region
        self.province = province
        self.city = city
        self.level = level
        self.areaKm2 = areaKm2
        self.bbox = bbox
        self.populationSource = populationSource
        self.boundaryAreaKm2 = boundaryAreaKm2
        self.uploadedAt = uploadedAt
        self.demandPopulation = demandPopulation
        self.demandPoints = demandPoints
    }
}

/// Regions, their boundaries and the residential demand. `ServiceCircleStore.RegionStore` implements it on PostGIS.
public protocol RegionRepository: Sendable {
    func regions() async throws -> [StoredRegion]
    /// One region with its boundary simplified to `simplify` degrees (0: as stored).
    func region(code: String, simplify: Double) async throws -> StoredRegion?
    func children(of code: String, simplify: Double) async throws -> [StoredRegion]
    func demand(assignedTo codes: [String]) async throws -> [AssignedDemand]
    func demand(in b: Region.BoundingBox) async throws -> [AssignedDemand]
    /// Active outlets offering `businesses` that can serve a point of `b` within `radius`.
    func outlets(near b: Region.BoundingBox, radius: Double, businesses: [BusinessCode]) async throws -> [Outlet]
    func upload(boundary: MultiPolygon, for code: String) async throws -> StoredRegion
    func clearUpload(for code: String) async throws -> StoredRegion
}

extension RegionRepository {
    public func region(code: String) async throws -> StoredRegion? { try await region(code: code, simplify: 0) }
    public func children(of code: String) async throws -> [StoredRegion] { try await children(of: code, simplify: 0) }
}
