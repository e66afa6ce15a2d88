// swift-tools-version: 6.1
// Benchmarks: package-benchmark suites for netfilter, a nested package (as in swift-nio and WasmKit) so
// that package-benchmark stays out of the main dependency graph. Run them with ./run.sh.

import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, which is whatever the clone was called.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .lastPathComponent

let package = Package(
  name: "Benchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(path: "../"),
    .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "NetFilterBenchmarks",
      dependencies: [
        .product(name: "NetFilter", package: rootPackage),
        .product(name: "NetFilterPackets", package: rootPackage),
        .product(name: "NetFilterDecoders", package: rootPackage),
        .product(name: "NetFilterOutputs", package: rootPackage),
        .product(name: "Benchmark", package: "package-benchmark"),
      ],
      path: "NetFilterBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
    )
  ],
  swiftLanguageModes: [.v6]
)
