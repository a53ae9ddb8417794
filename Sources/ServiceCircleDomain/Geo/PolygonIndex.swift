import Foundation

/// Planar rules on longitude/latitude rings (x = longitude, y = latitude, degrees), as GeoJSON draws them.
public enum PolygonRing {
    /// Twice the signed area of a closed ring by the shoelace formula: positive when counter-clockwise.
    public static func signedArea2(_ ring: [GeoPoint]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var s = 0.0
        var prev = ring[ring.count - 1]
        for p in ring {
            s += (prev.lon * p.lat) - (p.lon * prev.lat)
            prev = p
        }
        return s
    }

    /// Whether a closed ring is counter-clockwise (a degenerate ring counts as neither: false).
    public static func isCounterClockwise(_ ring: [GeoPoint]) -> Bool { signedArea2(ring) > 0 }

    /// The polygon oriented as RFC 7946 §3.1.6 asks: the exterior ring (the first) counter-clockwise, every hole
    /// clockwise. Rings already right are returned as they are (no copy).
    public static func rfc7946(_ polygon: [[GeoPoint]]) -> [[GeoPoint]] {
        var out = polygon
        for (i, ring) in polygon.enumerated() {
            let a = signedArea2(ring)
            if (i == 0 && a < 0) || (i > 0 && a > 0) { out[i] = ring.reversed() }
        }
        return out
    }

    /// Every polygon of a MultiPolygon oriented as RFC 7946 asks (``rfc7946(_:)``).
    public static func rfc7946(_ mp: MultiPolygon) -> MultiPolygon { mp.map { rfc7946($0) } }

    /// Even-odd test of `(x, y)` against one closed ring stored as interleaved `lon, lat` values in `coords[from..<to]`
    /// (`to - from` is twice the number of positions, the last position repeating the first).
    @inline(__always)
    static func crossings(_ x: Double, _ y: Double, _ coords: UnsafeBufferPointer<Double>, from: Int, to: Int) -> Bool {
        var inside = false
        var j = to - 2
        var i = from
        while i < to {
            let xi = coords[i], yi = coords[i + 1]
            let xj = coords[j], yj = coords[j + 1]
            if (yi > y) != (yj > y) {
                let xCross = xi + (y - yi) / (yj - yi) * (xj - xi)
                if x < xCross { inside.toggle() }
            }
            j = i
            i += 2
        }
        return inside
    }
}

/// A grid index of polygons (each feature a MultiPolygon of WGS-84 longitude/latitude rings) for "which feature
/// contains this point?". Parts (the polygons of each MultiPolygon) are filed under every `cellDegrees` square their
/// bounding box touches; a lookup reads one cell, screens its parts by bounding box, then runs the even-odd ring
/// test over the part's rings (exterior and holes together, so a point in a hole is outside). Features are expected
/// not to overlap (a coverage, like the district layer): the first containing one is the answer.
///
/// Coordinates are kept flat (`lon, lat` interleaved) so that a lookup touches a few contiguous arrays.
public struct PolygonIndex: Sendable {
    struct Part: Sendable {
        var feature: Int32
        var ringStart: Int32
        var ringEnd: Int32
        var minLon: Double, minLat: Double, maxLon: Double, maxLat: Double
    }

    /// Interleaved longitude, latitude of every ring position.
    let coords: [Double]
    /// Start offset of each ring in `coords`; ring `r` spans `ringOffsets[r]..<ringOffsets[r + 1]`.
    let ringOffsets: [Int32]
    let parts: [Part]
    let cellDegrees: Double
    let originLon: Double, originLat: Double
    let columns: Int, rows: Int
    /// Cell `c` holds parts `cellParts[cellStart[c]..<cellStart[c + 1]]` (compressed rows).
    let cellStart: [Int32]
    let cellParts: [Int32]
    /// How many features were indexed.
    public let featureCount: Int
    /// Optional answers without a ring test: per cell of `interiorDegrees`, the feature that contains the whole cell
    /// (≥ 0), none (-1) when no outline crosses the cell and no feature contains it, or -2 when an outline may cross it
    /// (then the rings are tested). Detailed outlines of thousands of vertices make a ring test cost tens of
    /// microseconds; most points fall in a cell no outline crosses.
    let interiorDegrees: Double
    let interiorColumns: Int, interiorRows: Int
    let interior: [Int32]

