// swift-tools-version:6.1
import PackageDescription

// House settings, after Hummingbird's: explicit existentials and imports.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "innominatus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "innominatus", targets: ["innominatus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Layer 0: Debian's libgit2 (apt-get install libgit2-dev).
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Layer 0: Debian's libyaml (apt-get install libyaml-dev), read event by event in Specs/YAML.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Layer 0: the few process-control calls Swift cannot make (variadic prctl).
        .target(name: "CProcess"),
        // Layer 0: the Swift side of process control shared by GitKit and the Executor.
        .target(name: "ProcessSupport", dependencies: ["CProcess"], swiftSettings: swiftSettings),
        // Layer 1: the only code that touches libgit2 (Specs only for `Duration.brief`, the one duration format).
        .target(
            name: "GitKit",
            dependencies: [
                "CLibGit2",
                "CProcess",
                "ProcessSupport",
                "Specs",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 1: Score, workflow and admin-config models and validation.
        .target(
            name: "Specs",
            dependencies: [
                "CLibYAML",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 2: PURE planning — (desired snapshot, applied state, policy, now) → Plan. No I/O, no clock.
        .target(
            name: "Planner",
            dependencies: ["Specs"],
            swiftSettings: swiftSettings
        ),
        // Layer 2: runs steps — subprocesses, timeouts, retries, outputs, logs, plugins.
        .target(
            name: "Executor",
            dependencies: [
                "Specs", "CProcess", "ProcessSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 2: the application tier — Score resources through provisioners, Kubernetes manifests.
        .target(
            name: "Provisioning",
            dependencies: [
                "Specs",
                "ProcessSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 3: `innominatus migrate` — a platform repo of the original innominatus → this layout, pure
        // (source files → destination files + report); Provisioning only for its YAML values and emitter.
        .target(
            name: "Migration",
            dependencies: ["Specs", "Provisioning"],
            swiftSettings: swiftSettings
        ),
        // Layer 3: the loop — fetch, load, plan, execute, record, push; lock; state and status stores.
        .target(
            name: "Reconciler",
            dependencies: [
                "GitKit", "Specs", "Planner", "Executor", "Provisioning", "ProcessSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Notifications: forge statuses, PR comments, Slack and webhook sinks.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Layer 4: HTTP API, push webhooks, /metrics, health — around the Reconciler.
        .target(
            name: "Server",
            dependencies: [
                "Reconciler", "GitKit", "Specs", "Planner",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The thin CLI.
        .executableTarget(
            name: "innominatus",
            dependencies: [
                "GitKit",
                "Specs",
                "Planner",
                "Executor",
                "Provisioning",
                "Reconciler",
                "Server",
                "Migration",
                "ProcessSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures shared by the test targets: temporary repositories, git CLI, local servers.
        .target(
            name: "TestSupport",
            dependencies: ["GitKit", "ProcessSupport"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GitKitTests",
            // The executable is a dependency so that its binary (the network helper) is built.
            dependencies: ["GitKit", "TestSupport", "innominatus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpecsTests",
            dependencies: ["Specs", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PlannerTests",
            dependencies: ["Planner", "Specs"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExecutorTests",
            dependencies: ["Executor", "Specs", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProvisioningTests",
            dependencies: ["Provisioning", "Specs", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: ["Reconciler", "GitKit", "Specs", "Planner", "TestSupport", "innominatus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MigrationTests",
            // The executable runs `migrate`, `validate`, `run` and `reconcile` over migrated repositories.
            dependencies: ["Migration", "Specs", "TestSupport", "innominatus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "Reconciler", "GitKit", "TestSupport", "innominatus"],
            swiftSettings: swiftSettings
        ),
        // Fuzzing the YAML/Score/workflow decoders: `Fuzz/run.sh` builds it with -sanitize=fuzzer (on demand).
        .executableTarget(
            name: "SpecsFuzz",
            dependencies: ["Specs"],
            path: "Fuzz/SpecsFuzz",
            swiftSettings: swiftSettings
        ),
        // Benchmarks: release builds only, never run by the tests.
        .executableTarget(
            name: "GitKitBenchmark",
            dependencies: ["GitKit"],
            path: "Benchmarks/GitKitBenchmark",
            swiftSettings: swiftSettings
        ),
    ]
)
