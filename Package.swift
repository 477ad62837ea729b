// swift-tools-version: 6.2
import PackageDescription

/// What every SwiftNIO-based module of kube-mail uses.
let networking: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "Logging", package: "swift-log"),
]

let package = Package(
    name: "kube-mail",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kube-mail", targets: ["kube-mail"]),
        .executable(name: "kubemailctl", targets: ["kubemailctl"]),
        .executable(name: "smtp-fuzz", targets: ["smtp-fuzz"]),
        .executable(name: "kube-test-server", targets: ["kube-test-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Resource types, defaulting, validation and CRD schema generation. No networking.
        .target(
            name: "KubeMailAPI",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // SMTP without IO: grammar, replies, dot-stuffing, line framing and SASL client mechanisms.
        .target(
            name: "SMTP",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The SMTP server on SwiftNIO: framing in the pipeline, one task per connection, graceful drain.
        .target(
            name: "SMTPServerNIO",
            dependencies: ["SMTP"] + networking + [
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),
        // Drives the server's framing and state machine with arbitrary bytes, checking invariants.
        .target(
            name: "SMTPFuzzing",
            dependencies: ["SMTP"]
        ),
        // libFuzzer target (hack/fuzz.sh); without -DFUZZING it replays inputs given as files.
        .executableTarget(
            name: "smtp-fuzz",
            dependencies: ["SMTPFuzzing"]
        ),
        // The Kubernetes API test server: the API semantics kube-mail relies on, refereed by kubectl.
        .target(
            name: "KubeTestServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "kube-test-server",
            dependencies: [
                "KubeTestServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What tests share: running referee tools and peers. Only test targets depend on it.
        .target(
            name: "KubeMailTestSupport",
            path: "Sources/KubeMailTestSupport"
        ),
        // The SMTP client on SwiftNIO: connection (TLS, STARTTLS, AUTH, transactions) and pool.
        .target(
            name: "SMTPClientNIO",
            dependencies: ["SMTP"] + networking + [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The Kubernetes client: kubeconfig and in-cluster configuration, REST, watches.
        .target(
            name: "Kubernetes",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Which policy applies to a Pod and where its mail goes: shared by relay, operator and CLI.
        .target(
            name: "KubeMailPolicy",
            dependencies: ["KubeMailAPI"]
        ),
        // kubemailctl lint: manifests read with positions, checked against the schemas and each other.
        .target(
            name: "KubeMailLint",
            dependencies: ["KubeMailAPI", "KubeMailPolicy", .product(name: "Yams", package: "Yams")]
        ),
        // The logic behind kubemailctl's commands, testable without a process.
        .target(
            name: "KubeMailCtl",
            dependencies: [
                "KubeMailAPI", "KubeMailPolicy", "KubeMailLint", "SMTP", "SMTPClientNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "kubemailctl",
            dependencies: [
                "KubeMailCtl",
                "SMTP",
                "SMTPClientNIO",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "KubeMailLint",
                "KubeMailPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "kube-mail",
            dependencies: [
                "KubeMailAPI",
                "SMTPServerNIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KubeMailAPITests",
            dependencies: [
                "KubeMailAPI",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "KubeMailLintTests",
            dependencies: ["KubeMailTestSupport", "KubeMailLint", "KubeMailPolicy", "KubeMailAPI", "KubeMailCtl"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "KubeMailPolicyTests",
            dependencies: [
                "KubeMailPolicy", "KubeMailAPI", "KubeMailCtl", .product(name: "Yams", package: "Yams"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SMTPServerNIOTests",
            dependencies: [
                "KubeMailTestSupport",
                "SMTPServerNIO", "SMTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KubeTestServerTests",
            dependencies: ["KubeTestServer"]
        ),
        .testTarget(
            name: "SMTPClientNIOTests",
            dependencies: [
                "SMTPClientNIO", "SMTP", "KubeMailTestSupport", "SMTPServerNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KubernetesTests",
            dependencies: ["Kubernetes"]
        ),
        .testTarget(
            name: "SMTPTests",
            dependencies: ["SMTP", "SMTPFuzzing"]
        ),
        .testTarget(
            name: "KubeMailCtlTests",
            dependencies: [
                "KubeMailTestSupport", "KubeMailCtl", "KubeMailAPI", .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
