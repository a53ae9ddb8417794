// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ServiceCircle",
    platforms: [.macOS(.v14)],
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
    ],
    targets: [
        // Pure domain: outlets, hours, calendar, geodesy, datums, text forms, seed generation.
        // Imports Foundation only, so hours edge cases are tested in milliseconds.
        // Release builds skip the run-time exclusivity checks in the search's inner loops (measured ~4 % of a search).
        .target(name: "ServiceCircleDomain",
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // Everything PostgresNIO: migrator, repositories, embedded cluster launcher, seed loader.
        .target(
            name: "ServiceCircleStore",
            dependencies: [
                "ServiceCircleDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Everything Hummingbird: routes, DTOs, problem+json, middleware, OpenAPI document.
        .target(
            name: "ServiceCircleAPI",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "servicecircle",
            dependencies: [
                "ServiceCircleDomain",
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
            dependencies: [
                "ServiceCircleDomain",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ServiceCircleIntegrationTests",
            dependencies: [
                "ServiceCircleDomain",
                "ServiceCircleStore",
                "ServiceCircleAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
