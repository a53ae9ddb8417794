import Foundation

/// The coordinate systems clients send points in.
public enum CoordinateSystem: String, CaseIterable, Sendable {
    /// WGS-84, as GPS receivers, OpenStreetMap and the catalogue use.
    case wgs84
    /// GCJ-02 ("Mars coordinates"), the obfuscated system Chinese maps (AutoNavi/Amap, Tencent,
    /// Apple Maps in China) are drawn in.
    case gcj02
    /// BD-09, Baidu's further offset on top of GCJ-02.
    case bd09
}

/// Conversions between WGS-84, GCJ-02 and BD-09, using the widely published reconstructions of
/// the transforms (the ones in eviltransform, coordtransform and their many ports).
///
/// GCJ-02 is only defined inside China; following common practice, points outside the
/// rectangle lon 72.004...137.8347, lat 0.8293...55.8271 (see ``isOutsideChina(_:)``) are left
/// unshifted by the GCJ-02 step. BD-09, by contrast, always applies its own offset on top of
/// GCJ-02, inside China or not, because Baidu's formula has no such test and a BD-09 point is
/// a Baidu point wherever it lies.
///
/// The inverse directions (`gcj02ToWgs84`, `bd09ToGcj02`) have no closed form; they iterate the
/// forward transform until it reproduces the input to 1e-9 degrees (about 0.1 mm), so a
/// round trip returns the starting point to well under a centimetre.
public enum Datum {
    // Krasovsky 1940 ellipsoid, which the GCJ-02 reconstruction uses.
    private static let krasovskyA = 6_378_245.0
    private static let krasovskyEE = 0.00669342162296594323
    private static let xPi = Double.pi * 3000 / 180
    /// How close, in degrees, the forward transform of an inverse's answer must come to the input.
    private static let inverseTolerance = 1e-9
    private static let maxIterations = 30

    /// Whether a point lies outside the rectangle in which GCJ-02 shifts points.
    public static func isOutsideChina(_ p: GeoPoint) -> Bool {
        p.lon < 72.004 || p.lon > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271
    }

    /// WGS-84 to GCJ-02; points outside China are returned unchanged.
    public static func wgs84ToGcj02(_ p: GeoPoint) -> GeoPoint {
        if isOutsideChina(p) { return p }
        let (dLat, dLon) = gcjDelta(p)
        return GeoPoint(lat: p.lat + dLat, lon: p.lon + dLon)
    }

    /// GCJ-02 to WGS-84 by fixed-point iteration of ``wgs84ToGcj02(_:)``: stops when the forward
    /// transform of the estimate matches `p` within 1e-9 degrees, or after 30 iterations.
    /// Points outside China are returned unchanged.
    public static func gcj02ToWgs84(_ p: GeoPoint) -> GeoPoint {
        if isOutsideChina(p) { return p }
        var w = p
        for _ in 0..<maxIterations {
            let g = wgs84ToGcj02(w)
            let dLat = g.lat - p.lat, dLon = g.lon - p.lon
            if abs(dLat) < inverseTolerance && abs(dLon) < inverseTolerance { break }
            w.lat -= dLat
            w.lon -= dLon
        }
        return w
    }

    /// GCJ-02 to BD-09 (Baidu's published formula), applied everywhere.
    public static func gcj02ToBd09(_ p: GeoPoint) -> GeoPoint {
        let x = p.lon, y = p.lat
        let z = (x * x + y * y).squareRoot() + 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) + 0.000003 * cos(x * xPi)
        return GeoPoint(lat: z * sin(theta) + 0.006, lon: z * cos(theta) + 0.0065)
    }

    /// BD-09 to GCJ-02: the usual closed-form approximation (off by up to about 0.2 m), refined
    /// by iterating ``gcj02ToBd09(_:)`` until it reproduces `p` within 1e-9 degrees.
    public static func bd09ToGcj02(_ p: GeoPoint) -> GeoPoint {
        let x = p.lon - 0.0065, y = p.lat - 0.006
        let z = (x * x + y * y).squareRoot() - 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) - 0.000003 * cos(x * xPi)
        var g = GeoPoint(lat: z * sin(theta), lon: z * cos(theta))
        for _ in 0..<maxIterations {
            let b = gcj02ToBd09(g)
            let dLat = b.lat - p.lat, dLon = b.lon - p.lon
            if abs(dLat) < inverseTolerance && abs(dLon) < inverseTolerance { break }
            g.lat -= dLat
            g.lon -= dLon
        }
        return g
    }

    /// BD-09 to WGS-84 (through GCJ-02).
    public static func bd09ToWgs84(_ p: GeoPoint) -> GeoPoint { gcj02ToWgs84(bd09ToGcj02(p)) }

    /// WGS-84 to BD-09 (through GCJ-02).
    public static func wgs84ToBd09(_ p: GeoPoint) -> GeoPoint { gcj02ToBd09(wgs84ToGcj02(p)) }

    /// A point given in `from`, in WGS-84.
    public static func toWGS84(_ p: GeoPoint, from: CoordinateSystem) -> GeoPoint {
        switch from {
        case .wgs84: p
        case .gcj02: gcj02ToWgs84(p)
        case .bd09: bd09ToWgs84(p)
        }
    }

    /// A WGS-84 point, in `to`.
    public static func fromWGS84(_ p: GeoPoint, to: CoordinateSystem) -> GeoPoint {
        switch to {
        case .wgs84: p
        case .gcj02: wgs84ToGcj02(p)
        case .bd09: wgs84ToBd09(p)
        }
    }

    /// The GCJ-02 shift, in degrees, of a WGS-84 point inside China.
    private static func gcjDelta(_ p: GeoPoint) -> (dLat: Double, dLon: Double) {
        let x = p.lon - 105, y = p.lat - 35
        let radLat = p.lat / 180 * .pi
        var magic = sin(radLat)
        magic = 1 - krasovskyEE * magic * magic
        let sqrtMagic = magic.squareRoot()
        let dLat = transformLat(x, y) * 180 / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * .pi)
        let dLon = transformLon(x, y) * 180 / (krasovskyA / sqrtMagic * cos(radLat) * .pi)
        return (dLat, dLon)
    }

    private static func transformLat(_ x: Double, _ y: Double) -> Double {
        var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        r += (20 * sin(6 * x * .pi) + 20 * sin(2 * x * .pi)) * 2 / 3
        r += (20 * sin(y * .pi) + 40 * sin(y / 3 * .pi)) * 2 / 3
        r += (160 * sin(y / 12 * .pi) + 320 * sin(y * .pi / 30)) * 2 / 3
        return r
    }

    private static func transformLon(_ x: Double, _ y: Double) -> Double {
        var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        r += (20 * sin(6 * x * .pi) + 20 * sin(2 * x * .pi)) * 2 / 3
        r += (20 * sin(x * .pi) + 40 * sin(x / 3 * .pi)) * 2 / 3
        r += (150 * sin(x / 12 * .pi) + 300 * sin(x / 30 * .pi)) * 2 / 3
        return r
    }
}