    /// Positions stored (every ring position, closing ones included).
    public var positionCount: Int { coords.count / 2 }
    /// Approximate bytes held by the index's arrays.
    public var approximateBytes: Int {
        coords.count * 8 + ringOffsets.count * 4 + parts.count * MemoryLayout<Part>.stride + cellStart.count * 4 + cellParts.count * 4
            + interior.count * 4
    }

    public init(_ features: [MultiPolygon], cellDegrees: Double = 0.1, interiorDegrees: Double? = nil) {
        var coords: [Double] = []
        var ringOffsets: [Int32] = []
        var parts: [Part] = []
        coords.reserveCapacity(features.reduce(0) { $0 + $1.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } } * 2)
        for (f, mp) in features.enumerated() {
            for polygon in mp {
                var part = Part(feature: Int32(f), ringStart: Int32(ringOffsets.count), ringEnd: 0,
                                minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)
                for ring in polygon where ring.count >= 4 {
                    ringOffsets.append(Int32(coords.count))
                    for p in ring {
                        coords.append(p.lon); coords.append(p.lat)
                        part.minLon = min(part.minLon, p.lon); part.maxLon = max(part.maxLon, p.lon)
                        part.minLat = min(part.minLat, p.lat); part.maxLat = max(part.maxLat, p.lat)
                    }
                    // A ring the source left open is closed here: the crossing test pairs each position with the previous.
                    if ring.first != ring.last, let first = ring.first { coords.append(first.lon); coords.append(first.lat) }
                }
                part.ringEnd = Int32(ringOffsets.count)
                if part.ringEnd > part.ringStart { parts.append(part) }
            }
        }
        ringOffsets.append(Int32(coords.count))
        self.coords = coords
        self.ringOffsets = ringOffsets
        self.parts = parts
        self.cellDegrees = cellDegrees
        featureCount = features.count

        let minLon = parts.map(\.minLon).min() ?? 0, minLat = parts.map(\.minLat).min() ?? 0
        let maxLon = parts.map(\.maxLon).max() ?? 0, maxLat = parts.map(\.maxLat).max() ?? 0
        let originLon = (minLon / cellDegrees).rounded(.down) * cellDegrees
        let originLat = (minLat / cellDegrees).rounded(.down) * cellDegrees
        let columns = max(1, Int(((maxLon - originLon) / cellDegrees).rounded(.down)) + 1)
        let rows = max(1, Int(((maxLat - originLat) / cellDegrees).rounded(.down)) + 1)
        self.originLon = originLon
        self.originLat = originLat
        self.columns = columns
        self.rows = rows

        // Two passes: count per cell, then fill (compressed rows, no per-cell arrays).
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        func cells(_ p: Part, _ body: (Int) -> Void) {
            let c0 = Self.clamp(Int(((p.minLon - originLon) / cellDegrees).rounded(.down)), columns)
            let c1 = Self.clamp(Int(((p.maxLon - originLon) / cellDegrees).rounded(.down)), columns)
            let r0 = Self.clamp(Int(((p.minLat - originLat) / cellDegrees).rounded(.down)), rows)
            let r1 = Self.clamp(Int(((p.maxLat - originLat) / cellDegrees).rounded(.down)), rows)
            for r in r0...r1 { for c in c0...c1 { body(r * columns + c) } }
        }
        for p in parts { cells(p) { counts[$0 + 1] += 1 } }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var fill = counts
        var cellParts = [Int32](repeating: 0, count: Int(counts[counts.count - 1]))
        for (k, p) in parts.enumerated() {
            cells(p) { cell in
                cellParts[Int(fill[cell])] = Int32(k)
                fill[cell] += 1
            }
        }
        cellStart = counts
        self.cellParts = cellParts

