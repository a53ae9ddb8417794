import Foundation
import ServiceCircleDomain

/// The 2024–2026 State Council schedules, read from SeedData so the tests use exactly what the service loads.
let calendar2026: HolidayCalendar = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SeedData/calendar/cn-holidays-2024-2026.csv")
    return HolidayCalendar(entries: try! HolidayCalendar.parseCSV(try! String(contentsOf: url, encoding: .utf8)))
}()

func at(_ s: String) -> Instant { Instant(rfc3339: s)! }

/// A deterministic generator (SplitMix64), so a failing case can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
