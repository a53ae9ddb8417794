import Foundation

/// Geodesics on the WGS-84 ellipsoid.
///
/// Distances follow Karney's algorithm (C. F. F. Karney, "Algorithms for geodesics",
/// J. Geodesy 87, 43–55, 2013), the one GeographicLib and PROJ's `geodesic.c` implement and
/// PostGIS uses for `ST_Distance(geography, geography)`, so the two agree to well under a
/// millimetre at any separation, antipodal points included.
public enum Geodesy {
    /// WGS-84 equatorial radius, metres.
    public static let semiMajorAxis = 6_378_137.0
    /// WGS-84 flattening.
    public static let flattening = 1 / 298.257_223_563

    /// Geodesic distance in metres between two WGS-84 points.
    ///
    /// Allocation-free; safe to call in hot loops. Latitudes outside [-90, 90] give NaN.
    public static func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        K.inverse(lat1: a.lat, lon1: a.lon, lat2: b.lat, lon2: b.lon)
    }

    /// The point reached by travelling `distance` metres along the geodesic that leaves `from`
    /// with initial azimuth `bearingDegrees` (clockwise from north). Longitude in [-180, 180].
    public static func destination(from: GeoPoint, bearingDegrees: Double, distance: Double) -> GeoPoint {
        K.direct(lat1: from.lat, lon1: from.lon, azi1: bearingDegrees, s12: distance)
    }

    /// A latitude/longitude box that contains every point within `radius` metres of `center`.
    ///
    /// Latitude bounds are exact (the nearest point of a parallel lies on the meridian). Longitude
    /// bounds are conservative, wider than needed by a fraction of about radius·tan(lat)/6,371 km:
    /// about 1% for a 50 km circle in northern China, a few metres for 5 km.
    /// When the circle reaches a pole, longitudes span [-180, 180]. Longitudes are not wrapped:
    /// near the antimeridian `minLon` may be below -180 or `maxLon` above 180, and a caller there
    /// must split the box. A negative radius is treated as zero.
    public static func boundingBox(center: GeoPoint, radius: Double)
        -> (minLat: Double, minLon: Double, maxLat: Double, maxLon: Double) {
        let r = max(0, radius)
        // Slack for rounding in the direct problem; 1e-9 degrees is about 0.1 mm.
        let slack = 1e-9
        let toNorthPole = distance(center, GeoPoint(lat: 90, lon: center.lon))
        let toSouthPole = distance(center, GeoPoint(lat: -90, lon: center.lon))
        let maxLat = r >= toNorthPole ? 90
            : min(90, destination(from: center, bearingDegrees: 0, distance: r).lat + slack)
        let minLat = r >= toSouthPole ? -90
            : max(-90, destination(from: center, bearingDegrees: 180, distance: r).lat - slack)
        if maxLat >= 90 || minLat <= -90 {
            return (minLat, -180, maxLat, 180)
        }
        // Every path to a point dLon away in longitude stays inside [minLat, maxLat], and its
        // east-west progress costs at least the parallel radius there per radian, which is
        // smallest at the latitude furthest from the equator.
        let worstLat = max(abs(minLat), abs(maxLat)) * .pi / 180
        let s = sin(worstLat)
        let e2 = flattening * (2 - flattening)
        let parallelRadius = semiMajorAxis * cos(worstLat) / (1 - e2 * s * s).squareRoot()
        let dLon = r / parallelRadius * 180 / .pi + slack
        if dLon >= 180 {
            return (minLat, -180, maxLat, 180)
        }
        return (minLat, center.lon - dLon, maxLat, center.lon + dLon)
    }
}

