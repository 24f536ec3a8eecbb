// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "meshctl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meshctl", targets: ["meshctl"]),
        // Libraries, for the benchmarks package and for embedding.
        .library(name: "MeshModel", targets: ["MeshModel"]),
        .library(name: "MeshValidation", targets: ["MeshValidation"]),
        .library(name: "MeshRouting", targets: ["MeshRouting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Gateway credential checks (IST0161): X.509 and private keys parsed as a TLS stack does.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        // Up to 4.x: jwt-kit 5 needs swift-crypto 4 (swift-certificates accepts both).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // JWT parsing and signature checks for RequestAuthentication (MeshSecurity only).
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        // Latency percentiles for `x load` (an HDR histogram: bounded memory, three significant digits).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
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
        // security.istio.io policy engines the proxy calls per inbound request (mTLS mode,
        // authorization, JWT authentication, local rate limits) and the mesh CA. No NIO, no sockets.
        .target(
            name: "MeshSecurity",
            dependencies: [
                "MeshModel", "MeshRouting", "MeshRegex", "MeshYAML",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MeshAnalysis",
            dependencies: [
                "MeshModel", "MeshRouting", "MeshYAML", "MeshSecurity",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "EnvoyConfig", dependencies: ["MeshRouting", "MeshModel", "MeshYAML", "MeshSecurity"]),
        // Canary rollouts: spec, pure state machine, journal, gates; the CLI performs the I/O.
        .target(name: "MeshRollout", dependencies: ["MeshModel", "MeshRouting", "MeshYAML"]),
        // The data plane: listeners, upstream pools, policies, stats and the admin API.
        .target(
            name: "MeshProxy",
            dependencies: [
                "MeshRouting", "MeshModel", "MeshValidation", "MeshYAML", "EnvoyConfig", "MeshSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Every request touches handler state: the debug build (which the tests run) keeps
            // Swift's dynamic exclusivity checks; the release build leaves them out of the
            // request path.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // `x load`: keep-alive connections on event loops, latencies in an HDR histogram.
        .target(
            name: "MeshLoad",
            dependencies: [
                "MeshProxy",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Demo services that answer like the Istio tutorial's, and the guided demo.
        .target(
            name: "MeshDemo",
            dependencies: [
                "MeshProxy", "MeshLoad", "MeshModel", "MeshYAML", "MeshRouting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "MeshctlCommands",
            dependencies: [
                "MeshYAML", "MeshModel", "MeshValidation", "MeshRouting", "MeshAnalysis", "EnvoyConfig", "MeshProxy",
                "MeshDemo", "MeshLoad", "MeshSecurity", "MeshRollout",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Released binaries link the Swift runtime and Foundation statically: start-up then
        // skips loading and binding a dozen shared libraries, which is most of what a short
        // `meshctl validate` costs (about 6 ms of CPU with them, under 4 ms without). The
        // libraries modules compiled against the shared Foundation do not name are listed.
        .executableTarget(
            name: "meshctl", dependencies: ["MeshctlCommands"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
                + ["CoreFoundation", "_FoundationICU", "_FoundationCShims", "_FoundationCollections"].map {
                    .linkedLibrary($0, .when(configuration: .release))
                }
        ),

        .testTarget(name: "MeshYAMLTests", dependencies: ["MeshYAML"]),
        .testTarget(name: "MeshModelTests", dependencies: ["MeshModel"]),
        .testTarget(name: "MeshValidationTests", dependencies: ["MeshValidation", "MeshModel"]),
        .testTarget(name: "MeshRoutingTests", dependencies: ["MeshRouting", "MeshValidation", "MeshModel"]),
        .testTarget(
            name: "MeshAnalysisTests",
            dependencies: [
                "MeshAnalysis", "MeshValidation", "MeshModel",
                // To make the certificates and keys the gateway credential tests check.
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "EnvoyConfigTests", dependencies: ["EnvoyConfig", "MeshRouting", "MeshValidation", "MeshModel"],
            exclude: ["Fixtures", "Golden"]),
        .testTarget(
            name: "MeshProxyTests",
            dependencies: [
                "MeshProxy", "MeshDemo", "MeshRouting", "MeshModel", "MeshSecurity",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(
            name: "MeshLoadTests",
            dependencies: [
                "MeshLoad", "MeshDemo", "MeshProxy", .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "MeshSecurityTests",
            dependencies: [
                "MeshSecurity", "MeshValidation", "MeshModel",
                // To sign the tokens the JWT tests check, with keys made in the test.
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "MeshctlCLITests", dependencies: ["meshctl"], exclude: ["Golden"]),
    ]
)
