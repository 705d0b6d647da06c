// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Kaiban",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kaiban", targets: ["kaiban"]),
        .executable(name: "kaiban-bench-postgres", targets: ["kaiban-bench-postgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The HTTP server. Its default traits (swift-configuration support, full Foundation) are
        // not used: leaving them out keeps swift-configuration out of the build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Already in the build through Hummingbird; named for the bind errors and the service group.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already in the build through Hummingbird; named for the channel handler that answers
        // `Expect: 100-continue` (HTTP parts as swift-http-types values).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The exchange's HTTP client (delivery to the partner, its documents): HTTPS-capable, on
        // NIO; Foundation's URLSession on Linux is not safe under concurrent use.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The province-scale store (issue 14): the desk's store on PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // OpenSSL's libcrypto (digests, random bytes, PBKDF2; later 国密).
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The C library's calls Swift's Glibc module leaves out (syncfs).
        .systemLibrary(name: "CKaibanSystem"),
        .target(name: "KaibanCore"),
        .target(name: "KaibanCrypto", dependencies: ["CLibCrypto"]),
        .target(name: "KaibanXML", dependencies: ["CLibXML2"]),
        .target(name: "KaibanForms", dependencies: ["KaibanCore", "KaibanXML"]),
        // The use cases every channel runs; storage only through its DeskStore protocol.
        .target(name: "KaibanDesk", dependencies: ["KaibanCore", "KaibanForms", "KaibanCrypto", "CKaibanSystem"]),
        // The 川渝通办 exchange: signed XML messages with the partner province (Forms/exchange/).
        .target(
            name: "KaibanExchange",
            dependencies: [
                "KaibanCore", "KaibanXML", "KaibanCrypto", "KaibanDesk",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // DeskStore on SQLite: the only module that sees GRDB.
        .target(
            name: "KaibanStore",
            dependencies: [
                "KaibanCore", "KaibanDesk", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The desk's store on PostgreSQL, for several halls and servers on one database (issue 14):
        // chosen with `--db postgres://…`; the same operations, refusals and histories as SQLite.
        .target(
            name: "KaibanPostgres",
            dependencies: [
                "KaibanCore", "KaibanDesk",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The notices the applicant takes home, rendered from the templates in Forms/notices.
        .target(
            name: "KaibanNotices",
            dependencies: ["KaibanCore", "KaibanDesk", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // The supervisors' dashboard as one self-contained HTML page with inline SVG charts.
        .target(name: "KaibanDashboard", dependencies: ["KaibanCore", "KaibanDesk"]),
        // The HTTP face (Hummingbird): translates requests into desk calls and problems into
        // application/problem+json; holds no business rule.
        .target(
            name: "KaibanServer",
            dependencies: [
                "KaibanCore", "KaibanDesk", "KaibanCrypto", "KaibanExchange", "KaibanDashboard", "CKaibanSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "KaibanCLI",
            dependencies: [
                "KaibanCore", "KaibanForms", "KaibanDesk", "KaibanStore", "KaibanPostgres", "KaibanNotices",
                "KaibanServer", "KaibanExchange",
                "KaibanDashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "kaiban", dependencies: ["KaibanCLI", "KaibanServer"]),
        // Scripts/bench-postgres: the PostgreSQL store's write path under load (not part of `kaiban` yet).
        .executableTarget(
            name: "kaiban-bench-postgres",
            dependencies: ["KaibanPostgres", "KaibanCore", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "KaibanTestSupport",
            dependencies: ["KaibanCore", "KaibanForms", "KaibanDesk", "KaibanStore", "KaibanPostgres"],
            path: "Tests/KaibanTestSupport"
        ),
        .testTarget(name: "KaibanCoreTests", dependencies: ["KaibanCore", "KaibanTestSupport"]),
        .testTarget(name: "KaibanCryptoTests", dependencies: ["KaibanCrypto"]),
        .testTarget(name: "KaibanXMLTests", dependencies: ["KaibanXML", "KaibanTestSupport"]),
        .testTarget(
            name: "KaibanExchangeTests",
            dependencies: [
                "KaibanExchange", "KaibanCore", "KaibanDesk", "KaibanXML", "KaibanCrypto", "KaibanForms",
                "KaibanTestSupport",
            ]
        ),
        .testTarget(name: "KaibanFormsTests", dependencies: ["KaibanForms", "KaibanTestSupport"]),
        // Against a throw-away PostgreSQL server that Scripts/test starts (KAIBAN_TEST_POSTGRES).
        .testTarget(
            name: "KaibanPostgresTests",
            dependencies: [
                "KaibanPostgres", "KaibanCore", "KaibanDesk", "KaibanTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "KaibanDeskTests",
            dependencies: ["KaibanDesk", "KaibanCrypto", "KaibanStore", "KaibanPostgres", "KaibanTestSupport"]),
        .testTarget(
            name: "KaibanStoreTests",
            dependencies: [
                "KaibanStore", "KaibanDesk", "KaibanCrypto", "KaibanTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KaibanNoticesTests",
            dependencies: ["KaibanNotices", "KaibanDesk", "KaibanStore", "KaibanTestSupport"]
        ),
        .testTarget(
            name: "KaibanDashboardTests",
            dependencies: ["KaibanDashboard", "KaibanDesk", "KaibanStore", "KaibanXML", "KaibanTestSupport"]
        ),
        .testTarget(name: "KaibanCLITests", dependencies: ["KaibanCLI", "KaibanTestSupport", "kaiban"]),
        // The real server on 127.0.0.1, spoken to over HTTP (URLSession and plain sockets), in
        // process and as `kaiban serve`.
        .testTarget(
            name: "KaibanServerTests",
            dependencies: [
                "KaibanServer", "KaibanDesk", "KaibanStore", "KaibanCrypto", "KaibanExchange", "KaibanTestSupport",
                "kaiban",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