extension Geodesy {
    /// Karney's inverse and direct solutions, series to sixth order in the third flattening,
    /// restricted to what distances and destinations need (no azimuths out, no areas).
    fileprivate enum K {
        /// The six coefficients of a trigonometric series Σ c_l sin(2lσ); fixed-size so
        /// that nothing is allocated.
        struct Series {
            var c1 = 0.0, c2 = 0.0, c3 = 0.0, c4 = 0.0, c5 = 0.0, c6 = 0.0
        }

        /// WGS-84 and the numeric tolerances, derived once.
        struct Constants {
            let a = Geodesy.semiMajorAxis
            let f = Geodesy.flattening
            let f1: Double
            let e2: Double
            let ep2: Double
            let n: Double
            let b: Double
            let etol2: Double
            let tiny = Double.leastNormalMagnitude.squareRoot()
            let tol0 = Double.ulpOfOne
            let tol1: Double
            let tol2: Double
            let tolb: Double
            let xthresh: Double
            let maxit1 = 20
            let maxit2 = 20 + Double.significandBitCount + 1 + 10
            // Coefficients of A3 and C3 as polynomials in eps, for this n.
            let a3x: (Double, Double, Double, Double, Double, Double)
            let c3x: (Double, Double, Double, Double, Double, Double, Double, Double,
                      Double, Double, Double, Double, Double, Double, Double)

            init() {
                f1 = 1 - f
                e2 = f * (2 - f)
                ep2 = e2 / (f1 * f1)
                n = f / (2 - f)
                b = a * f1
                tol1 = 200 * tol0
                tol2 = tol0.squareRoot()
                tolb = tol0
                xthresh = 1000 * tol2
                etol2 = 0.1 * tol2 / (max(0.001, abs(f)) * min(1.0, 1 - f / 2) / 2).squareRoot()
                a3x = (-3.0 / 128,
                       (-2 * n - 3) / 64,
                       ((-n - 3) * n - 1) / 16,
                       ((3 * n - 1) * n - 2) / 8,
                       (n - 1) / 2,
                       1)
                c3x = (3.0 / 128,
                       (2 * n + 5) / 128,
                       ((-n + 3) * n + 3) / 64,
                       (-n * n + 1) / 8,
                       (-n + 1) / 4,
                       5.0 / 256,
                       (n + 3) / 128,
                       ((-3 * n - 2) * n + 3) / 64,
                       ((n - 3) * n + 2) / 32,
                       7.0 / 512,
                       (-10 * n + 9) / 384,
                       ((5 * n - 9) * n + 5) / 192,
                       7.0 / 512,
                       (-14 * n + 7) / 512,
                       21.0 / 2560)
            }
        }

        static let w = Constants()

        // MARK: helpers

        @inline(__always) static func sq(_ x: Double) -> Double { x * x }

        @inline(__always) static func norm(_ x: inout Double, _ y: inout Double) {
            let r = hypot(x, y)
            x /= r
            y /= r
        }

        /// Error-free sum: u + v = s + t exactly.
        @inline(__always) static func sum(_ u: Double, _ v: Double) -> (s: Double, t: Double) {
            let s = u + v
            var up = s - v
            var vpp = s - up
            up -= u
            vpp -= v
            let t = s == 0 ? s : 0.0 - (up + vpp)
            return (s, t)
        }

        /// Rounds tiny angles so that values near zero underflow cleanly.
        @inline(__always) static func angRound(_ x: Double) -> Double {
            let z = 1.0 / 16
            var y = abs(x)
            if y < z { y = z - (z - y) }
            return Double(signOf: x, magnitudeOf: y)
        }

        @inline(__always) static func latFix(_ x: Double) -> Double { abs(x) > 90 ? .nan : x }

        @inline(__always) static func remainder360(_ x: Double) -> Double {
            x.isFinite ? x.remainder(dividingBy: 360) : .nan
        }

        static func angNormalize(_ x: Double) -> Double {
            let y = remainder360(x)
            return abs(y) == 180 ? Double(signOf: x, magnitudeOf: 180) : y
        }

        /// y - x reduced to [-180, 180], with the rounding error in `t`.
        static func angDiff(_ x: Double, _ y: Double) -> (d: Double, t: Double) {
            var (d, t) = sum(remainder360(-x), remainder360(y))
            (d, t) = sum(remainder360(d), t)
            if d == 0 || abs(d) == 180 {
                d = Double(signOf: t == 0 ? y - x : -t, magnitudeOf: d)
            }
            return (d, t)
        }

        @inline(__always) static func quadrant(_ s: Double, _ c: Double, _ q: Int) -> (Double, Double) {
            switch q & 3 {
            case 1: (c, -s)
            case 2: (-s, -c)
            case 3: (-c, s)
            default: (s, c)
            }
        }

        /// Sine and cosine of an angle in degrees, exact at multiples of 90.
        static func sincosd(_ x: Double) -> (s: Double, c: Double) {
            var r = x.isFinite ? fmod(x, 360) : .nan
            let q = r.isNaN ? 0 : Int((r / 90).rounded(.toNearestOrEven))
            r -= 90 * Double(q)
            r *= .pi / 180
            var (s, c) = quadrant(sin(r), cos(r), q)
            c += 0.0
            if s == 0 { s = Double(signOf: x, magnitudeOf: s) }
            return (s, c)
        }

        /// Sine and cosine of (x + t) degrees, x in [-180, 180], t a small correction.
        static func sincosde(_ x: Double, _ t: Double) -> (s: Double, c: Double) {
            let q = x.isFinite ? Int((x / 90).rounded(.toNearestOrEven)) : 0
            let r = angRound(x - 90 * Double(q) + t) * .pi / 180
            var (s, c) = quadrant(sin(r), cos(r), q)
            c += 0.0
            if s == 0 { s = Double(signOf: x, magnitudeOf: s) }
            return (s, c)
        }

        static func atan2d(_ y0: Double, _ x0: Double) -> Double {
            var x = x0, y = y0, q = 0
            if abs(y) > abs(x) { q = 2; swap(&x, &y) }
            if x < 0 { q += 1; x = -x }
            let ang = atan2(y, x) * 180 / .pi
            switch q {
            case 1: return Double(signOf: y, magnitudeOf: 180) - ang
            case 2: return 90 - ang
            case 3: return -90 + ang
            default: return ang
            }
        }

        /// Σ c_l sin(2 l x), l = 1...6, by Clenshaw summation.
        @inline(__always) static func sinSeries(_ sinx: Double, _ cosx: Double, _ c: Series) -> Double {
            let ar = 2 * (cosx - sinx) * (cosx + sinx)
            var y0 = 0.0, y1 = 0.0
            y1 = ar * y0 - y1 + c.c6; y0 = ar * y1 - y0 + c.c5
            y1 = ar * y0 - y1 + c.c4; y0 = ar * y1 - y0 + c.c3
            y1 = ar * y0 - y1 + c.c2; y0 = ar * y1 - y0 + c.c1
            return 2 * sinx * cosx * y0
        }

        // MARK: series coefficients (Karney 2013, eqs. 17, 18, 24, 25, 42, 43)

        @inline(__always) static func a1m1(_ eps: Double) -> Double {
            let e2 = eps * eps
            let t = ((e2 + 4) * e2 + 64) * e2 / 256
            return (t + eps) / (1 - eps)
        }

        @inline(__always) static func c1(_ eps: Double) -> Series {
            let e2 = eps * eps
            var d = eps
            var c = Series()
            c.c1 = d * ((-e2 + 6) * e2 - 16) / 32; d *= eps
            c.c2 = d * ((-9 * e2 + 64) * e2 - 128) / 2048; d *= eps
            c.c3 = d * (9 * e2 - 16) / 768; d *= eps
            c.c4 = d * (3 * e2 - 5) / 512; d *= eps
            c.c5 = d * -7 / 1280; d *= eps
            c.c6 = d * -7 / 2048
            return c
        }

        @inline(__always) static func c1p(_ eps: Double) -> Series {
            let e2 = eps * eps
            var d = eps
            var c = Series()
            c.c1 = d * ((205 * e2 - 432) * e2 + 768) / 1536; d *= eps
            c.c2 = d * ((4005 * e2 - 4736) * e2 + 3840) / 12288; d *= eps
            c.c3 = d * (-225 * e2 + 116) / 384; d *= eps
            c.c4 = d * (-7173 * e2 + 2695) / 7680; d *= eps
            c.c5 = d * 3467 / 7680; d *= eps
            c.c6 = d * 38081 / 61440
            return c
        }

        @inline(__always) static func a2m1(_ eps: Double) -> Double {
            let e2 = eps * eps
            let t = ((-11 * e2 - 28) * e2 - 192) * e2 / 256
            return (t - eps) / (1 + eps)
        }

        @inline(__always) static func c2(_ eps: Double) -> Series {
            let e2 = eps * eps
            var d = eps
            var c = Series()
            c.c1 = d * ((e2 + 2) * e2 + 16) / 32; d *= eps
            c.c2 = d * ((35 * e2 + 64) * e2 + 384) / 2048; d *= eps
            c.c3 = d * (15 * e2 + 80) / 768; d *= eps
            c.c4 = d * (7 * e2 + 35) / 512; d *= eps
            c.c5 = d * 63 / 1280; d *= eps
            c.c6 = d * 77 / 2048
            return c
        }

        @inline(__always) static func a3(_ eps: Double, _ k: Constants) -> Double {
            let x = k.a3x
            return ((((x.0 * eps + x.1) * eps + x.2) * eps + x.3) * eps + x.4) * eps + x.5
        }

        @inline(__always) static func c3(_ eps: Double, _ k: Constants) -> Series {
            let x = k.c3x
            var m = eps
            var c = Series()
            c.c1 = m * ((((x.0 * eps + x.1) * eps + x.2) * eps + x.3) * eps + x.4); m *= eps
            c.c2 = m * (((x.5 * eps + x.6) * eps + x.7) * eps + x.8); m *= eps
            c.c3 = m * ((x.9 * eps + x.10) * eps + x.11); m *= eps
            c.c4 = m * (x.12 * eps + x.13); m *= eps
            c.c5 = m * x.14
            return c
        }

        @inline(__always) static func epsilon(k2: Double) -> Double {
            k2 / (2 * (1 + (1 + k2).squareRoot()) + k2)
        }

        /// Distance (in units of b) and reduced length (in units of b) along a geodesic.
        static func lengths(eps: Double, sig12: Double,
                            ssig1: Double, csig1: Double, dn1: Double,
                            ssig2: Double, csig2: Double, dn2: Double,
                            wantDistance: Bool) -> (s12b: Double, m12b: Double) {
            let a1m1v = a1m1(eps), a2m1v = a2m1(eps)
            let c1a = c1(eps), c2a = c2(eps)
            let m0x = a1m1v - a2m1v
            let a1 = 1 + a1m1v, a2 = 1 + a2m1v
            let j12: Double
            var s12b = Double.nan
            if wantDistance {
                let b1 = sinSeries(ssig2, csig2, c1a) - sinSeries(ssig1, csig1, c1a)
                s12b = a1 * (sig12 + b1)
                let b2 = sinSeries(ssig2, csig2, c2a) - sinSeries(ssig1, csig1, c2a)
                j12 = m0x * sig12 + (a1 * b1 - a2 * b2)
            } else {
                var cb = Series()
                cb.c1 = a1 * c1a.c1 - a2 * c2a.c1
                cb.c2 = a1 * c1a.c2 - a2 * c2a.c2
                cb.c3 = a1 * c1a.c3 - a2 * c2a.c3
                cb.c4 = a1 * c1a.c4 - a2 * c2a.c4
                cb.c5 = a1 * c1a.c5 - a2 * c2a.c5
                cb.c6 = a1 * c1a.c6 - a2 * c2a.c6
                j12 = m0x * sig12 + (sinSeries(ssig2, csig2, cb) - sinSeries(ssig1, csig1, cb))
            }
            let m12b = dn2 * (csig1 * ssig2) - dn1 * (ssig1 * csig2) - csig1 * csig2 * j12
            return (s12b, m12b)
        }

        /// Solves the astroid equation for the antipodal starting guess (Karney 2013, eq. 55).
        static func astroid(_ x: Double, _ y: Double) -> Double {
            let p = sq(x), q = sq(y)
            let r = (p + q - 1) / 6
            guard !(q == 0 && r <= 0) else { return 0 }
            let s = p * q / 4
            let r2 = sq(r), r3 = r * r2
            let disc = s * (s + 2 * r3)
            var u = r
            if disc >= 0 {
                var t3 = s + r3
                t3 += t3 < 0 ? -disc.squareRoot() : disc.squareRoot()
                let t = cbrt(t3)
                u += t + (t != 0 ? r2 / t : 0)
            } else {
                let ang = atan2((-disc).squareRoot(), -(s + r3))
                u += 2 * r * cos(ang / 3)
            }
            let v = (sq(u) + q).squareRoot()
            let uv = u < 0 ? q / (v - u) : u + v
            let wv = (uv - q) / (2 * v)
            return uv / ((uv + sq(wv)).squareRoot() + wv)
        }

        struct Start {
            var sig12: Double
            var salp1: Double
            var calp1: Double
            var dnm: Double
        }

        /// A starting azimuth for Newton's method, or the whole answer for short lines.
        static func inverseStart(sbet1: Double, cbet1: Double, sbet2: Double, cbet2: Double,
                                 lam12: Double, slam12: Double, clam12: Double, _ k: Constants) -> Start {
            var sig12 = -1.0, dnm = Double.nan
            let sbet12 = sbet2 * cbet1 - cbet2 * sbet1
            let cbet12 = cbet2 * cbet1 + sbet2 * sbet1
            var sbet12a = sbet2 * cbet1
            sbet12a += cbet2 * sbet1
            let shortline = cbet12 >= 0 && sbet12 < 0.5 && cbet2 * lam12 < 0.5
            var somg12: Double, comg12: Double
            if shortline {
                var sbetm2 = sq(sbet1 + sbet2)
                sbetm2 /= sbetm2 + sq(cbet1 + cbet2)
                dnm = (1 + k.ep2 * sbetm2).squareRoot()
                let omg12 = lam12 / (k.f1 * dnm)
                somg12 = sin(omg12)
                comg12 = cos(omg12)
            } else {
                somg12 = slam12
                comg12 = clam12
            }
            var salp1 = cbet2 * somg12
            var calp1 = comg12 >= 0
                ? sbet12 + cbet2 * sbet1 * sq(somg12) / (1 + comg12)
                : sbet12a - cbet2 * sbet1 * sq(somg12) / (1 - comg12)
            let ssig12 = hypot(salp1, calp1)
            let csig12 = sbet1 * sbet2 + cbet1 * cbet2 * comg12
            if shortline && ssig12 < k.etol2 {
                sig12 = atan2(ssig12, csig12)
            } else if abs(k.n) >= 0.1 || csig12 >= 0 || ssig12 >= 6 * abs(k.n) * .pi * sq(cbet1) {
                // Nothing to do: the zeroth-order spherical guess is good enough.
            } else {
                // Nearly antipodal: scale to the astroid problem.
                let lam12x = atan2(-slam12, -clam12)
                let k2 = sq(sbet1) * k.ep2
                let eps = epsilon(k2: k2)
                let lamscale = k.f * cbet1 * a3(eps, k) * .pi
                let betscale = lamscale * cbet1
                let x = lam12x / lamscale
                let y = sbet12a / betscale
                if y > -k.tol1 && x > -1 - k.xthresh {
                    salp1 = min(1.0, -x)
                    calp1 = -(1 - sq(salp1)).squareRoot()
                } else {
                    let kk = astroid(x, y)
                    let omg12a = lamscale * (-x * kk / (1 + kk))
                    somg12 = sin(omg12a)
                    comg12 = -cos(omg12a)
                    salp1 = cbet2 * somg12
                    calp1 = sbet12a - cbet2 * sbet1 * sq(somg12) / (1 - comg12)
                }
            }
            if !(salp1 <= 0) {
                norm(&salp1, &calp1)
            } else {
                salp1 = 1
                calp1 = 0
            }
            return Start(sig12: sig12, salp1: salp1, calp1: calp1, dnm: dnm)
        }

        struct Lambda {
            var lam12: Double
            var sig12: Double
            var ssig1: Double, csig1: Double
            var ssig2: Double, csig2: Double
            var eps: Double
            var dlam12: Double
        }

        /// Longitude difference reached by the geodesic leaving point 1 at azimuth alp1 when
        /// it reaches the latitude of point 2, and its derivative with respect to alp1.
        static func lambda12(sbet1: Double, cbet1: Double, dn1: Double,
                             sbet2: Double, cbet2: Double, dn2: Double,
                             salp1: Double, calp1 calp1In: Double,
                             slam120: Double, clam120: Double, diffp: Bool, _ k: Constants) -> Lambda {
            var calp1 = calp1In
            if sbet1 == 0 && calp1 == 0 { calp1 = -k.tiny }
            let salp0 = salp1 * cbet1
            let calp0 = hypot(calp1, salp1 * sbet1)
            var ssig1 = sbet1
            let somg1 = salp0 * sbet1
            var csig1 = calp1 * cbet1
            let comg1 = csig1
            norm(&ssig1, &csig1)
            let calp2 = cbet2 != cbet1 || abs(sbet2) != -sbet1
                ? (sq(calp1 * cbet1) + (cbet1 < -sbet1
                    ? (cbet2 - cbet1) * (cbet1 + cbet2)
                    : (sbet1 - sbet2) * (sbet1 + sbet2))).squareRoot() / cbet2
                : abs(calp1)
            var ssig2 = sbet2
            let somg2 = salp0 * sbet2
            var csig2 = calp2 * cbet2
            let comg2 = csig2
            norm(&ssig2, &csig2)
            let sig12 = atan2(max(0.0, csig1 * ssig2 - ssig1 * csig2) + 0.0, csig1 * csig2 + ssig1 * ssig2)
            let somg12 = max(0.0, comg1 * somg2 - somg1 * comg2) + 0.0
            let comg12 = comg1 * comg2 + somg1 * somg2
            let eta = atan2(somg12 * clam120 - comg12 * slam120, comg12 * clam120 + somg12 * slam120)
            let eps = epsilon(k2: sq(calp0) * k.ep2)
            let c3a = c3(eps, k)
            let b312 = sinSeries(ssig2, csig2, c3a) - sinSeries(ssig1, csig1, c3a)
            let domg12 = -k.f * a3(eps, k) * salp0 * (sig12 + b312)
            var dlam12 = Double.nan
            if diffp {
                if calp2 == 0 {
                    dlam12 = -2 * k.f1 * dn1 / sbet1
                } else {
                    let m12b = lengths(eps: eps, sig12: sig12, ssig1: ssig1, csig1: csig1, dn1: dn1,
                                       ssig2: ssig2, csig2: csig2, dn2: dn2, wantDistance: false).m12b
                    dlam12 = m12b * k.f1 / (calp2 * cbet2)
                }
            }
            return Lambda(lam12: eta + domg12, sig12: sig12, ssig1: ssig1, csig1: csig1,
                          ssig2: ssig2, csig2: csig2, eps: eps, dlam12: dlam12)
        }

        // MARK: inverse problem

        static func inverse(lat1 lat1In: Double, lon1: Double, lat2 lat2In: Double, lon2: Double) -> Double {
            let k = w
            var (lon12, lon12s) = angDiff(lon1, lon2)
            // Make longitude difference positive.
            var lonsign = Double(signOf: lon12, magnitudeOf: 1)
            lon12 *= lonsign
            lon12s *= lonsign
            let lam12 = lon12 * .pi / 180
            let (slam12, clam12) = sincosde(lon12, lon12s)
            lon12s = (180 - lon12) - lon12s  // the supplementary longitude difference

            var lat1 = angRound(latFix(lat1In))
            var lat2 = angRound(latFix(lat2In))
            // Swap so that |lat1| >= |lat2|, then make lat1 <= 0.
            if abs(lat1) < abs(lat2) || lat2.isNaN {
                lonsign = -lonsign
                swap(&lat1, &lat2)
            }
            let latsign = Double(signOf: -lat1, magnitudeOf: 1)
            lat1 *= latsign
            lat2 *= latsign

            var (sbet1, cbet1) = sincosd(lat1)
            sbet1 *= k.f1
            norm(&sbet1, &cbet1)
            cbet1 = max(k.tiny, cbet1)
            var (sbet2, cbet2) = sincosd(lat2)
            sbet2 *= k.f1
            norm(&sbet2, &cbet2)
            cbet2 = max(k.tiny, cbet2)
            // Keep |bet1| and |bet2| exactly equal when the latitudes are.
            if cbet1 < -sbet1 {
                if cbet2 == cbet1 { sbet2 = Double(signOf: sbet2, magnitudeOf: sbet1) }
            } else if abs(sbet2) == -sbet1 {
                cbet2 = cbet1
            }
            let dn1 = (1 + k.ep2 * sq(sbet1)).squareRoot()
            let dn2 = (1 + k.ep2 * sq(sbet2)).squareRoot()

            var s12x = Double.nan
            var meridian = lat1 == -90 || slam12 == 0
            if meridian {
                // Along a meridian (or from a pole): the geodesic is the meridian itself,
                // unless the points are nearly antipodal.
                let calp1 = clam12, calp2 = 1.0
                let ssig1 = sbet1, csig1 = calp1 * cbet1
                let ssig2 = sbet2, csig2 = calp2 * cbet2
                var sig12 = atan2(max(0.0, csig1 * ssig2 - ssig1 * csig2) + 0.0, csig1 * csig2 + ssig1 * ssig2)
                var (sx, mx) = lengths(eps: k.n, sig12: sig12, ssig1: ssig1, csig1: csig1, dn1: dn1,
                                       ssig2: ssig2, csig2: csig2, dn2: dn2, wantDistance: true)
                if sig12 < k.tol2 || mx >= 0 {
                    if sig12 < 3 * k.tiny || (sig12 < k.tol0 && (sx < 0 || mx < 0)) {
                        sig12 = 0
                        mx = 0
                        sx = 0
                    }
                    s12x = sx * k.b
                } else {
                    meridian = false
                }
            }

            if !meridian && sbet1 == 0 && (k.f <= 0 || lon12s >= k.f * 180) {
                // Along the equator.
                s12x = k.a * lam12
            } else if !meridian {
                let start = inverseStart(sbet1: sbet1, cbet1: cbet1, sbet2: sbet2, cbet2: cbet2,
                                         lam12: lam12, slam12: slam12, clam12: clam12, k)
                if start.sig12 >= 0 {
                    // Short line: the start is the answer.
                    s12x = start.sig12 * k.b * start.dnm
                } else {
                    // Newton's method on alp1, falling back to bisection.
                    var salp1 = start.salp1, calp1 = start.calp1
                    var numit = 0
                    var tripn = false, tripb = false
                    var salp1a = k.tiny, calp1a = 1.0
                    var salp1b = k.tiny, calp1b = -1.0
                    var l: Lambda
                    while true {
                        l = lambda12(sbet1: sbet1, cbet1: cbet1, dn1: dn1, sbet2: sbet2, cbet2: cbet2, dn2: dn2,
                                     salp1: salp1, calp1: calp1, slam120: slam12, clam120: clam12,
                                     diffp: numit < k.maxit1, k)
                        let v = l.lam12
                        if tripb || !(abs(v) >= (tripn ? 8 : 1) * k.tol0) || numit == k.maxit2 { break }
                        if v > 0 && (numit > k.maxit1 || calp1 / salp1 > calp1b / salp1b) {
                            salp1b = salp1
                            calp1b = calp1
                        } else if v < 0 && (numit > k.maxit1 || calp1 / salp1 < calp1a / salp1a) {
                            salp1a = salp1
                            calp1a = calp1
                        }
                        numit += 1
                        let dv = l.dlam12
                        if numit < k.maxit1 && dv > 0 {
                            let dalp1 = -v / dv
                            if abs(dalp1) < .pi {
                                let sdalp1 = sin(dalp1), cdalp1 = cos(dalp1)
                                let nsalp1 = salp1 * cdalp1 + calp1 * sdalp1
                                if nsalp1 > 0 {
                                    calp1 = calp1 * cdalp1 - salp1 * sdalp1
                                    salp1 = nsalp1
                                    norm(&salp1, &calp1)
                                    tripn = abs(v) <= 16 * k.tol0
                                    continue
                                }
                            }
                        }
                        salp1 = (salp1a + salp1b) / 2
                        calp1 = (calp1a + calp1b) / 2
                        norm(&salp1, &calp1)
                        tripn = false
                        tripb = abs(salp1a - salp1) + (calp1a - calp1) < k.tolb
                            || abs(salp1 - salp1b) + (calp1 - calp1b) < k.tolb
                    }
                    let s = lengths(eps: l.eps, sig12: l.sig12, ssig1: l.ssig1, csig1: l.csig1, dn1: dn1,
                                    ssig2: l.ssig2, csig2: l.csig2, dn2: dn2, wantDistance: true).s12b
                    s12x = s * k.b
                }
            }
            return 0.0 + s12x
        }

        // MARK: direct problem

        static func direct(lat1 lat1In: Double, lon1: Double, azi1: Double, s12: Double) -> GeoPoint {
            let k = w
            let lat1 = latFix(lat1In)
            let (salp1, calp1) = sincosd(angRound(azi1))
            var (sbet1, cbet1) = sincosd(angRound(lat1))
            sbet1 *= k.f1
            norm(&sbet1, &cbet1)
            cbet1 = max(k.tiny, cbet1)

            let salp0 = salp1 * cbet1
            let calp0 = hypot(calp1, salp1 * sbet1)
            var ssig1 = sbet1
            let somg1 = salp0 * sbet1
            var csig1 = sbet1 != 0 || calp1 != 0 ? cbet1 * calp1 : 1
            let comg1 = csig1
            norm(&ssig1, &csig1)

            let k2 = sq(calp0) * k.ep2
            let eps = epsilon(k2: k2)
            let a1m1v = a1m1(eps)
            let c1a = c1(eps)
            let b11 = sinSeries(ssig1, csig1, c1a)
            let sb = sin(b11), cb = cos(b11)
            let stau1 = ssig1 * cb + csig1 * sb
            let ctau1 = csig1 * cb - ssig1 * sb
            let c1pa = c1p(eps)
            let c3a = c3(eps, k)
            let a3c = -k.f * salp0 * a3(eps, k)
            let b31 = sinSeries(ssig1, csig1, c3a)

            let tau12 = s12 / (k.b * (1 + a1m1v))
            let st = sin(tau12), ct = cos(tau12)
            let b12 = -sinSeries(stau1 * ct + ctau1 * st, ctau1 * ct - stau1 * st, c1pa)
            let sig12 = tau12 - (b12 - b11)
            let ssig12 = sin(sig12), csig12 = cos(sig12)
            let ssig2 = ssig1 * csig12 + csig1 * ssig12
            var csig2 = csig1 * csig12 - ssig1 * ssig12
            let sbet2 = calp0 * ssig2
            var cbet2 = hypot(salp0, calp0 * csig2)
            if cbet2 == 0 {
                cbet2 = k.tiny
                csig2 = k.tiny
            }
            let somg2 = salp0 * ssig2, comg2 = csig2
            let omg12 = atan2(somg2 * comg1 - comg2 * somg1, comg2 * comg1 + somg2 * somg1)
            let lam12 = omg12 + a3c * (sig12 + (sinSeries(ssig2, csig2, c3a) - b31))
            let lon12 = lam12 * 180 / .pi
            let lon2 = angNormalize(angNormalize(lon1) + angNormalize(lon12))
            let lat2 = atan2d(sbet2, k.f1 * cbet2)
            return GeoPoint(lat: lat2, lon: lon2)
        }
    }
}
