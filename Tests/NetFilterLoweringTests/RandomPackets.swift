import NetFilter
import NetFilterTestSupport

/// Random packet events, with the kinds, aliases and Tracee arguments a decoded packet has.
extension World {
  private enum Transport: CaseIterable { case tcp, udp, icmp, other }

  /// The Tracee argument trees present on every event of the kind (as the packet decoder gives them).
  private static let layerArguments: [String: [String]] = [
    "net_packet_ipv4": ["src", "dst", "proto_ipv4.srcIP", "proto_ipv4.dstIP"],
    "net_packet_ipv6": ["src", "dst", "proto_ipv6.srcIP", "proto_ipv6.dstIP"],
    "net_packet_tcp": ["src", "dst", "src_port", "dst_port", "proto_tcp.srcPort", "proto_tcp.dstPort"],
    "net_packet_udp": ["src", "dst", "src_port", "dst_port", "proto_udp.srcPort", "proto_udp.dstPort"],
    "net_packet_icmp": ["src", "dst"],
    "net_packet_icmpv6": ["src", "dst"],
    "net_packet_dns": ["src", "dst", "src_port", "dst_port"],
    "net_packet_http": ["src", "dst", "src_port", "dst_port"],
  ]

  mutating func packetEvent(using rng: inout SplitMix64) {
    let v6 = Bool.random(using: &rng)
    let transport = Transport.allCases.randomElement(using: &rng)!
    let kinds = Self.kinds(v6: v6, transport, using: &rng)
    let alias = kinds.last.flatMap { $0.hasSuffix("Dns") ? $0 : nil }
    set("evt.name", alias.map { .strings([kinds[0], $0]) } ?? .string(kinds[0]))
    set("evt.kinds", .strings(kinds))
    view.eventKind = .value(.packet)
    let (source, destination) = addresses(v6: v6, using: &rng)
    var ports: (UInt16, UInt16)?
    if transport == .tcp || transport == .udp {
      ports = self.ports(using: &rng)
    } else {
      (view.sourcePort, view.destinationPort) = (.missing, .missing)
    }
    let number: UInt8 =
      switch transport {
      case .tcp: 6
      case .udp: 17
      case .icmp: v6 ? 58 : 1
      case .other: 47
      }
    view.l4Protocol = .value(number)
    let names: [UInt8: String] = [6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6"]
    set("net.l4.proto", .string(names[number] ?? ""), when: names[number] != nil)
    let direction = UInt8([0, 1, 1, 2, 2].randomElement(using: &rng)!)
    view.direction = .value(direction)
    set("net.direction", .string(direction == 1 ? "ingress" : "egress"), when: direction != 0)
    let values: [String: FieldValue] = [
      "src": .ip(source), "dst": .ip(destination), "srcIP": .ip(source), "dstIP": .ip(destination),
      "src_port": ports.map { .uint(UInt64($0.0)) } ?? .missing,
      "srcPort": ports.map { .uint(UInt64($0.0)) } ?? .missing,
      "dst_port": ports.map { .uint(UInt64($0.1)) } ?? .missing,
      "dstPort": ports.map { .uint(UInt64($0.1)) } ?? .missing,
    ]
    traceeArguments(kinds, values, direction: direction, protocolNumber: number, using: &rng)
  }

  private mutating func traceeArguments(
    _ kinds: [String],
    _ values: [String: FieldValue],
    direction: UInt8,
    protocolNumber: UInt8,
    using rng: inout SplitMix64
  ) {
    for kind in kinds {
      if let arguments = Self.layerArguments[kind] {
        for argument in arguments {
          let value = values[String(argument.split(separator: ".").last!)] ?? .missing
          if value != .missing { set("\(kind).data.\(argument)", value) }
        }
        set("\(kind).data.metadata.direction", .uint(UInt64(direction)))
      } else if kind.hasPrefix("net_packet_"), Bool.random(using: &rng) {
        // Application events: arguments built from a decoded payload, which may fail to decode.
        for (argument, key) in [
          ("src_ip", "src"), ("dst_ip", "dst"), ("src_port", "src_port"), ("dst_port", "dst_port"),
        ] {
          if let value = values[key], value != .missing { set("\(kind).data.metadata.\(argument)", value) }
        }
        set("\(kind).data.metadata.protocol", .uint(UInt64(protocolNumber)))
      }
      if kind.contains("dns") || kind.hasSuffix("Dns") {
        set("dns.name", .string(Pools.dnsNames.randomElement(using: &rng)!), when: Bool.random(using: &rng))
      }
    }
  }

  private static func kinds(v6: Bool, _ transport: Transport, using rng: inout SplitMix64) -> [String] {
    var kinds: [String] = []
    switch transport {
    case .tcp:
      let application = [[], ["net_packet_http"], ["net_packet_http_request", "net_packet_http"]]
      kinds = application.randomElement(using: &rng)! + ["net_packet_tcp"]
    case .udp:
      let application = [
        [], ["net_packet_dns"], ["net_packet_dns_request", "net_packet_dns"],
        ["net_packet_dns_response", "net_packet_dns"],
      ]
      kinds = application.randomElement(using: &rng)! + ["net_packet_udp"]
    case .icmp: kinds = [v6 ? "net_packet_icmpv6" : "net_packet_icmp"]
    case .other: kinds = []
    }
    kinds.append(v6 ? "net_packet_ipv6" : "net_packet_ipv4")
    if kinds.contains("net_packet_dns_request") { kinds.append("QueryDns") }
    if kinds.contains("net_packet_dns_response") { kinds.append("ReplyDns") }
    return kinds
  }
}
