import ServiceCircleDomain
import Foundation

/// Deterministic generators of seed outlets.
///
/// - ``articleCatalogue(regions:tables:)``: the illustrative catalogue of the places the source articles name
///   (武汉市, 阳谷县, 广平县, 石家庄市, 贵阳市, 铜仁市碧江区, 兴义市) in the articles' proportions.
/// - ``national(count:seed:tables:body:)``: a streamed, synthetic nationwide catalogue for load and coverage tests.
/// - ``demand(regions:tables:)``: the residential demand points of every district.
///
/// Their reference tables (anchors, cities, word lists) are the CSV files of `SeedData/generator/`, read into a
/// ``SeedTables`` by the caller. Names, addresses and phone numbers read like real ones but are illustrative, not
/// claims about real outlets. Everything is a pure function of its inputs: a private SplitMix64 generator with fixed
/// seeds, no system randomness, no clock. Platform `libm` differences could at most move a coordinate in its last
/// printed digit.
public enum SeedGenerator {
    /// The default seed of ``national(count:seed:body:)``.
    public static let defaultNationalSeed: UInt64 = 20261123

    // MARK: - Random numbers

    /// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        init(_ label: String, salt: UInt64 = 0) { state = SeedGenerator.fnv1a(label) ^ salt }
        @inline(__always)
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        @inline(__always)
        mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
        /// Uniform in 0..<n (n > 0), by the multiply-high method.
        @inline(__always)
        mutating func below(_ n: Int) -> Int {
            Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
        }
        mutating func chance(_ p: Double) -> Bool { unit() < p }
        /// Standard normal (Box–Muller; one of the pair is discarded for simplicity).
        mutating func normal() -> Double {
            let u1 = max(unit(), 0x1.0p-53)
            let u2 = unit()
            return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
        }
        /// An index drawn with the given cumulative weights (last element = total).
        mutating func pick(cumulative: [Double]) -> Int {
            let x = unit() * cumulative[cumulative.count - 1]
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
        mutating func element<T>(_ a: [T]) -> T { a[below(a.count)] }
    }

    /// FNV-1a over UTF-8: a stable string hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    // MARK: - Geometry

    /// Haversine distance in kilometres on the mean Earth sphere (R = 6371.0088 km).
    public static func distanceKm(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let r = 6371.0088
        let p1 = lat1 * .pi / 180, p2 = lat2 * .pi / 180
        let dp = p2 - p1, dl = (lon2 - lon1) * .pi / 180
        let a = Foundation.sin(dp / 2) * Foundation.sin(dp / 2)
            + Foundation.cos(p1) * Foundation.cos(p2) * Foundation.sin(dl / 2) * Foundation.sin(dl / 2)
        return 2 * r * Foundation.asin(min(1, a.squareRoot()))
    }

    /// Moves a point `dNorthKm`, `dEastKm` (small offsets, local flat-Earth approximation).
    @inline(__always)
    static func offset(lat: Double, lon: Double, dNorthKm: Double, dEastKm: Double) -> (lat: Double, lon: Double) {
        let dLat = dNorthKm / 110.574
        let dLon = dEastKm / (111.320 * Foundation.cos(lat * .pi / 180))
        return (lat + dLat, lon + dLon)
    }

    /// Rounds to six decimals (~0.1 m), the precision the seed files carry.
    @inline(__always)
    static func round6(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }

    // MARK: - Text helpers

    /// `n` zero-padded to `width` digits.
    static func zeroPad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// A local number of `digits` digits not starting with 0, 1 or 9 (those prefixes are not subscriber lines).
    static func localNumber(_ rng: inout SplitMix64, digits: Int, prefix: String = "") -> String {
        var s = prefix
        if s.isEmpty { s.append(Character(String(2 + rng.below(7)))) }
        while s.count < digits { s.append(Character(String(rng.below(10)))) }
        return s
    }

    /// Largest-remainder apportionment of `total` over `weights` (deterministic; ties go to the earlier index).
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        let exact = weights.map { Double(total) * $0 / sum }
        var counts = exact.map { Int($0.rounded(.down)) }
        var left = total - counts.reduce(0, +)
        let order = exact.indices.sorted { a, b in
            let ra = exact[a] - exact[a].rounded(.down), rb = exact[b] - exact[b].rounded(.down)
            return ra != rb ? ra > rb : a < b
        }
        var k = 0
        while left > 0 {
            counts[order[k % order.count]] += 1
            left -= 1
            k += 1
        }
        return counts
    }
}