        // Interior cells: mark every cell an edge's bounding box touches as "crossed", then fill each row's runs
        // between a part's crossings of the row's centre line (even-odd) with the part's feature.
        guard let fine = interiorDegrees, fine > 0, !parts.isEmpty else {
            self.interiorDegrees = 0; interiorColumns = 0; interiorRows = 0; interior = []
            return
        }
        let ic = max(1, Int(((maxLon - originLon) / fine).rounded(.down)) + 1)
        let ir = max(1, Int(((maxLat - originLat) / fine).rounded(.down)) + 1)
        var cellsOf = [Int32](repeating: -1, count: ic * ir)
        func col(_ x: Double) -> Int { Self.clamp(Int(((x - originLon) / fine).rounded(.down)), ic) }
        func row(_ y: Double) -> Int { Self.clamp(Int(((y - originLat) / fine).rounded(.down)), ir) }
        for r in 0..<(ringOffsets.count - 1) {
            var i = Int(ringOffsets[r])
            let end = Int(ringOffsets[r + 1])
            while i + 3 < end {
                let c0 = col(min(coords[i], coords[i + 2])), c1 = col(max(coords[i], coords[i + 2]))
                let r0 = row(min(coords[i + 1], coords[i + 3])), r1 = row(max(coords[i + 1], coords[i + 3]))
                for y in r0...r1 { for x in c0...c1 { cellsOf[y * ic + x] = -2 } }
                i += 2
            }
        }
        var xs: [Double] = []
        for p in parts {
            for y in row(p.minLat)...row(p.maxLat) {
                let cy = originLat + (Double(y) + 0.5) * fine
                xs.removeAll(keepingCapacity: true)
                for r in Int(p.ringStart)..<Int(p.ringEnd) {
                    var i = Int(ringOffsets[r])
                    let end = Int(ringOffsets[r + 1])
                    while i + 3 < end {
                        let y1 = coords[i + 1], y2 = coords[i + 3]
                        if (y1 > cy) != (y2 > cy) {
                            xs.append(coords[i] + (cy - y1) / (y2 - y1) * (coords[i + 2] - coords[i]))
                        }
                        i += 2
                    }
                }
                xs.sort()
                var k = 0
                while k + 1 < xs.count {
                    // Cells whose centre lies in [xs[k], xs[k+1]] are inside this part.
                    let first = Int(((xs[k] - originLon) / fine - 0.5).rounded(.up)), last = Int(((xs[k + 1] - originLon) / fine - 0.5).rounded(.down))
                    if first <= last {
                        for x in max(0, first)...min(ic - 1, last) where cellsOf[y * ic + x] == -1 { cellsOf[y * ic + x] = p.feature }
                    }
                    k += 2
                }
            }
        }
        self.interiorDegrees = fine
        interiorColumns = ic
        interiorRows = ir
        interior = cellsOf
    }

    /// The interior answer for a point: a feature (≥ 0), none (-1), or -2 when the rings must be tested.
    @inline(__always)
    func interiorAnswer(_ p: GeoPoint) -> Int32 {
        guard !interior.isEmpty else { return -2 }
        let x = ((p.lon - originLon) / interiorDegrees).rounded(.down), y = ((p.lat - originLat) / interiorDegrees).rounded(.down)
        guard x >= 0, x < Double(interiorColumns), y >= 0, y < Double(interiorRows) else { return -1 }
        return interior[Int(y) * interiorColumns + Int(x)]
    }

    static func clamp(_ v: Int, _ n: Int) -> Int { min(max(v, 0), n - 1) }

    /// The cell of a point, nil outside the indexed extent.
    func cell(lon: Double, lat: Double) -> Int? {
        let x = ((lon - originLon) / cellDegrees).rounded(.down), y = ((lat - originLat) / cellDegrees).rounded(.down)
        guard x >= 0, x < Double(columns), y >= 0, y < Double(rows) else { return nil }   // also false for NaN
        return Int(y) * columns + Int(x)
    }

    func partContains(_ k: Int, x: Double, y: Double, _ coords: UnsafeBufferPointer<Double>) -> Bool {
        let p = parts[k]
        guard x >= p.minLon, x <= p.maxLon, y >= p.minLat, y <= p.maxLat else { return false }
        var inside = false
        for r in Int(p.ringStart)..<Int(p.ringEnd) {
            if PolygonRing.crossings(x, y, coords, from: Int(ringOffsets[r]), to: Int(ringOffsets[r + 1])) { inside.toggle() }
        }
        return inside
    }

    /// The index (in the order given to `init`) of the first feature containing `p` and accepted by `accept`, or nil.
    public func feature(containing p: GeoPoint, where accept: (Int) -> Bool = { _ in true }) -> Int? {
        guard let cell = cell(lon: p.lon, lat: p.lat) else { return nil }
        let known = interiorAnswer(p)
        if known == -1 { return nil }
        if known >= 0 && accept(Int(known)) { return Int(known) }
        return coords.withUnsafeBufferPointer { buf in
            for j in Int(cellStart[cell])..<Int(cellStart[cell + 1]) {
                let k = Int(cellParts[j])
                if partContains(k, x: p.lon, y: p.lat, buf) {
                    let f = Int(parts[k].feature)
                    if accept(f) { return f }
                }
            }
            return nil
        }
    }

    /// The feature accepted by `accept` whose outline passes nearest to `p`, within `maxMetres`, with that distance
    /// (local equirectangular metres: exact enough over a few kilometres). Nil when none is that near.
    public func nearestFeature(to p: GeoPoint, within maxMetres: Double, where accept: (Int) -> Bool) -> (feature: Int, metres: Double)? {
        let mLat = 111_320.0, mLon = 111_320.0 * cos(p.lat * .pi / 180)
        guard mLon > 1, p.lon.isFinite, maxMetres.isFinite, maxMetres >= 0 else { return nil }
        let dLat = maxMetres / mLat, dLon = maxMetres / mLon
        let c0 = Self.clamp(Int(((p.lon - dLon - originLon) / cellDegrees).rounded(.down)), columns)
        let c1 = Self.clamp(Int(((p.lon + dLon - originLon) / cellDegrees).rounded(.down)), columns)
        let r0 = Self.clamp(Int(((p.lat - dLat - originLat) / cellDegrees).rounded(.down)), rows)
        let r1 = Self.clamp(Int(((p.lat + dLat - originLat) / cellDegrees).rounded(.down)), rows)
        var seen = Set<Int32>()
        var best: (feature: Int, metres: Double)?
        for r in r0...r1 {
            for c in c0...c1 {
                let cell = r * columns + c
                for j in Int(cellStart[cell])..<Int(cellStart[cell + 1]) {
                    let k = cellParts[j]
                    guard seen.insert(k).inserted else { continue }
                    let part = parts[Int(k)]
                    let f = Int(part.feature)
                    guard accept(f), part.minLon - dLon <= p.lon, part.maxLon + dLon >= p.lon,
                          part.minLat - dLat <= p.lat, part.maxLat + dLat >= p.lat else { continue }
                    for ring in Int(part.ringStart)..<Int(part.ringEnd) {
                        var i = Int(ringOffsets[ring])
                        let end = Int(ringOffsets[ring + 1])
                        while i + 3 < end {
                            let ax = (coords[i] - p.lon) * mLon, ay = (coords[i + 1] - p.lat) * mLat
                            let bx = (coords[i + 2] - p.lon) * mLon, by = (coords[i + 3] - p.lat) * mLat
                            let dx = bx - ax, dy = by - ay
                            let len2 = dx * dx + dy * dy
                            let t = len2 > 0 ? min(1, max(0, -(ax * dx + ay * dy) / len2)) : 0
                            let qx = ax + t * dx, qy = ay + t * dy
                            let d = (qx * qx + qy * qy).squareRoot()
                            if d <= maxMetres, best == nil || d < best!.metres { best = (f, d) }
                            i += 2
                        }
                    }
                }
            }
        }
        return best
    }
}
