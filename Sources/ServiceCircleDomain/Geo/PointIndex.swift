import Foundation

/// A bucket index of WGS-84 points for "which points lie within r metres (geodesic) of p?".
///
/// Buckets are `cellDegrees` square. Candidates are screened with the haversine on the mean sphere, which errs by
/// less than 0.6 % against the WGS-84 geodesic (the bound ``OutletGrid`` uses); only those the screen cannot decide
/// get the exact geodesic (``Geodesy/distance(_:_:)``), so answers are exactly those of PostGIS
/// `ST_DWithin(geography, geography, r, true)`.
public struct PointIndex: Sendable {
    public let points: [GeoPoint]
    let cellDegrees: Double
    var buckets: [Int64: [Int32]] = [:]
    let cosLat: [Double]

    static let approxError = 0.006
    static let metresPerRadian = 6_371_008.8

    public init(_ points: [GeoPoint], cellDegrees: Double = 0.05) {
        self.points = points
        self.cellDegrees = cellDegrees
        cosLat = points.map { cos($0.lat * .pi / 180) }
        for (i, p) in points.enumerated() {
            buckets[key(row: row(p.lat), column: column(p.lon)), default: []].append(Int32(i))
        }
    }

    func row(_ lat: Double) -> Int64 { Int64(((lat + 90) / cellDegrees).rounded(.down)) }
    func column(_ lon: Double) -> Int64 { Int64(((lon + 180) / cellDegrees).rounded(.down)) }
    func key(row: Int64, column: Int64) -> Int64 { row * 1_000_000 + column }

    /// Calls `body` with the index of every point within `radius` metres of `p` (geodesic), in no particular order.
    public func forEach(within radius: Double, of p: GeoPoint, _ body: (Int) -> Void) {
        let dLat = radius / 110_574 * 1.01
        let worstCos = cos(min(89.9, abs(p.lat) + dLat) * .pi / 180)
        let dLon = radius / (111_320 * worstCos) * 1.01
        let r0 = row(p.lat - dLat), r1 = row(p.lat + dLat)
        let c0 = column(p.lon - dLon), c1 = column(p.lon + dLon)
        let pc = cos(p.lat * .pi / 180)
        let sure = radius * (1 - Self.approxError) - 1
        let never = radius * (1 + Self.approxError) + 1
        for r in r0...r1 {
            for c in c0...c1 {
                guard let bucket = buckets[key(row: r, column: c)] else { continue }
                for j in bucket {
                    let i = Int(j)
                    let q = points[i]
                    let sLat = sin((q.lat - p.lat) * .pi / 360)
                    let sLon = sin((q.lon - p.lon) * .pi / 360)
                    let h = min(1, sLat * sLat + pc * cosLat[i] * sLon * sLon)
                    let approx = 2 * asin(h.squareRoot()) * Self.metresPerRadian
                    if approx > never { continue }
                    if approx <= sure || Geodesy.distance(p, q) <= radius { body(i) }
                }
            }
        }
    }

    /// Whether any point lies within `radius` of `p`.
    public func any(within radius: Double, of p: GeoPoint) -> Bool {
        var found = false
        forEach(within: radius, of: p) { _ in found = true }
        return found
    }
}
