// swift-tools-version: 6.1
// netfilter: a filter-expression language for network events on Linux.
//
// Layout rules (after swift-syntax): one MARK section per module and its test target, in pipeline order;
// dependencies point one way: Diagnostics ← Syntax ← Sema ← (Eval, Lowering) ← (JSON, Decoders, Packets)
// ← Runtime ← NetFilter ← CLI.

import PackageDescription

let package = Package(
  name: "netfilter",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "NetFilter", targets: ["NetFilter"]),
    .library(name: "NetFilterPackets", targets: ["NetFilterPackets"]),
    .library(name: "NetFilterDecoders", targets: ["NetFilterDecoders"]),
    .library(name: "NetFilterPcap", targets: ["NetFilterPcap"]),
    .library(name: "NetFilterRuntime", targets: ["NetFilterRuntime"]),
    .library(name: "NetFilterOutputs", targets: ["NetFilterOutputs"]),
    .library(name: "NetFilterREPL", targets: ["NetFilterREPL"]),
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
    .target(name: "NetFilterSema", dependencies: ["NetFilterDiagnostics", "NetFilterSyntax", "NetFilterRegex"]),
    .testTarget(name: "NetFilterSemaTests", dependencies: ["NetFilterSema", "NetFilterTestSupport"]),

    // MARK: NetFilterEval
    .target(name: "NetFilterEval", dependencies: ["NetFilterSyntax", "NetFilterSema", "NetFilterRegex"]),
    .testTarget(name: "NetFilterEvalTests", dependencies: ["NetFilterEval", "NetFilterTestSupport"]),

    // MARK: NetFilterLowering (a checked filter lowered into a KernelPlan of plain values)
    .target(name: "NetFilterLowering", dependencies: ["NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema"]),
    .testTarget(
      name: "NetFilterLoweringTests",
      dependencies: ["NetFilterLowering", "NetFilter", "NetFilterEval", "NetFilterTestSupport"]
    ),

    // MARK: NetFilterJSON (JSON text, Tracee's event shape, JSON-lines events)
    .target(name: "NetFilterJSON", dependencies: ["NetFilterSyntax", "NetFilterSema", "NetFilterEval"]),
    .testTarget(name: "NetFilterJSONTests", dependencies: ["NetFilterJSON", "NetFilterEval", "NetFilterSema"]),

    // MARK: NetFilterDecoders (bytes to IP, TCP, UDP, ICMP, DNS, HTTP: no Sema, no Eval)
    .target(name: "NetFilterDecoders", dependencies: ["NetFilterSyntax"]),
    .testTarget(
      name: "NetFilterDecodersTests",
      dependencies: ["NetFilterDecoders", "NetFilterSyntax", "NetFilterTestSupport"],
      exclude: ["Fixtures/dnsmasq-example-test.txt"]
    ),

    // MARK: NetFilterPackets (the packet event: its fields and its Tracee arguments)
    .target(
      name: "NetFilterPackets",
      dependencies: ["NetFilterDecoders", "NetFilterJSON", "NetFilterEval", "NetFilterSema", "NetFilterSyntax"]
    ),
    .testTarget(
      name: "NetFilterPacketsTests",
      dependencies: ["NetFilterPackets", "NetFilterDecoders", "NetFilterJSON", "NetFilterPcap", "NetFilterRuntime", "NetFilter", "NetFilterTestSupport"]
    ),

    // MARK: NetFilterPcap (pcap and pcapng files: parsed in safe Swift over a thin layer of system calls)
    .target(name: "NetFilterPcap"),

    // MARK: CLibbpf (libbpf, the system library)
    .systemLibrary(name: "CLibbpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),

    // MARK: CNetFilterBPF (the ABI header, the committed skeleton of bpf/netfilter.bpf.c, tiny shims)
    .target(name: "CNetFilterBPF", dependencies: ["CLibbpf"]),

    // MARK: NetFilterBPF (the thin unsafe layer around libbpf: capability check, live capture)
    .target(name: "NetFilterBPF", dependencies: ["CLibbpf", "CNetFilterBPF", "NetFilterLowering", "NetFilterSyntax"]),

    // MARK: NetFilterHost (process context from /proc for live events: pure Swift, Foundation only)
    .target(name: "NetFilterHost"),
    .testTarget(name: "NetFilterHostTests", dependencies: ["NetFilterHost"]),

    // MARK: CCares and NetFilterResolver (the thin unsafe layer around c-ares: reverse lookups for names)
    .systemLibrary(name: "CCares", pkgConfig: "libcares", providers: [.apt(["libc-ares-dev"])]),
    .target(name: "NetFilterResolver", dependencies: ["CCares", "NetFilterSyntax"]),

    // MARK: NetFilterRuntime (sources, field providers, the pipeline, sinks)
    .target(
      name: "NetFilterRuntime",
      dependencies: [
        "NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema", "NetFilterEval", "NetFilterLowering",
        "NetFilterJSON", "NetFilterDecoders", "NetFilterPackets", "NetFilterPcap", "NetFilterBPF", "NetFilterHost",
        "NetFilterResolver",
      ]
    ),
    .testTarget(
      name: "NetFilterRuntimeTests",
      dependencies: [
        "NetFilterRuntime", "NetFilter", "NetFilterPackets", "NetFilterDecoders", "NetFilterBPF", "NetFilterHost",
        "NetFilterLowering", "CNetFilterBPF", "NetFilterTestSupport",
      ]
    ),

    // MARK: CCurl and NetFilterHTTP (the thin unsafe layer around libcurl and zlib: an HTTP client,
    // gzip, and the listening socket of /metrics)
    .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev", "zlib1g-dev"])]),
    .target(name: "NetFilterHTTP", dependencies: ["CCurl"]),

    // MARK: NetFilterOutputs (alerts, Falco's JSON, OTLP logs, delivery queues, Prometheus metrics)
    .target(
      name: "NetFilterOutputs",
      dependencies: ["NetFilterRuntime", "NetFilterHTTP", "NetFilterJSON", "NetFilterEval", "NetFilterSema"]
    ),
    .testTarget(
      name: "NetFilterOutputsTests",
      dependencies: ["NetFilterOutputs", "NetFilterHTTP", "NetFilterRuntime", "NetFilter"],
      exclude: ["Receivers"]
    ),

    // MARK: NetFilter (facade)
    .target(
      name: "NetFilter",
      dependencies: [
        "NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema", "NetFilterEval", "NetFilterLowering",
        "NetFilterJSON", "NetFilterRuntime", .product(name: "Yams", package: "Yams"),
      ]
    ),

    // MARK: CEditLine and NetFilterLineEditor (libedit; the thin unsafe layer of the REPL's terminal)
    .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
    .target(name: "CEditLineShim", dependencies: ["CEditLine"]),
    .target(name: "NetFilterLineEditor", dependencies: ["CEditLine", "CEditLineShim"]),

    // MARK: NetFilterREPL (sessions, commands, completion: pure Swift, tested without a terminal)
    .target(
      name: "NetFilterREPL",
      dependencies: [
        "NetFilter", "NetFilterRuntime", "NetFilterPackets", "NetFilterHost", "NetFilterLineEditor",
      ]
    ),
    .testTarget(name: "NetFilterREPLTests", dependencies: ["NetFilterREPL", "NetFilterTestSupport"]),

    // MARK: NetFilterCLI and the netfilter executable
    .target(
      name: "NetFilterCLI",
      dependencies: [
        "NetFilter", "NetFilterRuntime", "NetFilterREPL", "NetFilterOutputs", "NetFilterHTTP",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "netfilter", dependencies: ["NetFilterCLI"]),
    .executableTarget(name: "embed-example", dependencies: ["NetFilter"], path: "examples/embed"),
    .executableTarget(name: "replay-example", dependencies: ["NetFilter"], path: "examples/replay"),
    .testTarget(
      name: "NetFilterCLITests",
      dependencies: ["NetFilterCLI", "NetFilterTestSupport", "NetFilterBPF", "NetFilterHost"],
      exclude: ["Golden"]
    ),

    // MARK: ConformanceTests (Grammar/ and examples/ check clean; conformance case files)
    .testTarget(
      name: "ConformanceTests",
      dependencies: [
        "NetFilter", "NetFilterRuntime", "NetFilterPackets", "NetFilterBPF", "NetFilterHost", "NetFilterTestSupport",
        .product(name: "Yams", package: "Yams"),
      ],
      exclude: ["Cases"]
    ),

    // MARK: NetFilterTestSupport
    .target(
      name: "NetFilterTestSupport",
      dependencies: ["NetFilterDiagnostics", "NetFilterSyntax", "NetFilterSema", "NetFilter"]
    ),
  ],
  swiftLanguageModes: [.v6]
)

// The decoders and the JSON writers are called per packet from other modules (the packet event,
// the runtime): let the optimizer inline them there in release builds. Not the evaluator: its
// closures specialized into clients convert between calling conventions and copy every event.
for target in package.targets where ["NetFilterDecoders", "NetFilterJSON"].contains(target.name) {
  target.swiftSettings = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
}
