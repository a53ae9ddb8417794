import ServiceCircleDomain
import Foundation

// The cheap distance a walk ranks candidates by, and the bounds that let it stop reading cells.

extension OutletGrid {
    /// How far, relatively, the cheap distance may be from the geodesic one.
    static let approxError = 0.006
    /// Mean radius of the sphere the cheap distance uses (that of PostGIS's sphere).
    static let metresPerRadian = 6_371_008.8

    /// The cheap distance from `p` (whose cos φ is `cosLat`) to an entry: haversine on the mean sphere, which
    /// errs by less than 0.6 % against the WGS-84 geodesic.
    @inline(__always)
    static func approxDistance(from p: GeoPoint, cosLat: Double, to e: Entry) -> Double {
        let sLat = sin((e.lat - p.lat) * .pi / 360)
        let sLon = sin((e.lon - p.lon) * .pi / 360)
        let h = min(1, sLat * sLat + cosLat * e.cosLat * sLon * sLon)
        return 2 * asin(h.squareRoot()) * metresPerRadian
    }

    /// Upper bound of the approximate distance of anything whose geodesic distance is ≤ `d`.
    static func looseAbove(_ d: Double) -> Double { d * (1 + approxError) + 1 }
    /// Lower bound of the approximate distance of anything whose geodesic distance is > `d`.
    static func looseBelow(_ d: Double) -> Double { d * (1 - approxError) - 1 }
    /// Bounds of the geodesic distance of an entry whose cheap distance is `approx`.
    static func low(_ approx: Double) -> Double { (approx - 1) / (1 + approxError) }
    static func high(_ approx: Double) -> Double { (approx + 1) / (1 - approxError) }

    /// Every point outside the square rings 0..<k around the query's cell is at least this far (haversine) from p.
    static func ringBound(_ p: GeoPoint, pr: Int, pc: Int, k: Int) -> Double {
        let south = Double(pr - k + 1) * cellDegrees - 90, north = Double(pr + k) * cellDegrees - 90
        let west = Double(pc - k + 1) * cellDegrees - 180, east = Double(pc + k) * cellDegrees - 180
        let latMargin = min(p.lat - south, north - p.lat) * .pi / 180
        let lonMargin = min(p.lon - west, east - p.lon) * .pi / 180
        let maxLat = min(90, max(abs(p.lat - Double(k + 1) * cellDegrees), abs(p.lat + Double(k + 1) * cellDegrees)))
        let lonBound = 2 * asin(min(1, cos(maxLat * .pi / 180) * sin(lonMargin / 2)))
        return min(latMargin, lonBound) * metresPerRadian
    }

    /// The least cheap distance (haversine on the mean sphere) from `p` to any point of the cell at (`row`, `column`),
    /// `column` unwrapped as the ring walk numbers it: the latitude gap, or the longitude gap at the highest latitude
    /// involved (meridians converge), whichever is larger; a hair less for rounding.
    /// Stops at the latitude gap when that alone is beyond `cutoff`.
    static func cellBound(_ p: GeoPoint, row: Int, column: Int, cutoff: Double = .infinity) -> Double {
        let lat0 = Double(row) * cellDegrees - 90, lat1 = lat0 + cellDegrees
        let lon0 = Double(column) * cellDegrees - 180, lon1 = lon0 + cellDegrees
        let gapLat = max(0, lat0 - p.lat, p.lat - lat1)
        let gapLon = max(0, lon0 - p.lon, p.lon - lon1)
        var b = gapLat * .pi / 180
        if gapLon > 0 && max(0, b * metresPerRadian * (1 - 1e-9) - 0.01) <= cutoff {
            let maxLat = min(90, max(abs(p.lat), abs(lat0), abs(lat1)))
            b = max(b, 2 * asin(min(1, cos(maxLat * .pi / 180) * sin(min(gapLon, 180) * .pi / 360))))
        }
        return max(0, b * metresPerRadian * (1 - 1e-9) - 0.01)
    }
}
