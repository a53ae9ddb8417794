import Foundation
@testable import ServiceCircleSeed

/// The repository's SeedData/, found relative to this file.
let seedDataDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("SeedData")

/// The generators' tables (SeedData/generator/), read once per process as the CLI reads them.
let seedTables: SeedTables = {
    do { return try SeedTables(seedDirectory: seedDataDirectory) } catch { fatalError("\(error)") }
}()
