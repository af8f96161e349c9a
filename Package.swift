// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Custody",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "custody", targets: ["custody"]),
        .library(name: "CustodyModel", targets: ["CustodyModel"]),
        .library(name: "CustodyPack", targets: ["CustodyPack"]),
        .library(name: "CustodyLog", targets: ["CustodyLog"]),
        .library(name: "CustodyLineage", targets: ["CustodyLineage"]),
        .library(name: "CustodyPolicy", targets: ["CustodyPolicy"]),
        .library(name: "CustodyReports", targets: ["CustodyReports"]),
        .library(name: "CustodyCLI", targets: ["CustodyCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // The one C shim over the system libsqlite3: `sqlite3_db_config` is variadic and Swift cannot call it.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // libxml2's writer and schema validation; CustodyReports is its only importer.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "CustodyModel", swiftSettings: strictSettings),
        .target(
            name: "CustodyPack",
            dependencies: [
                "CustodyModel",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CustodyLog",
            dependencies: [
                "CustodyModel", "CSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CustodyLineage",
            dependencies: [
                "CustodyModel", "CustodyPack", "CustodyLog",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CustodyPolicy",
            dependencies: ["CustodyModel", "CustodyPack", "CustodyLog", "CustodyLineage"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CustodyReports",
            dependencies: [
                "CustodyModel", "CustodyPack", "CustodyLog", "CustodyLineage", "CustodyPolicy", "CLibXML2",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CustodyCLI",
            dependencies: [
                "CustodyModel", "CustodyPack", "CustodyLog", "CustodyLineage", "CustodyPolicy", "CustodyReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "custody", dependencies: ["CustodyCLI"], swiftSettings: strictSettings),
        // A writer that acknowledges each batch after its commit; the crash tests SIGKILL it at random moments.
        .executableTarget(
            name: "custody-crash-writer",
            dependencies: ["CustodyLog", "CustodyLineage", "CustodyModel"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CustodyTestSupport",
            dependencies: ["CustodyModel", "CustodyLog", "CustodyCLI"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyModelTests",
            dependencies: ["CustodyModel", "CustodyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyPackTests",
            dependencies: ["CustodyPack", "CustodyModel", "CustodyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyLogTests",
            dependencies: [
                "CustodyLog", "CustodyModel", "CustodyTestSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyLineageTests",
            dependencies: [
                "CustodyLineage", "CustodyLog", "CustodyModel", "CustodyPack", "CustodyTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyPolicyTests",
            dependencies: [
                "CustodyPolicy", "CustodyLineage", "CustodyLog", "CustodyModel", "CustodyPack", "CustodyTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyReportsTests",
            dependencies: ["CustodyReports", "CustodyLineage", "CustodyLog", "CustodyModel", "CustodyPack", "CustodyPolicy", "CustodyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CustodyCLITests",
            dependencies: [
                "CustodyCLI", "CustodyLineage", "CustodyLog", "CustodyModel", "CustodyPack", "CustodyPolicy", "CustodyReports", "CustodyTestSupport", "custody", "custody-crash-writer",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
