// swift-tools-version: 6.1
// FuzzTesting: libFuzzer targets for netfilter (after WasmKit's FuzzTesting package).
//
// Not part of the root package: build and run it from this directory with ./fuzz.sh.
//
// Discussion: a libFuzzer target has no `main` of its own; libFuzzer supplies `main` and calls
// `LLVMFuzzerTestOneInput`. An executable target cannot be used for that: on Linux SwiftPM links every
// executable with `--defsym main=<Module>_main`, which then has nothing to point to. So, as in WasmKit,
// each fuzz target is a static library product, and fuzz.sh links it with `swiftc -sanitize=fuzzer,address`.
// The sanitizer flags are passed by fuzz.sh with -Xswiftc (not as unsafeFlags here) so that they also
// instrument the netfilter modules under test, not only the entry point.

import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, which is whatever the clone was called.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .lastPathComponent

let package = Package(
  name: "FuzzTesting",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "FuzzCheck", type: .static, targets: ["FuzzCheck"]),
    .library(name: "FuzzPackets", type: .static, targets: ["FuzzPackets"]),
    .library(name: "FuzzDecoders", type: .static, targets: ["FuzzDecoders"]),
    .library(name: "FuzzREPL", type: .static, targets: ["FuzzREPL"]),
    .library(name: "FuzzPcap", type: .static, targets: ["FuzzPcap"]),
  ],
  dependencies: [
    .package(path: "../")
  ],
  targets: [
    // Lexer + parser + checker through the public facade, with a print/re-check round-trip oracle.
    .target(
      name: "FuzzCheck",
      dependencies: [.product(name: "NetFilter", package: rootPackage)]
    ),
    // The packet event: its field table and the Tracee JSON writers, with a text-versus-tree oracle,
    // through the NetFilterPackets product (the other modules come with the NetFilter product).
    .target(
      name: "FuzzPackets",
      dependencies: [
        .product(name: "NetFilter", package: rootPackage),
        .product(name: "NetFilterPackets", package: rootPackage),
      ]
    ),
    // The decoders alone (link, IP, TCP/UDP/ICMP, DNS, HTTP): the NetFilterDecoders product, which
    // depends on nothing but NetFilterSyntax.
    .target(
      name: "FuzzDecoders",
      dependencies: [.product(name: "NetFilterDecoders", package: rootPackage)]
    ),
    // The capture reader (classic pcap and pcapng) and the decoders, with a write-and-read-back oracle.
    .target(
      name: "FuzzPcap",
      dependencies: [
        .product(name: "NetFilterPcap", package: rootPackage),
        .product(name: "NetFilterDecoders", package: rootPackage),
      ]
    ),
    // The REPL's command parser, completer and typing status (never its file or editor commands).
    .target(
      name: "FuzzREPL",
      dependencies: [.product(name: "NetFilterREPL", package: rootPackage)]
    ),
  ],
  swiftLanguageModes: [.v6]
)
