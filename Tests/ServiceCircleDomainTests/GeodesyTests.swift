import Foundation
import ServiceCircleDomain
import Testing

/// A small seeded generator so that the randomised checks are reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func p(_ lat: Double, _ lon: Double) -> GeoPoint { GeoPoint(lat: lat, lon: lon) }

@Suite struct GeodesyTests {
    /// Vincenty's (1975) worked example as published by Geoscience Australia: Flinders Peak
    /// (-37°57'03.72030", 144°25'29.52440") to Buninyong (-37°39'10.15610", 143°55'35.38390"),
    /// 54,972.271 m at azimuth 306°52'05.37".
    static let flindersPeak = p(-(37 + 57 / 60.0 + 3.72030 / 3600), 144 + 25 / 60.0 + 29.52440 / 3600)
    static let buninyong = p(-(37 + 39 / 60.0 + 10.15610 / 3600), 143 + 55 / 60.0 + 35.38390 / 3600)

    @Test func flindersPeakToBuninyong() {
        let d = Geodesy.distance(Self.flindersPeak, Self.buninyong)
        #expect(abs(d - 54_972.271) < 0.001)
        // GeographicLib 2.1 (the algorithm PostGIS uses for geography) gives 54972.27113920079.
        #expect(abs(d - 54_972.271_139_200_79) < 1e-6)
    }

    @Test func flindersPeakDirectReachesBuninyong() {
        let azimuth = 306 + 52 / 60.0 + 5.37 / 3600
        let q = Geodesy.destination(from: Self.flindersPeak, bearingDegrees: azimuth, distance: 54_972.271)
        // The published azimuth is rounded to 0.01", about 2.7 mm at this range.
        #expect(Geodesy.distance(q, Self.buninyong) < 0.005)
    }

    /// Reference distances from GeographicLib 2.1 (`Geodesic.WGS84.Inverse`), Karney's algorithm
    /// as PostGIS's `ST_Distance(geography, geography)` runs it through PROJ.
    @Test func matchesGeographicLib() {
        let cases: [(GeoPoint, GeoPoint, Double)] = [
            // One degree of latitude at the equator, 110,574.389 m in the usual tables.
            (p(0, 0), p(1, 0), 110_574.388_557_798_78),
            // Quarter of the equator: a·π/2.
            (p(0, 0), p(0, 90), 10_018_754.171_394_622),
            // Antipodal on the equator: the geodesic runs over a pole.
            (p(0, 0), p(0, 180), 20_003_931.458_625_447),
            (p(90, 0), p(-90, 0), 20_003_931.458_625_447),
            // Nearly antipodal, where Vincenty's method fails to converge.
            (p(0, 0), p(0.5, 179.7), 19_944_127.420_750_458),
            // GeographicLib's documentation example (Wellington to Salamanca).
            (p(-41.32, 174.81), p(40.96, -5.5), 19_959_679.267_353_82),
            // Tiananmen to the Bund.
            (p(39.90872, 116.39748), p(31.23958, 121.49972), 1_066_765.173_639_466_8),
            // Along a parallel in Beijing.
            (p(39.90872, 116.39748), p(39.90872, 116.45), 4_490.851_362_290_263),
        ]
        for (a, b, expected) in cases {
            let d = Geodesy.distance(a, b)
            #expect(abs(d - expected) < 1e-6, "\(a) → \(b): \(d) vs \(expected)")
            #expect(abs(Geodesy.distance(b, a) - expected) < 1e-6)
        }
    }

    @Test func zeroDistance() {
        let wuhan = p(30.5928, 114.3055)
        #expect(Geodesy.distance(wuhan, wuhan) == 0)
        #expect(Geodesy.distance(p(90, 10), p(90, -170)) == 0)
    }

    /// GeographicLib 2.1 `Geodesic.WGS84.Direct` outputs.
    @Test func destinationMatchesGeographicLib() {
        let cases: [(GeoPoint, Double, Double, GeoPoint)] = [
            (p(39.90872, 116.39748), 45, 5_000, p(39.940_554_760_936_73, 116.438_846_823_173_56)),
            (p(30.5928, 114.3055), 123.4, 100_000, p(30.093_354_808_129_295, 115.171_559_599_684_56)),
        ]
        for (from, bearing, distance, expected) in cases {
            let q = Geodesy.destination(from: from, bearingDegrees: bearing, distance: distance)
            #expect(abs(q.lat - expected.lat) < 1e-10 && abs(q.lon - expected.lon) < 1e-10, "\(q) vs \(expected)")
        }
    }

    @Test func destinationThenDistanceRoundTripsWithinAMillimetre() {
        var rng = SplitMix64(state: 20_240_601)
        var worst = 0.0
        for i in 0..<4_000 {
            // Mostly China, some anywhere; mostly up to 100 km, some up to half the globe.
            let inChina = i % 4 != 0
            let from = inChina
                ? p(Double.random(in: 18...54, using: &rng), Double.random(in: 73...135, using: &rng))
                : p(Double.random(in: -89...89, using: &rng), Double.random(in: -180...180, using: &rng))
            let d = i % 8 == 0 ? Double.random(in: 0...19_000_000, using: &rng) : Double.random(in: 0...100_000, using: &rng)
            let bearing = Double.random(in: -180...360, using: &rng)
            let q = Geodesy.destination(from: from, bearingDegrees: bearing, distance: d)
            worst = max(worst, abs(Geodesy.distance(from, q) - d))
        }
        #expect(worst < 0.001, "worst round-trip error \(worst) m")
    }

