import NetFilterSyntax

/// The link, network and transport headers of one packet, decoded into plain values.
///
/// Decoding reads headers only and allocates nothing; application payloads (DNS, HTTP) are
/// decoded separately, and only when a filter or the output needs them.
public struct DecodedPacket: Sendable {
  /// The network layer found.
  public enum Network: Sendable, Equatable { case none, ipv4, ipv6 }
  /// The transport layer found.
  public enum Transport: Sendable, Equatable { case none, tcp, udp, icmp, icmpv6 }
  /// Which way a packet went, when the capture says (Linux cooked captures do).
  public enum Direction: UInt8, Sendable { case unknown = 0, ingress = 1, egress = 2 }

  /// Capture time in nanoseconds since the Unix epoch.
  public var timestamp: UInt64 = 0
  /// Bytes on the wire.
  public var originalLength = 0
  /// Direction, if known.
  public var direction = Direction.unknown

  public var network = Network.none
  /// Offset of the IP header in the packet bytes.
  public var networkOffset = 0
  public var source = IPAddress(v4: 0)
  public var destination = IPAddress(v4: 0)
  /// IPv4: version 4, IHL, TOS, total length, id, flags, fragment offset, TTL, protocol, checksum.
  public var ipv4 = IPv4Header()
  /// IPv6: traffic class, flow label, payload length, next header (of the fixed header), hop limit.
  public var ipv6 = IPv6Header()
  /// The IP protocol number of the transport layer (after IPv6 extension headers).
  public var protocolNumber: UInt8 = 0
  /// Whether this is a fragment (MF set or a non-zero offset); only first fragments have ports.
  public var isFragment = false

  public var transport = Transport.none
  public var sourcePort: UInt16 = 0
  public var destinationPort: UInt16 = 0
  /// Whether the TCP or UDP header is cut short by the end of a first fragment (offset 0, more
  /// fragments to come): only the ports are known (its first 4 bytes), as tcpdump and tshark read
  /// them; the other header fields are missing.
  public var isTransportHeaderCut = false
  /// TCP fields.
  public var tcp = TCPHeader()
  /// UDP length and checksum.
  public var udpLength: UInt16 = 0
  public var udpChecksum: UInt16 = 0
  /// ICMP and ICMPv6 type, code, checksum, and (echo) id and sequence.
  public var icmp = ICMPHeader()

  /// Where the transport payload starts, and how many bytes of it were captured.
  public var payloadOffset = 0
  public var payloadLength = 0

  /// Why decoding stopped early, if the packet was truncated or malformed.
  public var malformed: String?

  public init() {}
}

/// IPv4 header fields.
public struct IPv4Header: Sendable {
  public var ihl: UInt8 = 0
  public var tos: UInt8 = 0
  public var totalLength: UInt16 = 0
  public var id: UInt16 = 0
  public var flags: UInt8 = 0
  public var fragmentOffset: UInt16 = 0
  public var ttl: UInt8 = 0
  public var checksum: UInt16 = 0
}

/// IPv6 fixed-header fields.
public struct IPv6Header: Sendable {
  public var trafficClass: UInt8 = 0
  public var flowLabel: UInt32 = 0
  public var payloadLength: UInt16 = 0
  public var nextHeader: UInt8 = 0
  public var hopLimit: UInt8 = 0
}

/// TCP header fields.
public struct TCPHeader: Sendable {
  public var sequence: UInt32 = 0
  public var acknowledgment: UInt32 = 0
  public var dataOffset: UInt8 = 0
  /// FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80, NS 0x100.
  public var flags: UInt16 = 0
  public var window: UInt16 = 0
  public var checksum: UInt16 = 0
  public var urgent: UInt16 = 0
}

/// ICMP / ICMPv6 header fields.
public struct ICMPHeader: Sendable {
  public var type: UInt8 = 0
  public var code: UInt8 = 0
  public var checksum: UInt16 = 0
  public var id: UInt16 = 0
  public var sequence: UInt16 = 0
}
