// swift-tools-version:6.0
import PackageDescription

// Targets by role; dependencies point one way (docs/architecture.md draws them):
//   Domain ← Search ← App ← Store, API ← servicecircle;  Domain ← Seed ← servicecircle
let package = Package(
    name: "ServiceCircle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "servicecircle", targets: ["servicecircle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // The rules: outlets, hours, the 调休 calendar, geodesy and datums, nearest ranking, coverage maths, places,
        // domain errors. Foundation only and no locks, so hours edge cases are tested in milliseconds.
        .target(name: "ServiceCircleDomain"),
        // The in-memory nearest search: grid, ring walk, per-class verdict memos, per-thread scratch buffers.
        // Release builds skip the run-time exclusivity checks here only (measured ~4 % of a search, BENCHMARKS.md).
        .target(name: "ServiceCircleSearch",
                dependencies: ["ServiceCircleDomain"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // The generators of the illustrative seed (their tables are CSV under SeedData/generator/).
        .target(name: "ServiceCircleSeed",
                dependencies: ["ServiceCircleDomain", .product(name: "SwiftCSV", package: "SwiftCSV")]),
        // Use cases: nearest, editing, coverage, places, calendar; the repository protocols the store implements;
        // the change-feed consumer that keeps every derived view fresh; typed configuration.
        .target(
            name: "ServiceCircleApp",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleSearch",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Everything PostgresNIO: repositories, migrator, change source (LISTEN), embedded cluster, seed loader.
        .target(
            name: "ServiceCircleStore",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleApp",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Everything Hummingbird: route collections, DTOs, the hot-path response writer, problem+json mapping, and
        // the HTTP edge (connection limits, NIO handlers around the parser, compression with compress-nio's zlib).
        .target(
            name: "ServiceCircleAPI",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleSearch",
                "ServiceCircleApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "servicecircle",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleSearch",
                "ServiceCircleSeed",
                "ServiceCircleApp",
                "ServiceCircleStore",
                "ServiceCircleAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ServiceCircleDomainTests",
            dependencies: ["ServiceCircleDomain", "ServiceCircleSeed", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "ServiceCircleAppTests", dependencies: ["ServiceCircleApp"]),
        .testTarget(name: "ServiceCircleSearchTests", dependencies: ["ServiceCircleDomain", "ServiceCircleSearch"]),
        .testTarget(name: "ServiceCircleSeedTests", dependencies: ["ServiceCircleDomain", "ServiceCircleSeed"]),
        .testTarget(
            name: "ServiceCircleIntegrationTests",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleSearch",
                "ServiceCircleApp",
                "ServiceCircleStore",
                "ServiceCircleAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
    ]
)
