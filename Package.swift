// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "meshctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "meshctl", targets: ["meshctl"]),
        // Libraries, for the benchmarks package and for embedding.
        .library(name: "MeshModel", targets: ["MeshModel"]),
        .library(name: "MeshValidation", targets: ["MeshValidation"]),
        .library(name: "MeshRouting", targets: ["MeshRouting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // System libraries: libyaml (libyaml-dev) and a small C shim over RE2 (libre2-dev).
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "CRE2",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]
        ),

        // Libraries, one job each. The executable is a few lines.
        .target(name: "MeshYAML", dependencies: ["CLibYAML"]),
        .target(name: "MeshRegex", dependencies: ["CRE2"]),
        .target(name: "MeshModel", dependencies: ["MeshYAML"]),
        .target(name: "MeshValidation", dependencies: ["MeshModel", "MeshRegex"]),
        .target(name: "MeshRouting", dependencies: ["MeshModel", "MeshRegex"]),
        .target(name: "MeshAnalysis", dependencies: ["MeshModel", "MeshRouting"]),
        .target(name: "EnvoyConfig", dependencies: ["MeshRouting", "MeshModel", "MeshYAML"]),
        .target(
            name: "MeshctlCommands",
            dependencies: [
                "MeshYAML", "MeshModel", "MeshValidation", "MeshRouting", "MeshAnalysis", "EnvoyConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "meshctl", dependencies: ["MeshctlCommands"]),

        .testTarget(name: "MeshYAMLTests", dependencies: ["MeshYAML"]),
        .testTarget(name: "MeshModelTests", dependencies: ["MeshModel"]),
        .testTarget(name: "MeshValidationTests", dependencies: ["MeshValidation", "MeshModel"]),
        .testTarget(name: "MeshRoutingTests", dependencies: ["MeshRouting", "MeshValidation", "MeshModel"]),
        .testTarget(name: "MeshAnalysisTests", dependencies: ["MeshAnalysis", "MeshValidation", "MeshModel"]),
        .testTarget(
            name: "EnvoyConfigTests", dependencies: ["EnvoyConfig", "MeshRouting", "MeshValidation", "MeshModel"],
            exclude: ["Fixtures", "Golden"]),
        .testTarget(name: "MeshctlCLITests", dependencies: ["meshctl"]),
    ]
)
