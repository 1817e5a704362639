// swift-tools-version: 6.0
import PackageDescription

// The local Yespo API emulator: a separate package so that the client library never pulls in a
// server framework. Its JSON handling is Foundation/Codable, independent of the client's jansson.
let package = Package(
    name: "yespo-emulator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "yespo-emulator", targets: ["yespo-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already pulled in by Hummingbird; named so the emulator may import NIOCore and Logging.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .target(name: "EmulatorCore", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),
        .executableTarget(name: "yespo-emulator", dependencies: ["EmulatorCore"]),
        .testTarget(name: "EmulatorTests", dependencies: [
            "EmulatorCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
