import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceCircleAPI
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore

/// `servicecircle bench nearest`: the in-memory read model's search and JSON body, single-threaded and
/// without HTTP, on the catalogue and query points that `scripts/bench-nearest.sh` loaded.
struct NearestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nearest",
        abstract: "Time /v1/nearest's search + JSON in process on the benchmark catalogue (needs scripts/bench-nearest.sh's database).")
    @Option(name: .customLong("database-url"), help: "The benchmark database (scripts/bench-nearest.sh prints how to start it).")
    var databaseURL: String
    @Option(help: "Instants to query at (RFC 3339), comma-separated.")
    var at = "2026-11-23T20:01:00+08:00,2026-11-24T10:00:00+08:00"
    @Option(help: "Business code.") var business = "ebike_registration"
    @Option(help: "Rounds over all query points; the median round is reported.") var rounds = 5
    @Flag(help: "List the slowest queries of the last round.") var verbose = false

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let config = try DatabaseLocation(url: databaseURL).clientConfiguration
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        let instants = try at.split(separator: ",").map { s -> Instant in
            guard let i = Instant(rfc3339: String(s)) else { throw ValidationError("bad --at '\(s)'") }
            return i
        }
        guard let b = BusinessCode(rawValue: business) else { throw ValidationError("unknown business '\(business)'") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let model = ReadModel(client: client, logger: logger)
            let t0 = ContinuousClock.now
            try await model.reloadAll()
            print("read model: \(model.count) outlets loaded in \(ContinuousClock.now - t0)")
            var points: [GeoPoint] = []
            for try await (lat, lon) in try await client.query("SELECT lat, lon FROM bench_points ORDER BY i", logger: logger).decode((Double, Double).self) {
                points.append(GeoPoint(lat: lat, lon: lon))
            }
            for instant in instants {
                var perRound: [Double] = []
                var searchRound: [Double] = []
                var latencies: [Double] = []
                var fallbacks = 0, bytes = 0
                var slowest: [(Double, GeoPoint)] = []
                for round in 0..<rounds {
                    let r0 = ContinuousClock.now
                    var searching = Duration.zero
                    for p in points {
                        let q0 = ContinuousClock.now
                        let q = NearestQuery(point: p, businesses: [b], at: instant)
                        guard let found = model.search(q) else { throw ValidationError("model not loaded") }
                        let answer = found.answer
                        searching += ContinuousClock.now - q0
                        bytes &+= nearestResponseBytes(answer, q, memo: found.memo)
                        if round == rounds - 1 {
                            if answer.fallbacksApplied { fallbacks += 1 }
                            latencies.append(Self.micros(ContinuousClock.now - q0))
                            slowest.append((latencies.last!, p))
                        }
                    }
                    perRound.append(Self.micros(ContinuousClock.now - r0) / Double(points.count))
                    searchRound.append(Self.micros(searching) / Double(points.count))
                }
                // The search's share in the median round (the rest is the JSON body).
                let median = perRound.indices.sorted { perRound[$0] < perRound[$1] }[perRound.count / 2]
                let searchShare = searchRound[median]
                perRound.sort()
                if verbose {
                    for (us, p) in slowest.sorted(by: { $0.0 > $1.0 }).prefix(5) { print(String(format: "  slow: %.0f µs at %.6f,%.6f", us, p.lat, p.lon)) }
                }
                latencies.sort()
                print(String(format: "at %@: %.1f µs/query (search %.1f, JSON %.1f) median of %d rounds (min %.1f, max %.1f); last round p50 %.1f µs, p99 %.1f µs; %d of %d answers with fallbacks [%d]",
                             instant.rfc3339, perRound[perRound.count / 2], searchShare, perRound[perRound.count / 2] - searchShare,
                             rounds, perRound.first!, perRound.last!,
                             latencies[latencies.count / 2], latencies[latencies.count * 99 / 100], fallbacks, points.count, bytes & 1))
            }
        }
    }

    static func micros(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
    }
}
