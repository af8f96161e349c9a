// swift-tools-version: 6.1
import PackageDescription

// Release-build measurements of Custody, kept apart from the main package so its tests never build them.
// Run with Benchmarks/run (see docs/performance.md).
let package = Package(
    name: "CustodyBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Custody", path: "..")],
    targets: [
        .systemLibrary(name: "CSQLiteBaseline", providers: [.apt(["libsqlite3-dev"])]),
        .executableTarget(
            name: "custody-bench",
            dependencies: [
                "CSQLiteBaseline",
                .product(name: "CustodyLog", package: "Custody"),
                .product(name: "CustodyLineage", package: "Custody"),
                .product(name: "CustodyPack", package: "Custody"),
                .product(name: "CustodyModel", package: "Custody"),
                .product(name: "CustodyPolicy", package: "Custody"),
                .product(name: "CustodyReports", package: "Custody"),
            ]
        ),
    ]
)
