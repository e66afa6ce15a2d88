// swift-tools-version: 6.1
// netfilter: a filter-expression language for network events on Linux.
//
// Layout rules (after swift-syntax): one MARK section per module and its test target, in pipeline order;
// dependencies point one way: Diagnostics ← Syntax ← Sema ← (Eval, Lowering) ← NetFilter ← CLI.

import PackageDescription

let package = Package(
  name: "netfilter",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "NetFilter", targets: ["NetFilter"]),
    .library(name: "NetFilterPackets", targets: ["NetFilterPackets"]),
    .executable(name: "netfilter", targets: ["netfilter"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // MARK: NetFilterDiagnostics
    .target(name: "NetFilterDiagnostics"),
    .testTarget(name: "NetFilterDiagnosticsTests", dependencies: ["NetFilterDiagnostics", "NetFilterTestSupport"]),

    // MARK: NetFilterSyntax
    .target(name: "NetFilterSyntax", dependencies: ["NetFilterDiagnostics"]),
    .testTarget(name: "NetFilterSyntaxTests", dependencies: ["NetFilterSyntax", "NetFilterTestSupport"]),

    // MARK: CPCRE2 and NetFilterRegex (the thin unsafe layer around PCRE2)
    .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
    .target(name: "NetFilterRegex", dependencies: ["CPCRE2"]),
    .testTarget(name: "NetFilterRegexTests", dependencies: ["NetFilterRegex"]),

    // MARK: NetFilterSema
    .target(name: "NetFilterSema", dependencies: ["NetFilterSyntax", "NetFilterRegex"]),
    .testTarget(name: "NetFilterSemaTests", dependencies: ["NetFilterSema", "NetFilterTestSupport"]),

    // MARK: NetFilterEval
    .target(name: "NetFilterEval", dependencies: ["NetFilterSema", "NetFilterRegex"]),
    .testTarget(name: "NetFilterEvalTests", dependencies: ["NetFilterEval", "NetFilterTestSupport"]),

    // MARK: NetFilterLowering (a checked filter lowered into a KernelPlan of plain values)
    .target(name: "NetFilterLowering", dependencies: ["NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema"]),
    .testTarget(
      name: "NetFilterLoweringTests",
      dependencies: ["NetFilterLowering", "NetFilter", "NetFilterEval", "NetFilterTestSupport"]
    ),

    // MARK: NetFilterPackets (pure Swift decoders and the packet event)
    .target(name: "NetFilterPackets", dependencies: ["NetFilterEval", "NetFilterSema"]),
    .testTarget(name: "NetFilterPacketsTests", dependencies: ["NetFilterPackets", "NetFilterPcap", "NetFilterCLI", "NetFilterTestSupport"]),

    // MARK: CPcap and NetFilterPcap (the thin unsafe layer around libpcap)
    .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
    .target(name: "NetFilterPcap", dependencies: ["CPcap"]),

    // MARK: CLibbpf (libbpf, the system library)
    .systemLibrary(name: "CLibbpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),

    // MARK: CNetFilterBPF (the ABI header, the committed skeleton of bpf/netfilter.bpf.c, tiny shims)
    .target(name: "CNetFilterBPF", dependencies: ["CLibbpf"]),

    // MARK: NetFilterBPF (the thin unsafe layer around libbpf: capability check, live capture)
    .target(name: "NetFilterBPF", dependencies: ["CLibbpf", "CNetFilterBPF", "NetFilterLowering", "NetFilterSyntax"]),

    // MARK: NetFilterHost (process context from /proc for live events: pure Swift, Foundation only)
    .target(name: "NetFilterHost"),
    .testTarget(name: "NetFilterHostTests", dependencies: ["NetFilterHost"]),

    // MARK: NetFilter (facade)
    .target(
      name: "NetFilter",
      dependencies: [
        "NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema", "NetFilterEval", "NetFilterLowering",
        .product(name: "Yams", package: "Yams"),
      ]
    ),

    // MARK: NetFilterCLI and the netfilter executable
    .target(
      name: "NetFilterCLI",
      dependencies: [
        "NetFilter", "NetFilterPackets", "NetFilterPcap", "NetFilterBPF", "NetFilterHost",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "netfilter", dependencies: ["NetFilterCLI"]),
    .executableTarget(name: "embed-example", dependencies: ["NetFilter"], path: "examples/embed"),
    .testTarget(
      name: "NetFilterCLITests",
      dependencies: ["NetFilterCLI", "NetFilterTestSupport", "NetFilterBPF", "NetFilterHost"],
      exclude: ["Golden"]
    ),

    // MARK: ConformanceTests (Grammar/ and examples/ check clean; conformance case files)
    .testTarget(name: "ConformanceTests", dependencies: ["NetFilter", "NetFilterTestSupport"], exclude: ["Cases"]),

    // MARK: NetFilterTestSupport
    .target(
      name: "NetFilterTestSupport",
      dependencies: ["NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema", "NetFilter"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
