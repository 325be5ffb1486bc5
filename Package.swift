// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "zotd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zotd", targets: ["zotd"])
    ],
    // Build labels, named like zot's: `make binary EXTENSIONS=metrics,mgmt` builds only those.
    traits: [
        .trait(name: "metrics", description: "Prometheus metrics at /metrics"),
        .trait(name: "mgmt", description: "The mgmt extension: /v2/_zot/ext/mgmt"),
        .trait(name: "lint", description: "Mandatory annotations on pushed manifests"),
        .trait(name: "debug", description: "OpenAPI document and interactive page under /swagger/v2/"),
        .trait(name: "scrub", description: "Periodic re-hash of blobs and manifest reference checks"),
        .trait(name: "search", description: "GraphQL search at /v2/_zot/ext/search, from an image index"),
        .trait(
            name: "imagetrust",
            description: "cosign and notation signatures verified against uploaded keys (section trust; needs search)",
            enabledTraits: ["search"]),
        .trait(
            name: "userprefs", description: "Stars and bookmarks per user: /v2/_zot/ext/userprefs (needs search)",
            enabledTraits: ["search"]),
        .trait(name: "sync", description: "Pull-through cache of upstream registries (section sync)"),
        .default(enabledTraits: ["metrics", "mgmt", "lint", "debug", "scrub", "search", "userprefs", "imagetrust", "sync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/GraphQLSwift/Graphiti.git", from: "3.1.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.3.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // zot's config format and every section's reader; Foundation only, so the config fuzz target compiles
        // the whole module and no extension is ever needed to read a config.
        .target(name: "Config"),
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Blobs in S3-compatible object storage (SigV4 over async-http-client), behind Storage's `BlobStore`.
        .target(
            name: "ObjectStorage",
            dependencies: [
                "Storage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Metadata in PostgreSQL (postgres-nio), behind Storage's `MetadataStore`: what replicas share.
        .target(
            name: "PostgresMetadata",
            dependencies: [
                "Storage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Auth",
            dependencies: [
                "Storage",
                "Config",
                "PostgresMetadata",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Registry",
            dependencies: [
                "Config",
                "Storage",
                "Auth",
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MetricsExtension",
            dependencies: [
                "Config",
                "Registry",
                "Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Extensions/Metrics"
        ),
        .target(name: "MgmtExtension", dependencies: ["Config", "Registry"], path: "Sources/Extensions/Mgmt"),
        .target(name: "LintExtension", dependencies: ["Config", "Registry"], path: "Sources/Extensions/Lint"),
        .target(
            name: "DebugExtension",
            dependencies: ["Config", "Registry", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Extensions/Debug",
            // Compiled into the binary: a lone zotd serves its API document with no resource bundle beside it.
            resources: [.embedInCode("Resources/openapi.json"), .embedInCode("Resources/index.html")]
        ),
        .target(
            name: "ScrubExtension",
            dependencies: ["Config", "Registry", "Storage", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Extensions/Scrub"
        ),
        .target(
            name: "SearchExtension",
            dependencies: [
                "Config", "Registry", "Storage", "PostgresMetadata",
                .product(name: "Graphiti", package: "Graphiti"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Extensions/Search"
        ),
        .target(
            name: "UserprefsExtension",
            dependencies: [
                "Config", "Registry", "SearchExtension", "Storage", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Sources/Extensions/Userprefs"
        ),
        .target(
            name: "ImageTrustExtension",
            dependencies: [
                "Config", "Registry", "SearchExtension", "Storage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Sources/Extensions/ImageTrust"
        ),
        .target(
            name: "SyncExtension",
            dependencies: [
                "Config", "Registry", "Storage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Extensions/Sync"
        ),
        .executableTarget(
            name: "zotd",
            dependencies: [
                "Config",
                "Storage",
                "ObjectStorage",
                "PostgresMetadata",
                "Registry",
                .target(name: "MetricsExtension", condition: .when(traits: ["metrics"])),
                .target(name: "MgmtExtension", condition: .when(traits: ["mgmt"])),
                .target(name: "LintExtension", condition: .when(traits: ["lint"])),
                .target(name: "DebugExtension", condition: .when(traits: ["debug"])),
                .target(name: "ScrubExtension", condition: .when(traits: ["scrub"])),
                .target(name: "SearchExtension", condition: .when(traits: ["search"])),
                .target(name: "UserprefsExtension", condition: .when(traits: ["userprefs"])),
                .target(name: "ImageTrustExtension", condition: .when(traits: ["imagetrust"])),
                .target(name: "SyncExtension", condition: .when(traits: ["sync"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The PostgreSQL server the tests of every module with tables in it share (`PG_URL`).
        .target(
            name: "PostgresTestSupport",
            dependencies: ["Storage", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/PostgresTestSupport"
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "ObjectStorage", "PostgresMetadata", "PostgresTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ObjectStorageTests", dependencies: ["ObjectStorage", "Storage"]),
        .testTarget(
            name: "ImageTrustExtensionTests",
            dependencies: ["ImageTrustExtension", "Config", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "SearchExtensionTests",
            dependencies: [
                "SearchExtension", "Registry", "Storage", "Config", "PostgresMetadata", "PostgresTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Graphiti", package: "Graphiti"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "Config", "Registry", "Storage", "Auth", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "AuthTests",
            dependencies: [
                "Config",
                "Auth",
                "PostgresMetadata",
                "PostgresTestSupport",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SyncExtensionTests", dependencies: ["SyncExtension", "Config", "Storage"]),
        .testTarget(
            name: "ExtensionTests", dependencies: ["Config", "Registry", "Storage", "MgmtExtension", "LintExtension"]
        ),
        .testTarget(
            name: "MetricsExtensionTests",
            dependencies: [
                "Config", "MetricsExtension", "Registry", "Storage",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
