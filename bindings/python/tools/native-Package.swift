// swift-tools-version: 6.0
// The library half of the repository's Package.swift, shipped as native/Package.swift in the
// Python sdist (tools/build_sdist.py): only libyespo and its system libraries, no remote
// dependency, so `pip install yespo-<v>.tar.gz` builds offline with the Swift toolchain and the
// libcurl / jansson / sqlite3 dev packages present. Keep the targets in step with the root Package.swift
// (`make test-sdist` builds it).
import PackageDescription

let package = Package(
    name: "yespo-native",
    products: [
        .library(name: "yespo", type: .dynamic, targets: ["YespoABI"]),
    ],
    targets: [
        .systemLibrary(name: "CCurl", path: "CInterop/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CJansson", path: "CInterop/CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CSQLite", path: "CInterop/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "YespoCore", dependencies: ["CCurl", "CJansson", "CSQLite"]),
        .target(name: "YespoABI", dependencies: ["YespoCore"], exclude: ["exports.map"],
                linkerSettings: [.unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/YespoABI/exports.map",
                ])]),
    ],
    swiftLanguageModes: [.v6]
)
