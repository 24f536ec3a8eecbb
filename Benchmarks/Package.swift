// swift-tools-version:6.0
// Benchmarks live in their own package so the main build stays lean.
import PackageDescription

let package = Package(
    name: "meshctl-benchmarks",
    dependencies: [.package(name: "meshctl", path: "..")],
    targets: [
        .executableTarget(
            name: "route-bench",
            dependencies: [
                .product(name: "MeshRouting", package: "meshctl"),
                .product(name: "MeshModel", package: "meshctl"),
                .product(name: "MeshValidation", package: "meshctl"),
            ]
        )
    ]
)
