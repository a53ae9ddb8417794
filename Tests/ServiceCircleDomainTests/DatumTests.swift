import Foundation
import ServiceCircleDomain
import Testing

private func p(_ lat: Double, _ lon: Double) -> GeoPoint { GeoPoint(lat: lat, lon: lon) }

private func close(_ a: GeoPoint, _ b: GeoPoint, degrees tolerance: Double) -> Bool {
    abs(a.lat - b.lat) <= tolerance && abs(a.lon - b.lon) <= tolerance
}

@Suite struct DatumTests {
    /// WGS-84 → GCJ-02 pairs from the test suite of googollee/eviltransform (python/test.py,
    /// also in its PHP and Go tests): Shanghai, Shenzhen, Beijing. Recomputing them with the
    /// Krasovsky-ellipsoid formula reproduces every digit.
    @Test func forwardMatchesEviltransformSuite() {
        let cases = [
            (p(31.1774276, 121.5272106), p(31.17530398364597, 121.531541859215)),
            (p(22.543847, 113.912316), p(22.540796131694766, 113.9171764808363)),
            (p(39.911954, 116.377817), p(39.91334545536069, 116.38404722455657)),
        ]
        for (wgs, gcj) in cases {
            #expect(close(Datum.wgs84ToGcj02(wgs), gcj, degrees: 1e-11), "\(wgs)")
            // The inverse lands back on the WGS-84 point to well under a centimetre.
            #expect(Geodesy.distance(Datum.gcj02ToWgs84(gcj), wgs) < 0.01)
        }
    }

    /// The README of wandergis/coordtransform (npm `coordtransform`) converts (116.404, 39.915)
    /// every way and prints the results.
    @Test func matchesCoordtransformReadme() {
        let input = p(39.915, 116.404)
        #expect(close(Datum.wgs84ToGcj02(input), p(39.91640428150164, 116.41024449916938), degrees: 1e-11))
        #expect(close(Datum.gcj02ToBd09(input), p(39.92133699351021, 116.41036949371029), degrees: 1e-11))
        // coordtransform inverts in closed form (BD-09) or with one step (GCJ-02); ours iterate to
        // the exact inverse, which lies within a few centimetres of those answers.
        #expect(Geodesy.distance(Datum.bd09ToGcj02(input), p(39.90865673957631, 116.39762729119315)) < 0.1)
        #expect(Geodesy.distance(Datum.gcj02ToWgs84(input), p(39.91359571849836, 116.39775550083061)) < 0.1)
    }

    /// Tiananmen, WGS-84 (39.90872, 116.39748), is commonly quoted at GCJ-02 (39.91012, 116.40372).
    @Test func tiananmen() {
        let gcj = Datum.wgs84ToGcj02(p(39.90872, 116.39748))
        #expect(close(gcj, p(39.91012, 116.40372), degrees: 5e-6))
        #expect(Geodesy.distance(gcj, p(39.91012, 116.40372)) < 1)
    }

    @Test func gcjShiftIsHundredsOfMetresInChina() {
        let shift = Geodesy.distance(p(30.5928, 114.3055), Datum.wgs84ToGcj02(p(30.5928, 114.3055)))
        #expect(shift > 100 && shift < 1_000)
    }

    @Test func wgsGcjRoundTripAcrossChina() {
        var worst = 0.0
        var worstInverse = 0.0
        for lat in stride(from: 18.0, through: 53.5, by: 0.5) {
            for lon in stride(from: 73.5, through: 135.0, by: 0.5) {
                let wgs = p(lat, lon)
                let gcj = Datum.wgs84ToGcj02(wgs)
                let back = Datum.gcj02ToWgs84(gcj)
                worst = max(worst, Geodesy.distance(wgs, back))
                // And the inverse is what its contract says: its forward image is the input.
                let again = Datum.wgs84ToGcj02(back)
                worstInverse = max(worstInverse, max(abs(again.lat - gcj.lat), abs(again.lon - gcj.lon)))
            }
        }
        #expect(worst <= 0.01, "worst WGS→GCJ→WGS error \(worst) m")
        #expect(worstInverse < 1e-9)
    }

    @Test func bdRoundTripsAcrossChina() {
        var worstGcj = 0.0, worstWgs = 0.0, worstBd = 0.0
        for lat in stride(from: 18.0, through: 53.5, by: 1.5) {
            for lon in stride(from: 73.5, through: 135.0, by: 1.5) {
                let g = p(lat, lon)
                worstGcj = max(worstGcj, Geodesy.distance(g, Datum.bd09ToGcj02(Datum.gcj02ToBd09(g))))
                worstWgs = max(worstWgs, Geodesy.distance(g, Datum.bd09ToWgs84(Datum.wgs84ToBd09(g))))
                worstBd = max(worstBd, Geodesy.distance(g, Datum.gcj02ToBd09(Datum.bd09ToGcj02(g))))
            }
        }
        #expect(worstGcj <= 0.01, "GCJ→BD→GCJ \(worstGcj) m")
        #expect(worstWgs <= 0.01, "WGS→BD→WGS \(worstWgs) m")
        #expect(worstBd <= 0.01, "BD→GCJ→BD \(worstBd) m")
    }

    @Test func outsideChinaIsNotShiftedByGcj() {
        for place in [p(35.68, 139.76) /* Tokyo */, p(51.5074, -0.1278) /* London */,
                      p(-33.87, 151.21) /* Sydney */, p(40.71, -74.01) /* New York */] {
            #expect(Datum.isOutsideChina(place))
            #expect(Datum.wgs84ToGcj02(place) == place)
            #expect(Datum.gcj02ToWgs84(place) == place)
            // BD-09 applies its own offset everywhere, so it still moves the point, and undoes it.
            #expect(Datum.wgs84ToBd09(place) != place)
            #expect(Geodesy.distance(Datum.bd09ToWgs84(Datum.wgs84ToBd09(place)), place) < 0.01)
        }
        #expect(!Datum.isOutsideChina(p(30.5928, 114.3055)))
    }

    @Test func toWGS84DispatchesOnTheSystem() {
        let wgs = p(30.5928, 114.3055)
        #expect(Datum.toWGS84(wgs, from: .wgs84) == wgs)
        for system in CoordinateSystem.allCases {
            let there = Datum.fromWGS84(wgs, to: system)
            #expect(Geodesy.distance(Datum.toWGS84(there, from: system), wgs) < 0.01, "\(system)")
        }
        #expect(Datum.fromWGS84(wgs, to: .gcj02) == Datum.wgs84ToGcj02(wgs))
        #expect(Datum.fromWGS84(wgs, to: .bd09) == Datum.wgs84ToBd09(wgs))
        #expect(CoordinateSystem(rawValue: "gcj02") == .gcj02)
        #expect(CoordinateSystem.allCases.map(\.rawValue) == ["wgs84", "gcj02", "bd09"])
    }
}
