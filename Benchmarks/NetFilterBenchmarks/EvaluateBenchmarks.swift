// package-benchmark suites for the evaluator: five representative filters, each beside a
// hand-written Swift closure doing the same test over the same events in the same run.
//
//   Evaluate/<name>/netfilter   program.matches(event), compiled once
//   Evaluate/<name>/closure     the hand-written closure
//
// Both run over the same 1,000 events (a mix of hits and misses) per scaled iteration, so the
// wall-clock figure per iteration divided by 1,000 is the cost per event; mallocCountTotal must be 0.

import Benchmark
import NetFilter

/// A connection event with the fields the filters read, resolved at compile time.
struct BenchEvent: Event {
  var process: String
  var remote: IPAddress
  var port: UInt16
  var names: [String]

  static let fields = FieldProvider<BenchEvent>([
    ("ps.name", FieldAccessor { .string($0.process) }),
    ("net.dip", FieldAccessor { .ip($0.remote) }),
    ("net.dport", FieldAccessor { .uint(UInt64($0.port)) }),
    ("net.dip.names", FieldAccessor { .strings($0.names) }),
  ])

  static func accessor(for field: FieldBinding) -> FieldAccessor<BenchEvent>? { fields.accessor(for: field) }
}

enum EvaluateSuite {
  static let events: [BenchEvent] = (0..<1_000).map { index in
    let processes = ["curl", "wget", "sshd", "Firefox", "systemd-resolve"]
    let addresses = ["10.1.2.3", "192.168.1.7", "8.8.8.8", "fd00::1", "93.184.216.34", "10.9.9.9"]
    let ports: [UInt16] = [443, 80, 53, 22, 8443, 8080, 5353]
    let names = [["a.example.com"], ["dns.google."], [], ["b.test.", "c.example.org"]]
    return BenchEvent(
      process: processes[index % processes.count],
      remote: IPAddress(addresses[index % addresses.count])!,
      port: ports[index % ports.count],
      names: names[index % names.count]
    )
  }

  /// The filters and their hand-written equivalents.
  static let cases: [(name: String, filter: String, closure: @Sendable (BenchEvent) -> Bool)] = {
    let target = IPAddress("10.1.2.3")!
    let wanted: Set<UInt16> = [22, 80, 443]
    let ten = IPAddress("10.0.0.0")!
    let oneNineTwo = IPAddress("192.168.0.0")!
    let fd = IPAddress("fd00::")!
    let blocked: Set<String> = ["curl", "wget"]
    return [
      (
        "three-predicates", "net.dport = 443 and net.dip = 10.1.2.3 and ps.name = 'curl'",
        { $0.port == 443 && $0.remote == target && $0.process == "curl" }
      ),
      (
        "port-set", "net.dport in (22, 80, 443, 8000..8999)",
        { wanted.contains($0.port) || (8000...8999).contains($0.port) }
      ),
      (
        "cidr-list", "net.dip in (10.0.0.0/8, 192.168.0.0/16, fd00::/8)",
        {
          $0.remote.sharesPrefix(8, with: ten) || $0.remote.sharesPrefix(16, with: oneNineTwo)
            || $0.remote.sharesPrefix(8, with: fd)
        }
      ),
      (
        "glob-names", "net.dip.names matches ('*.example.com', '*.test.')",
        { $0.names.contains { $0.hasSuffix(".example.com") || $0.hasSuffix(".test.") } }
      ),
      (
        "negated-iin", "ps.name not iin ('curl', 'wget') and net.dport != 53",
        { !blocked.contains($0.process.lowercased()) && $0.port != 53 }
      ),
    ]
  }()

  static func register() {
    let configuration = perEventConfiguration
    let events = Self.events
    for (name, filter, closure) in cases {
      let program = try! Environment().compile(filter).program(for: BenchEvent.self)
      for event in events {
        precondition(program.matches(event) == closure(event), "\(name) disagrees with its closure")
      }
      registerComparison("Evaluate/\(name)", events: events, program: program, closure: closure, configuration)
    }
  }
}

/// The settings of every per-event suite: time, throughput and allocations, 3 s at most each.
var perEventConfiguration: Benchmark.Configuration {
  Benchmark.Configuration(
    metrics: [.wallClock, .throughput, .mallocCountTotal],
    warmupIterations: 10,
    maxDuration: .seconds(3),
    maxIterations: 10_000
  )
}

/// `PREFIX/netfilter` (the program) and `PREFIX/closure` (the hand-written test) over the same
/// events: each iteration counts the matches among all of them.
func registerComparison<E: Event & Sendable>(
  _ prefix: String,
  events: [E],
  program: Program<E>,
  closure: @escaping @Sendable (E) -> Bool,
  _ configuration: Benchmark.Configuration
) {
  Benchmark("\(prefix)/netfilter", configuration: configuration) { benchmark in
    for _ in benchmark.scaledIterations {
      var hits = 0
      for event in events where program.matches(event) { hits += 1 }
      blackHole(hits)
    }
  }
  Benchmark("\(prefix)/closure", configuration: configuration) { benchmark in
    for _ in benchmark.scaledIterations {
      var hits = 0
      for event in events where closure(event) { hits += 1 }
      blackHole(hits)
    }
  }
}
