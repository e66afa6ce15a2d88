import NetFilterEval
import NetFilterSema
import NetFilterSyntax

/// Tracee's argument trees for a packet (tracee-network.md §4.2), as JSON: what `--output json`
/// writes, and where fields deep in DNS and HTTP messages are read from.
extension PacketEvent {
  /// The whole event in Tracee's JSON shape, named after the packet's most specific kind.
  public func traceeJSON(hostName: String) -> JSONValue {
    let name = self.name
    let args = traceeArguments(for: name)
    return .object([
      ("timestamp", .number(String(packet.timestamp))), ("processId", .number("0")), ("threadId", .number("0")),
      ("processName", .string("")), ("hostName", .string(hostName)), ("cgroupId", .number("0")),
      ("containerId", .string("")), ("eventId", .string(String(2000 + (PacketKind.allNames.firstIndex(of: name) ?? 0)))),
      ("eventName", .string(name)), ("argsNum", .number(String(args.count))), ("args", .array(args)),
    ])
  }

  /// Tracee's arguments of the event `name` for this packet (empty if it is not of that kind).
  public func traceeArguments(for name: String) -> [JSONValue] {
    guard has(PacketKind.bit(name)) else { return [] }
    switch name {
    case "net_packet_ipv4": return addresses + [metadata, argument("proto_ipv4", "trace.ProtoIPv4", ipv4Tree)]
    case "net_packet_ipv6": return addresses + [metadata, argument("proto_ipv6", "trace.ProtoIPv6", ipv6Tree)]
    case "net_packet_tcp": return addresses + ports + [metadata, argument("proto_tcp", "trace.ProtoTCP", tcpTree)]
    case "net_packet_udp": return addresses + ports + [metadata, argument("proto_udp", "trace.ProtoUDP", udpTree)]
    case "net_packet_icmp": return addresses + [metadata, argument("proto_icmp", "trace.ProtoICMP", icmpTree)]
    case "net_packet_icmpv6": return addresses + [metadata, argument("proto_icmpv6", "trace.ProtoICMPv6", icmpv6Tree)]
    default: return applicationArguments(for: name)
    }
  }

  /// A field the fast table does not cover: looked up in the argument tree of its event.
  func deepValue(_ binding: FieldBinding) -> FieldValue {
    let name = binding.descriptor.name
    if name.hasPrefix("dns.") { return dnsField(name) }
    let event = String(name.prefix { $0 != "." })
    guard has(PacketKind.bit(event)) else { return .missing }
    let json = JSONValue.object([("eventName", .string(event)), ("args", .array(traceeArguments(for: event)))])
    return JSONEvent.traceeField(binding, in: json)
  }

  func argument(_ name: String, _ type: String, _ value: JSONValue) -> JSONValue {
    .object([("name", .string(name)), ("type", .string(type)), ("value", value)])
  }

  static func number(_ value: some FixedWidthInteger) -> JSONValue { .number(String(value)) }

  private var addresses: [JSONValue] {
    [
      argument("src", "const char*", .string(packet.source.description)),
      argument("dst", "const char*", .string(packet.destination.description)),
    ]
  }

  var ports: [JSONValue] {
    [
      argument("src_port", "u16", Self.number(packet.sourcePort)),
      argument("dst_port", "u16", Self.number(packet.destinationPort)),
    ]
  }

  var metadata: JSONValue {
    argument("metadata", "trace.PacketMetadata", .object([("direction", Self.number(packet.direction.rawValue))]))
  }

  /// Tracee's `PktMeta`, used by the request/response events.
  var packetMeta: JSONValue {
    argument(
      "metadata", "trace.PktMeta",
      .object([
        ("src_ip", .string(packet.source.description)), ("dst_ip", .string(packet.destination.description)),
        ("src_port", Self.number(packet.sourcePort)), ("dst_port", Self.number(packet.destinationPort)),
        ("protocol", Self.number(packet.protocolNumber)),
        ("packet_len", Self.number(packet.network == .ipv4 ? Int(packet.ipv4.totalLength) : Int(packet.ipv6.payloadLength) + 40)),
        ("iface", .string("any")),
      ])
    )
  }

  private var ipv4Tree: JSONValue {
    let h = packet.ipv4
    return .object([
      ("version", .number("4")), ("IHL", Self.number(h.ihl)), ("TOS", Self.number(h.tos)), ("length", Self.number(h.totalLength)),
      ("id", Self.number(h.id)), ("flags", Self.number(h.flags)), ("fragOffset", Self.number(h.fragmentOffset)),
      ("TTL", Self.number(h.ttl)), ("protocol", .string(IPProtocolNames.name(packet.protocolNumber))),
      ("checksum", Self.number(h.checksum)), ("srcIP", .string(packet.source.description)),
      ("dstIP", .string(packet.destination.description)),
    ])
  }

  private var ipv6Tree: JSONValue {
    let h = packet.ipv6
    return .object([
      ("version", .number("6")), ("trafficClass", Self.number(h.trafficClass)), ("flowLabel", Self.number(h.flowLabel)),
      ("length", Self.number(h.payloadLength)), ("nextHeader", .string(IPProtocolNames.name(h.nextHeader))),
      ("hopLimit", Self.number(h.hopLimit)), ("srcIP", .string(packet.source.description)),
      ("dstIP", .string(packet.destination.description)),
    ])
  }

  private var tcpTree: JSONValue {
    let h = packet.tcp
    var members: [(key: String, value: JSONValue)] = [
      ("srcPort", Self.number(packet.sourcePort)), ("dstPort", Self.number(packet.destinationPort)),
      ("seq", Self.number(h.sequence)), ("ack", Self.number(h.acknowledgment)), ("dataOffset", Self.number(h.dataOffset)),
    ]
    for (bit, name) in TCPFlags.names.enumerated() { members.append((name, Self.number(h.flags >> UInt16(bit) & 1))) }
    members += [("window", Self.number(h.window)), ("checksum", Self.number(h.checksum)), ("urgent", Self.number(h.urgent))]
    return .object(members)
  }

  private var udpTree: JSONValue {
    .object([
      ("srcPort", Self.number(packet.sourcePort)), ("dstPort", Self.number(packet.destinationPort)),
      ("length", Self.number(packet.udpLength)), ("checksum", Self.number(packet.udpChecksum)),
    ])
  }

  private var icmpTree: JSONValue {
    .object([
      ("typeCode", .string(ICMPNames.typeCode(packet.icmp.type, packet.icmp.code, v6: false))),
      ("checksum", Self.number(packet.icmp.checksum)), ("id", Self.number(packet.icmp.id)), ("seq", Self.number(packet.icmp.sequence)),
    ])
  }

  private var icmpv6Tree: JSONValue {
    .object([
      ("typeCode", .string(ICMPNames.typeCode(packet.icmp.type, packet.icmp.code, v6: true))),
      ("checksum", Self.number(packet.icmp.checksum)),
    ])
  }
}
