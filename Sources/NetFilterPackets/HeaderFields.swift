import NetFilterDecoders
import NetFilterEval
import NetFilterJSON

/// Accessors for Tracee's `proto_ipv4`, `proto_ipv6`, `proto_tcp`, `proto_udp`, `proto_icmp` and
/// `proto_icmpv6` structures, read straight from the decoded headers.
enum HeaderFields {
  typealias Accessor = PacketFieldTable.Accessor

  private static func field(_ event: String, _ path: String, _ read: @escaping @Sendable (DecodedPacket) -> FieldValue)
    -> (String, Accessor)
  {
    let bit = PacketKind.bit(event)
    return ("\(event).data.\(path)", FieldAccessor { $0.has(bit) ? read($0.packet) : .missing })
  }

  /// A field past the ports of a TCP or UDP header: missing when a first fragment cut the header.
  private static func whole(_ event: String, _ path: String, _ read: @escaping @Sendable (DecodedPacket) -> FieldValue)
    -> (String, Accessor)
  {
    field(event, path) { $0.isTransportHeaderCut ? .missing : read($0) }
  }

  private static func number(_ value: some FixedWidthInteger) -> FieldValue { .uint(UInt64(value)) }

  static let ipv4: [(String, Accessor)] = [
    field("net_packet_ipv4", "proto_ipv4.version") { _ in .uint(4) },
    field("net_packet_ipv4", "proto_ipv4.IHL") { number($0.ipv4.ihl) },
    field("net_packet_ipv4", "proto_ipv4.TOS") { number($0.ipv4.tos) },
    field("net_packet_ipv4", "proto_ipv4.length") { number($0.ipv4.totalLength) },
    field("net_packet_ipv4", "proto_ipv4.id") { number($0.ipv4.id) },
    field("net_packet_ipv4", "proto_ipv4.flags") { number($0.ipv4.flags) },
    field("net_packet_ipv4", "proto_ipv4.fragOffset") { number($0.ipv4.fragmentOffset) },
    field("net_packet_ipv4", "proto_ipv4.TTL") { number($0.ipv4.ttl) },
    field("net_packet_ipv4", "proto_ipv4.protocol") { .string(IPProtocolNames.name($0.protocolNumber)) },
    field("net_packet_ipv4", "proto_ipv4.checksum") { number($0.ipv4.checksum) },
    field("net_packet_ipv4", "proto_ipv4.srcIP") { .ip($0.source) },
    field("net_packet_ipv4", "proto_ipv4.dstIP") { .ip($0.destination) },
  ]

  static let ipv6: [(String, Accessor)] = [
    field("net_packet_ipv6", "proto_ipv6.version") { _ in .uint(6) },
    field("net_packet_ipv6", "proto_ipv6.trafficClass") { number($0.ipv6.trafficClass) },
    field("net_packet_ipv6", "proto_ipv6.flowLabel") { number($0.ipv6.flowLabel) },
    field("net_packet_ipv6", "proto_ipv6.length") { number($0.ipv6.payloadLength) },
    field("net_packet_ipv6", "proto_ipv6.nextHeader") { .string(IPProtocolNames.name($0.ipv6.nextHeader)) },
    field("net_packet_ipv6", "proto_ipv6.hopLimit") { number($0.ipv6.hopLimit) },
    field("net_packet_ipv6", "proto_ipv6.srcIP") { .ip($0.source) },
    field("net_packet_ipv6", "proto_ipv6.dstIP") { .ip($0.destination) },
  ]

  static let tcp: [(String, Accessor)] =
    [
      field("net_packet_tcp", "proto_tcp.srcPort") { number($0.sourcePort) },
      field("net_packet_tcp", "proto_tcp.dstPort") { number($0.destinationPort) },
      whole("net_packet_tcp", "proto_tcp.seq") { number($0.tcp.sequence) },
      whole("net_packet_tcp", "proto_tcp.ack") { number($0.tcp.acknowledgment) },
      whole("net_packet_tcp", "proto_tcp.dataOffset") { number($0.tcp.dataOffset) },
      whole("net_packet_tcp", "proto_tcp.window") { number($0.tcp.window) },
      whole("net_packet_tcp", "proto_tcp.checksum") { number($0.tcp.checksum) },
      whole("net_packet_tcp", "proto_tcp.urgent") { number($0.tcp.urgent) },
    ]
    + TCPFlags.names.enumerated().map { bit, name in
      whole("net_packet_tcp", "proto_tcp.\(name)") { .uint(UInt64($0.tcp.flags >> UInt16(bit) & 1)) }
    }

  static let udp: [(String, Accessor)] = [
    field("net_packet_udp", "proto_udp.srcPort") { number($0.sourcePort) },
    field("net_packet_udp", "proto_udp.dstPort") { number($0.destinationPort) },
    whole("net_packet_udp", "proto_udp.length") { number($0.udpLength) },
    whole("net_packet_udp", "proto_udp.checksum") { number($0.udpChecksum) },
  ]

  static let icmp: [(String, Accessor)] = [
    field("net_packet_icmp", "proto_icmp.typeCode") {
      .string(ICMPNames.typeCode($0.icmp.type, $0.icmp.code, v6: false))
    },
    field("net_packet_icmp", "proto_icmp.checksum") { number($0.icmp.checksum) },
    field("net_packet_icmp", "proto_icmp.id") { number($0.icmp.id) },
    field("net_packet_icmp", "proto_icmp.seq") { number($0.icmp.sequence) },
    field("net_packet_icmpv6", "proto_icmpv6.typeCode") {
      .string(ICMPNames.typeCode($0.icmp.type, $0.icmp.code, v6: true))
    },
    field("net_packet_icmpv6", "proto_icmpv6.checksum") { number($0.icmp.checksum) },
  ]
}

/// TCP flag names, bit 0 first (FIN 0x01 … NS 0x100).
enum TCPFlags {
  /// The names as JSON member names (written without building a String).
  static let staticNames: [StaticString] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"]
  static let names = staticNames.map(\.description)
}
