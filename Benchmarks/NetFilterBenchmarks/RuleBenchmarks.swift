// package-benchmark suite for rule sets, each beside a baseline measured in the same run:
//
//   Rules/one-filter/packets         one filter (net.dport = 53 and net.dip = 8.8.8.8) over 1,000 packets
//   Rules/1000-mixed/packets         1,000 generated rules (ports, addresses, CIDRs, comm, DNS names,
//                                    pairs, regexes) over the same packets: none matches, so
//                                    mallocCountTotal must be 0
//   Rules/1000-or/packets            the same 1,000 conditions OR-ed into one filter
//   Rules/1000-unprunable/events     1,000 `ps.name icontains '…'` rules over 1,000 socket-like events
//   Rules/100-sequences/events       100 two-step sequences by ps.pid over 10,000 events of 10,000
//                                    processes per iteration (state stays at its caps)
//
// The figure per iteration divided by the events per iteration is the cost per event.

import Benchmark
import NetFilter
import NetFilterPackets

enum RuleSuite {
  /// A deterministic generator of rule conditions that the benchmark events never match.
  struct Conditions {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D

    mutating func next(_ bound: Int) -> Int {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return Int(state % UInt64(bound))
    }

    mutating func word(_ length: Int = 8) -> String {
      String((0..<length).map { _ in Character(UnicodeScalar(UInt8(97 + next(26)))) })
    }

    /// Ports from 1,024 up and public addresses: the packets use ports 1, 53, 80, 81, 443, 8080,
    /// 40000 and 51234 and 10.0.x.x addresses.
    mutating func equality() -> String {
      switch next(5) {
      case 0: return "net.dport = \(9000 + next(50_000))"
      case 1: return "net.sport = \(9000 + next(50_000))"
      case 2: return "net.dip = \(11 + next(200)).\(next(256)).\(next(256)).\(1 + next(254))"
      case 3: return "net.sip in (\(11 + next(200)).\(next(256)).0.0/\([16, 24, 28][next(3)]))"
      default: return "ps.name = '\(word())'"
      }
    }

    /// 70% equalities, 20% DNS name tests, 9% pairs, 1% regexes.
    mutating func mixed() -> String {
      let roll = next(100)
      if roll < 70 { return equality() }
      if roll < 90 { return next(2) == 0 ? "dns.name iendswith '.\(word(6)).com.'" : "dns.name icontains '\(word(6))'" }
      if roll < 99 { return "\(equality()) and \(equality())" }
      return "regex(dns.name, '^\(word(5))[0-9]+')"
    }
  }

  static func rules(_ conditions: [String]) -> [Rule] {
    conditions.enumerated().map { index, text in
      Rule(id: "r\(index)", name: "rule \(index)", condition: try! Environment().compile(text).checked)
    }
  }

  /// Takes findings and forgets them.
  final class Discard: EventSink {
    var count = 0
    func write<E: OutputEvent>(_ event: E) throws(OutputError) { count += 1 }
    func flush() throws(OutputError) {}
    func finish() throws(OutputError) {}
  }

  static func register() {
    let configuration = perEventConfiguration
    registerPackets(configuration)
    registerEvents(configuration)
  }

  private static func registerPackets(_ configuration: Benchmark.Configuration) {
    let events = PacketSuite.events
    var generator = Conditions()
    let conditions = (0..<1_000).map { _ in generator.mixed() }
    let runner = RuleRunner<PacketEvent>(rules: rules(conditions), source: "pcap", hostName: "bench")
    let one = try! Environment().compile("net.dport = 53 and net.dip = 8.8.8.8").program(for: PacketEvent.self)
    let or = try! Environment().compile(conditions.map { "(\($0))" }.joined(separator: " or "))
      .program(for: PacketEvent.self)
    let sink = Discard()
    for event in events { precondition(!(try! runner.handle(event, into: sink)) && !or.matches(event)) }
    Benchmark("Rules/one-filter/packets", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations { for event in events { blackHole(one.matches(event)) } }
    }
    Benchmark("Rules/1000-mixed/packets", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations { for event in events { blackHole(try! runner.handle(event, into: sink)) } }
    }
    Benchmark("Rules/1000-or/packets", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations { for event in events { blackHole(or.matches(event)) } }
    }
  }

  private static func registerEvents(_ configuration: Benchmark.Configuration) {
    var generator = Conditions()
    let unprunable = RuleRunner<JSONEvent>(
      rules: rules((0..<1_000).map { _ in "ps.name icontains '\(generator.word(6))'" }),
      hostName: "bench"
    )
    let names = (0..<1_000).map { index in
      #"{"evt.name":"Send","ps.pid":\#(index),"ps.name":"\#(generator.word(12))","net.dport":443}"#
    }
    let events = names.map { try! JSONEvent(line: $0, keys: unprunable.keys) }
    let sink = Discard()
    Benchmark("Rules/1000-unprunable/events", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        for event in events { blackHole(try! unprunable.handle(event, into: sink)) }
      }
    }
    let sequences = RuleRunner<JSONEvent>(
      rules: rules((0..<100).map { index in
        "sequence maxspan 1m by ps.pid |evt.name = 'Connect' and net.dport = \(1000 + index)| "
          + "|evt.name = 'Send' and net.dport = \(1000 + index)|"
      }),
      hostName: "bench"
    )
    let stream = (0..<10_000).map { index in
      let name = index % 2 == 0 ? "Connect" : "Send"
      let line = #"{"evt.name":"\#(name)","evt.time.ns":\#(index * 1_000_000),"ps.pid":\#(index / 2),"net.dport":\#(1000 + index / 2 % 100)}"#
      return try! JSONEvent(line: line, keys: sequences.keys)
    }
    Benchmark("Rules/100-sequences/events", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        for event in stream { blackHole(try! sequences.handle(event, into: sink)) }
      }
      precondition(sequences.counters.sequenceInstances <= 100_000)
    }
  }
}