    @Test func placesPointsJustInsideAndOutsideARadius() {
        let centre = p(30.5928, 114.3055)
        for bearing in stride(from: 0.0, to: 360, by: 15) {
            let inside = Geodesy.destination(from: centre, bearingDegrees: bearing, distance: 4_999)
            let outside = Geodesy.destination(from: centre, bearingDegrees: bearing, distance: 5_001)
            #expect(Geodesy.distance(centre, inside) < 5_000)
            #expect(Geodesy.distance(centre, outside) > 5_000)
            #expect(abs(Geodesy.distance(centre, inside) - 4_999) < 1e-6)
        }
    }

    @Test func boundingBoxContainsEveryPointWithinTheRadius() {
        var rng = SplitMix64(state: 7)
        let centres = [p(30.5928, 114.3055), p(39.90872, 116.39748), p(53.4, 122.3), p(18.25, 109.5),
                       p(0, 0), p(-45, -70), p(70, 20)]
        for centre in centres {
            for radius in [1.0, 5_000, 50_000, 500_000] {
                let box = Geodesy.boundingBox(center: centre, radius: radius)
                func contains(_ q: GeoPoint) -> Bool {
                    q.lat >= box.minLat && q.lat <= box.maxLat && q.lon >= box.minLon && q.lon <= box.maxLon
                }
                // The circle itself, finely, then random points inside it.
                for step in 0..<720 {
                    let q = Geodesy.destination(from: centre, bearingDegrees: Double(step) / 2, distance: radius)
                    #expect(contains(q), "\(q) at \(radius) m from \(centre) outside \(box)")
                }
                for _ in 0..<500 {
                    let q = Geodesy.destination(from: centre, bearingDegrees: Double.random(in: 0..<360, using: &rng),
                                                distance: radius * Double.random(in: 0...1, using: &rng))
                    #expect(contains(q))
                }
                // And it is not much bigger than needed: latitudes are exact; longitudes are
                // loose by about radius·tan(lat)/R, which is small for service-sized circles.
                let north = Geodesy.destination(from: centre, bearingDegrees: 0, distance: radius).lat
                #expect(box.maxLat - north < 1e-8)
                var widest = 0.0
                for step in 0..<3_600 {
                    let q = Geodesy.destination(from: centre, bearingDegrees: Double(step) / 10, distance: radius)
                    widest = max(widest, abs(q.lon - centre.lon))
                }
                let halfWidth = (box.maxLon - box.minLon) / 2
                #expect(halfWidth >= widest)
                if radius <= 50_000 && abs(centre.lat) <= 55 {
                    #expect(halfWidth <= widest * 1.015 + 1e-8, "half-width \(halfWidth) vs \(widest)")
                }
            }
        }
    }

    @Test func boundingBoxAroundAPoleSpansAllLongitudes() {
        let box = Geodesy.boundingBox(center: p(89.99, 40), radius: 5_000)
        #expect(box.maxLat == 90)
        #expect(box.minLon == -180 && box.maxLon == 180)
        let south = Geodesy.boundingBox(center: p(-89.995, 0), radius: 1_000)
        #expect(south.minLat == -90)
        #expect(south.minLon == -180 && south.maxLon == 180)
    }

    @Test func boundingBoxOfZeroRadiusIsThePoint() {
        let c = p(30.5928, 114.3055)
        let box = Geodesy.boundingBox(center: c, radius: 0)
        #expect(box.minLat <= c.lat && c.lat <= box.maxLat && box.minLon <= c.lon && c.lon <= box.maxLon)
        #expect(box.maxLat - box.minLat < 1e-8 && box.maxLon - box.minLon < 1e-8)
    }
}

@Suite struct TravelEstimateTests {
    @Test func constantsAreTheDocumentedOnes() {
        #expect(TravelEstimate.detourFactor == 1.3)
        #expect(TravelEstimate.walkSpeedKmh == 4.5)
        #expect(TravelEstimate.bikeSpeedKmh == 12)
        #expect(TravelEstimate.driveSpeedKmh == 25)
        #expect(TravelEstimate.speedKmh(.none) == nil)
    }

    @Test func roundsUpToWholeMinutes() {
        // 1 km straight = 1.3 km by road: 17.3 min walking, 6.5 cycling, 3.12 driving.
        #expect(TravelEstimate.minutes(distanceMetres: 1_000, mode: .walk) == 18)
        #expect(TravelEstimate.minutes(distanceMetres: 1_000, mode: .bike) == 7)
        #expect(TravelEstimate.minutes(distanceMetres: 1_000, mode: .drive) == 4)
        // 5 km straight by car: 6.5 km at 25 km/h = 15.6 min.
        #expect(TravelEstimate.minutes(distanceMetres: 5_000, mode: .drive) == 16)
        // A metre still takes a minute.
        #expect(TravelEstimate.minutes(distanceMetres: 1, mode: .drive) == 1)
    }

    @Test func aWholeNumberOfMinutesIsNotRoundedPastItself() {
        // Exactly 10 minutes of driving: 25 km/h × 10/60 h = 4,166.67 m of road.
        let d = 25_000.0 / 6 / 1.3
        #expect(TravelEstimate.minutes(distanceMetres: d, mode: .drive) == 10)
        #expect(TravelEstimate.minutes(distanceMetres: d + 0.01, mode: .drive) == 11)
    }

    @Test func noneAndDegenerateDistancesAreZero() {
        for mode in TravelMode.allCases {
            #expect(TravelEstimate.minutes(distanceMetres: 0, mode: mode) == 0)
            #expect(TravelEstimate.minutes(distanceMetres: -5, mode: mode) == 0)
            #expect(TravelEstimate.minutes(distanceMetres: .nan, mode: mode) == 0)
            #expect(TravelEstimate.minutes(distanceMetres: .infinity, mode: mode) == 0)
        }
        #expect(TravelEstimate.minutes(distanceMetres: 50_000, mode: .none) == 0)
    }
}
