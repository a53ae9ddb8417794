import Foundation

/// How a person would travel to an outlet; `none` asks for no travel estimate.
public enum TravelMode: String, CaseIterable, Sendable {
    case none
    case walk
    case bike
    case drive
}

/// Rough travel times from straight-line (geodesic) distance, without a road network.
///
/// Road distance is taken as ``detourFactor`` times the geodesic distance, covered at a fixed
/// average speed per mode. The figures are deliberately plain so that they can be quoted.
public enum TravelEstimate {
    /// Road distance ≈ 1.3 × geodesic distance, a common circuity figure for Chinese cities.
    public static let detourFactor = 1.3
    /// Walking speed, km/h.
    public static let walkSpeedKmh = 4.5
    /// Cycling speed (bicycle or e-bike in traffic), km/h.
    public static let bikeSpeedKmh = 12.0
    /// Urban driving speed, km/h: an average over congestion, lights and finding parking.
    public static let driveSpeedKmh = 25.0

    /// The speed assumed for `mode` in km/h; nil for `none`.
    public static func speedKmh(_ mode: TravelMode) -> Double? {
        switch mode {
        case .none: nil
        case .walk: walkSpeedKmh
        case .bike: bikeSpeedKmh
        case .drive: driveSpeedKmh
        }
    }

    /// Estimated minutes to cover `distanceMetres` of geodesic distance by `mode`, rounded up to
    /// a whole minute: any distance above zero takes at least one minute. Zero for `none` and for
    /// a distance that is zero, negative or not finite.
    public static func minutes(distanceMetres: Double, mode: TravelMode) -> Int {
        guard let speed = speedKmh(mode), distanceMetres > 0, distanceMetres.isFinite else { return 0 }
        let exact = distanceMetres * detourFactor / 1000 / speed * 60
        // A hair of tolerance so that a time that is a whole number of minutes up to rounding
        // error (e.g. 10.000000000000002) is not pushed to the next minute.
        return max(1, Int((exact - 1e-9).rounded(.up)))
    }
}
