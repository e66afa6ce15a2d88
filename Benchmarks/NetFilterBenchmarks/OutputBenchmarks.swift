// package-benchmark suite for the network outputs: what a match costs the capture thread when it is
// shipped, beside what writing it to standard output costs, over the same 1,000 decoded UDP packets.
//
//   Outputs/tracee-line       event.jsonLine: the `--output json` line (the baseline)
//   Outputs/table-line        TableSink.write: the `--output table` row, into an output that drops it
//   Outputs/alert             AlertBuilder.alert: the Alert queued for the network outputs
//   Outputs/falco-json        FalcoJSON.encode of that alert (on the delivery thread, not the capture thread)
//
// The figure per iteration divided by 1,000 is the cost per match.

import Benchmark
import NetFilter
import NetFilterDecoders
import NetFilterOutputs
import NetFilterPackets

enum OutputSuite {
  /// 1,000 UDP packets 10.0.0.x:40000+ → 10.0.1.y:53.
  static let events: [PacketEvent] = (0..<1_000).map { index in
    let sport = UInt16(40_000 + index)
    let udp: [UInt8] = [UInt8(sport >> 8), UInt8(sport & 0xFF), 0, 53, 0, 8, 0, 0]
    let ip: [UInt8] =
      [0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0]
      + [10, 0, 0, UInt8(1 + index % 200), 10, 0, 1, UInt8(1 + index % 100)]
    return PacketEvent(
      bytes: ip + udp,
      record: (timestamp: UInt64(index), originalLength: 28),
      linkType: PacketDecoder.LinkType.raw.rawValue,
      decodeApplication: false
    )
  }

  static func register() {
    let configuration = perEventConfiguration
    let events = Self.events
    let filter = try! Environment().compile("net.dport = 53 and net.sip in (10.0.0.0/8)")
    let builder = AlertBuilder(
      filter: filter.checked,
      schema: .network,
      rule: "dns",
      source: "pcap",
      hostname: "h1"
    )
    let fields = builder.fields(for: PacketEvent.self)
    let alerts = events.map { builder.alert(for: $0, fields: fields) }
    precondition(alerts.allSatisfy { $0.fields.count >= 5 }, "the alerts lack their fields")
    Benchmark("Outputs/tracee-line", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        for event in events { blackHole(event.jsonLine(hostName: "h1", schema: .network)) }
      }
    }
    let table = TableSink(output: ByteOutput { _ in })
    Benchmark("Outputs/table-line", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        for event in events { try? table.write(event) }
      }
    }
    Benchmark("Outputs/alert", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        for event in events { blackHole(builder.alert(for: event, fields: fields)) }
      }
    }
    Benchmark("Outputs/falco-json", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        for alert in alerts { blackHole(FalcoJSON.encode(alert)) }
      }
    }
  }
}
