// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Kaiban",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kaiban", targets: ["kaiban"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
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
        .target(name: "KaibanCore"),
        .target(name: "KaibanCrypto", dependencies: ["CLibCrypto"]),
        .target(name: "KaibanXML", dependencies: ["CLibXML2"]),
        .target(name: "KaibanForms", dependencies: ["KaibanCore", "KaibanXML"]),
        // The use cases every channel runs; storage only through its DeskStore protocol.
        .target(name: "KaibanDesk", dependencies: ["KaibanCore", "KaibanForms", "KaibanCrypto"]),
        // DeskStore on SQLite: the only module that sees GRDB.
        .target(
            name: "KaibanStore",
            dependencies: ["KaibanCore", "KaibanDesk", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The notices the applicant takes home, rendered from the templates in Forms/notices.
        .target(
            name: "KaibanNotices",
            dependencies: ["KaibanCore", "KaibanDesk", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "KaibanCLI",
            dependencies: [
                "KaibanCore", "KaibanForms", "KaibanDesk", "KaibanStore", "KaibanNotices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "kaiban", dependencies: ["KaibanCLI"]),
        .target(
            name: "KaibanTestSupport",
            dependencies: ["KaibanCore", "KaibanForms", "KaibanDesk", "KaibanStore"],
            path: "Tests/KaibanTestSupport"
        ),
        .testTarget(name: "KaibanCoreTests", dependencies: ["KaibanCore", "KaibanTestSupport"]),
        .testTarget(name: "KaibanCryptoTests", dependencies: ["KaibanCrypto"]),
        .testTarget(name: "KaibanXMLTests", dependencies: ["KaibanXML", "KaibanTestSupport"]),
        .testTarget(name: "KaibanFormsTests", dependencies: ["KaibanForms", "KaibanTestSupport"]),
        .testTarget(name: "KaibanDeskTests", dependencies: ["KaibanDesk", "KaibanStore", "KaibanTestSupport"]),
        .testTarget(
            name: "KaibanStoreTests",
            dependencies: [
                "KaibanStore", "KaibanDesk", "KaibanTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KaibanNoticesTests",
            dependencies: ["KaibanNotices", "KaibanDesk", "KaibanStore", "KaibanTestSupport"]
        ),
        .testTarget(name: "KaibanCLITests", dependencies: ["KaibanCLI", "KaibanTestSupport", "kaiban"]),
    ]
)
