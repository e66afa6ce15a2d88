// package-benchmark suite for packet events: a three-field filter (two ports and a header field
// behind its event kind) over 1,000 decoded IPv4 packets, beside a hand-written closure over the
// decoded headers in the same run.
//
//   Packets/three-fields/netfilter   program.matches(event), compiled once
//   Packets/three-fields/closure     the hand-written closure
//
// The figure per iteration divided by 1,000 is the cost per event; mallocCountTotal must be 0.

import Benchmark
import NetFilter
import NetFilterDecoders
import NetFilterPackets

enum PacketSuite {
  /// 1,000 TCP and UDP packets with varied ports and TTLs, decoded as replay decodes them.
  static let events: [PacketEvent] = (0..<1_000).map { index in
    let tcp = index % 3 != 0
    let ttl = UInt8([64, 1, 128, 63][index % 4])
    let sport = UInt16([40_000, 1, 51_234][index % 3])
    let dport = UInt16([80, 81, 443, 53, 8080][index % 5])
    let transport: [UInt8] =
      tcp
      ? [UInt8(sport >> 8), UInt8(sport & 0xFF), UInt8(dport >> 8), UInt8(dport & 0xFF)]
        + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
      : [UInt8(sport >> 8), UInt8(sport & 0xFF), UInt8(dport >> 8), UInt8(dport & 0xFF), 0, 8, 0, 0]
    let length = UInt16(20 + transport.count)
    let ip: [UInt8] =
      [0x45, 0, UInt8(length >> 8), UInt8(length & 0xFF), 0, 1, 0x40, 0, ttl, tcp ? 6 : 17, 0, 0]
      + [10, 0, 0, UInt8(1 + index % 200), 10, 0, 1, UInt8(1 + index % 100)]
    return PacketEvent(
      bytes: ip + transport,
      record: (timestamp: UInt64(index), originalLength: Int(length)),
      linkType: PacketDecoder.LinkType.raw.rawValue,
      decodeApplication: false
    )
  }

  static let filter = "net.dport = 81 or net_packet_ipv4.data.proto_ipv4.TTL = 1 or net.sport = 1"

  /// The same test, by hand.
  static let closure: @Sendable (PacketEvent) -> Bool = { event in
    let packet = event.packet
    let ports = packet.transport == .tcp || packet.transport == .udp
    return (ports && packet.destinationPort == 81) || (packet.network == .ipv4 && packet.ipv4.ttl == 1)
      || (ports && packet.sourcePort == 1)
  }

  static func register() {
    let configuration = perEventConfiguration
    let events = Self.events
    let closure = Self.closure
    let program = try! Environment().compile(filter).program(for: PacketEvent.self)
    for event in events {
      precondition(program.matches(event) == closure(event), "the packet filter disagrees with its closure")
    }
    precondition(events.contains(where: closure) && !events.allSatisfy(closure), "the events test nothing")
    registerComparison("Packets/three-fields", events: events, program: program, closure: closure, configuration)
  }
}
