import Foundation

/// Where suggested sites may go (`candidates=` of the coverage routes).
public enum SiteCandidates: Sendable, Hashable {
    /// The area's demand points (communities and villages): the default.
    case demand
    /// The points of a square lattice of this spacing (metres) inside the area.
    case grid(metres: Double)
    /// Every active outlet of this kind inside the area (e.g. each police-station window as a place to add a service).
    case outletKind(OutletKind)

    /// Lattice spacing bounds of `grid:<metres>`.
    public static let gridMetresRange = 100.0...20_000.0
    /// At most this many candidates: a finer grid over a large area is refused with the count.
    public static let maxCandidates = 20_000

    /// `demand`, `grid:1000`, `kind:police_station_window`.
    public var text: String {
        switch self {
        case .demand: "demand"
        case .grid(let m): "grid:\(m == m.rounded() ? String(Int(m)) : String(m))"
        case .outletKind(let k): "kind:\(k.rawValue)"
        }
    }

    /// Parses `demand`, `grid:<metres>` or `kind:<outlet kind>`; nil with the reason otherwise.
    public static func parse(_ s: String) -> Result<SiteCandidates, InvalidParam> {
        func bad(_ why: String) -> Result<SiteCandidates, InvalidParam> { .failure(InvalidParam(name: "candidates", reason: why)) }
        if s == "demand" { return .success(.demand) }
        if s.hasPrefix("grid:") {
            let v = String(s.dropFirst(5))
            guard !v.isEmpty, v.first != "0", v.count <= 9, v.allSatisfy({ $0.isASCII && $0.isNumber }), let m = Double(v) else {
                return bad("'\(s)': grid:<metres> takes a whole number of metres, e.g. grid:1000")
            }
            guard gridMetresRange.contains(m) else {
                return bad("'\(s)': the grid spacing must be between \(Int(gridMetresRange.lowerBound)) and \(Int(gridMetresRange.upperBound)) metres")
            }
            return .success(.grid(metres: m))
        }
        if s.hasPrefix("kind:") {
            guard let k = OutletKind(rawValue: String(s.dropFirst(5))) else {
                return bad("'\(s)': unknown outlet kind; one of \(OutletKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .success(.outletKind(k))
        }
        return bad("'\(s)' must be demand, grid:<metres> or kind:<outlet kind>")
    }
}

/// One place a new site could go.
public struct SiteCandidate: Sendable {
    public enum Kind: String, Sendable {
        case demandPoint = "demand_point", grid, outlet
    }
    /// Stable within the query: a demand point's code (`420116-0001`), `grid:<metres>:<row>:<column>`, `outlet:<id>`.
    public var id: String
    public var kind: Kind
    public var location: GeoPoint
    /// The demand point's or outlet's name; for a lattice point, empty.
    public var name: String
    /// For a demand point: the point with its region.
    public var demand: AssignedDemand?
    /// For an outlet: its code and kind.
    public var outletCode: String?
    public var outletKind: OutletKind?

    public init(id: String, kind: Kind, location: GeoPoint, name: String, demand: AssignedDemand? = nil,
                outletCode: String? = nil, outletKind: OutletKind? = nil) {
        self.id = id
        self.kind = kind
        self.location = location
        self.name = name
        self.demand = demand
        self.outletCode = outletCode
        self.outletKind = outletKind
    }

    public static func demandPoint(_ d: AssignedDemand) -> SiteCandidate {
        SiteCandidate(id: d.point.code, kind: .demandPoint, location: d.point.location, name: d.point.name, demand: d)
    }

    public static func outlet(_ o: Outlet) -> SiteCandidate {
        SiteCandidate(id: "outlet:\(o.id.rawValue)", kind: .outlet, location: o.location, name: o.name,
                      outletCode: o.code, outletKind: o.kind)
    }

    /// The lattice points of spacing `metres` inside `area` (a point-in-polygon test over `boundaries`, or the
    /// bbox when there are none). The lattice is anchored at the whole degree nearest the area's centre, so a
    /// point's id (`grid:<metres>:<row>:<column>`) is stable for an area. nil when it would exceed `limit` points.
    public static func grid(metres: Double, bbox b: Region.BoundingBox, boundaries: [MultiPolygon], limit: Int) -> [SiteCandidate]? {
        let originLat = ((b.minLat + b.maxLat) / 2).rounded(), originLon = ((b.minLon + b.maxLon) / 2).rounded()
        let phi = originLat * .pi / 180
        let mLat = 111_132.92 - 559.82 * cos(2 * phi) + 1.175 * cos(4 * phi)
        let mLon = 111_412.84 * cos(phi) - 93.5 * cos(3 * phi)
        let dLat = metres / mLat, dLon = metres / mLon
        let i0 = Int(((b.minLat - originLat) / dLat).rounded(.up)), i1 = Int(((b.maxLat - originLat) / dLat).rounded(.down))
        let j0 = Int(((b.minLon - originLon) / dLon).rounded(.up)), j1 = Int(((b.maxLon - originLon) / dLon).rounded(.down))
        guard i1 >= i0, j1 >= j0 else { return [] }
        let index = boundaries.isEmpty ? nil : PolygonIndex(boundaries)
        var out: [SiteCandidate] = []
        let label = metres == metres.rounded() ? String(Int(metres)) : String(metres)
        for i in i0...i1 {
            for j in j0...j1 {
                let p = GeoPoint(lat: originLat + Double(i) * dLat, lon: originLon + Double(j) * dLon)
                if let index, index.feature(containing: p) == nil { continue }
                out.append(SiteCandidate(id: "grid:\(label):\(i):\(j)", kind: .grid,
                                         location: GeoPoint(lat: (p.lat * 1e6).rounded() / 1e6, lon: (p.lon * 1e6).rounded() / 1e6), name: ""))
                if out.count > limit { return nil }
            }
        }
        return out
    }
}
