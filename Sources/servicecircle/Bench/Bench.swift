import ArgumentParser
import Foundation
import ServiceCircleApp
import ServiceCircleDomain

/// Micro-benchmarks of the domain core, run in release: `swift run -c release servicecircle bench hours`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks of the domain core (see BENCHMARKS.md).",
                                                    subcommands: [HoursBench.self, NearestBench.self, PlacesBench.self, ImportBench.self, JSONBench.self])

    struct HoursBench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "hours",
            abstract: "Status evaluations per second for a typical office (workday with lunch break, Saturday morning, holidays closed).")
        @Option(help: "Evaluations per run.") var iterations = 5_000_000
        @Option(help: "Runs; the median is reported.") var runs = 5
        @Option(help: "Project folder holding SeedData/.") var projectDir: String?

        func run() throws {
            let project = URL(fileURLWithPath: projectDir ?? FileManager.default.currentDirectoryPath)
            let csv = try String(contentsOf: project.appendingPathComponent("SeedData/calendar/cn-holidays-2024-2026.csv"), encoding: .utf8)
            let calendar = HolidayCalendar(entries: try HolidayCalendar.parseCSV(csv))
            let hours = Hours(rules: [
                HoursRule(days: [.workday], intervals: [TimeRange("08:30", "12:00"), TimeRange("13:30", "17:30")]),
                HoursRule(days: [.sat], intervals: [TimeRange("09:00", "12:00")], businesses: [.vehicleInspection]),
            ])
            let compiled = CompiledHours(hours: hours, businesses: BusinessSet([.vehicleInspection, .licenseRenewal, .vehicleTransfer]), calendar: calendar)
            let required = BusinessSet([.licenseRenewal])
            // Instants spread over 2026 at 7-minute-and-a-bit steps so every branch (open, lunch, night, weekend, holiday) is hit.
            let start = Instant(rfc3339: "2026-01-01T00:00:00+08:00")!.seconds
            var rates: [Double] = []
            var sink = 0
            for _ in 0..<runs {
                let t0 = ContinuousClock.now
                for i in 0..<iterations {
                    let at = Instant(seconds: start + Int64(i % 70_000) * 451)
                    let s = compiled.status(at: at, for: required)
                    sink &+= s.open ? 1 : 0
                    sink &+= Int(truncatingIfNeeded: (s.closesAt ?? s.nextOpensAt)?.seconds ?? 0)
                }
                let d = ContinuousClock.now - t0
                let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                rates.append(Double(iterations) / secs)
            }
            rates.sort()
            let median = rates[rates.count / 2]
            print(String(format: "hours status: median %.0f evaluations/s over %d runs of %d (min %.0f, max %.0f) [sink %d]",
                         median, runs, iterations, rates.first!, rates.last!, sink & 1))
        }
    }
}
