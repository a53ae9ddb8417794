import Foundation

/// A flat-topped hexagonal grid of edge `size` metres (the convention of PostGIS `ST_HexagonGrid`: `size` is the
/// edge length, which is also the centre-to-corner distance), laid on a local equirectangular projection about an
/// origin. The origin is the area's centre rounded to whole degrees, so the same area always gets the same cells.
/// Over ±1° of latitude from the origin the projection's scale errs by under 2 %, so cells are `size` ± 2 %.
public struct HexGrid: Sendable {
    public struct Cell: Hashable, Sendable, Comparable {
        /// Axial coordinates.
        public var q: Int
        public var r: Int
        public var id: String { "\(q):\(r)" }
        public static func < (a: Cell, b: Cell) -> Bool { (a.q, a.r) < (b.q, b.r) }
    }

    public let size: Double
    public let origin: GeoPoint
    let metresPerDegreeLat: Double
    let metresPerDegreeLon: Double

    public init(size: Double, around centre: GeoPoint) {
        self.size = size
        origin = GeoPoint(lat: centre.lat.rounded(), lon: centre.lon.rounded())
        let phi = origin.lat * .pi / 180
        // Lengths of a degree on WGS-84 at the origin's latitude (series to the fourth order).
        metresPerDegreeLat = 111_132.92 - 559.82 * cos(2 * phi) + 1.175 * cos(4 * phi)
        metresPerDegreeLon = 111_412.84 * cos(phi) - 93.5 * cos(3 * phi)
    }

    /// Projected metres east and north of the origin.
    public func project(_ p: GeoPoint) -> (x: Double, y: Double) {
        ((p.lon - origin.lon) * metresPerDegreeLon, (p.lat - origin.lat) * metresPerDegreeLat)
    }

    public func unproject(x: Double, y: Double) -> GeoPoint {
        GeoPoint(lat: origin.lat + y / metresPerDegreeLat, lon: origin.lon + x / metresPerDegreeLon)
    }

    /// The cell holding a point.
    public func cell(_ p: GeoPoint) -> Cell {
        let (x, y) = project(p)
        let qf = (2.0 / 3.0 * x) / size
        let rf = (-1.0 / 3.0 * x + 3.0.squareRoot() / 3.0 * y) / size
        // Cube rounding.
        let sf = -qf - rf
        var q = qf.rounded(), r = rf.rounded()
        let s = sf.rounded()
        let dq = abs(q - qf), dr = abs(r - rf), ds = abs(s - sf)
        if dq > dr && dq > ds { q = -r - s } else if dr > ds { r = -q - s }
        return Cell(q: Int(q), r: Int(r))
    }

    public func centre(_ c: Cell) -> GeoPoint {
        let x = size * 1.5 * Double(c.q)
        let y = size * 3.0.squareRoot() * (Double(c.r) + Double(c.q) / 2)
        return unproject(x: x, y: y)
    }

    /// The cell's corners, counter-clockwise from the east, closed (first = last): a GeoJSON exterior ring.
    public func ring(_ c: Cell) -> [GeoPoint] {
        let x = size * 1.5 * Double(c.q)
        let y = size * 3.0.squareRoot() * (Double(c.r) + Double(c.q) / 2)
        var out: [GeoPoint] = []
        for k in 0...6 {
            let a = Double(k % 6) * .pi / 3
            out.append(unproject(x: x + size * cos(a), y: y + size * sin(a)))
        }
        return out
    }

    /// Area of one cell in km².
    public var cellAreaKm2: Double { 3 * 3.0.squareRoot() / 2 * size * size / 1e6 }
}
