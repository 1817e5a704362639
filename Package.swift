// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "yespo",
    products: [
        // libyespo.so: the C ABI (include/yespo.h) over the engine.
        .library(name: "yespo", type: .dynamic, targets: ["YespoABI"]),
        .executable(name: "yespo-cli", targets: ["yespo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", path: "CInterop/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CJansson", path: "CInterop/CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        // The sync state store (Sources/YespoCore/Sync): the system libsqlite3 (libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "CInterop/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "YespoCore", dependencies: ["CCurl", "CJansson", "CSQLite"]),
        // The version script makes libyespo.so export exactly the functions of include/yespo.h
        // (no Swift symbols, none of the static stdlib's); see Sources/YespoABI/exports.map.
        // lld, because gold leaves local copies of Swift metadata symbols in .dynsym.
        .target(name: "YespoABI", dependencies: ["YespoCore"], exclude: ["exports.map"],
                linkerSettings: [.unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/YespoABI/exports.map",
                ])]),
        .executableTarget(name: "yespo", dependencies: [
            "YespoCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "YespoCoreTests", dependencies: ["YespoCore"]),
    ],
    swiftLanguageModes: [.v6]
)
