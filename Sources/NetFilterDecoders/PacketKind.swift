import NetFilterSyntax

/// What a packet is, from its headers: every Tracee event kind it belongs to, most specific first.
public struct PacketKind: Sendable, Hashable {
  /// The application protocol recognized in the payload.
  public enum Application: Int, Sendable, CaseIterable {
    case none, dns, dnsRequest, dnsResponse, http, httpRequest, httpResponse
  }

  public var network: DecodedPacket.Network
  public var transport: DecodedPacket.Transport
  public var application: Application

  /// The kinds of a packet with these layers.
  public init(network: DecodedPacket.Network, transport: DecodedPacket.Transport, application: Application) {
    self.network = network
    self.transport = transport
    self.application = application
  }

  /// Every kind, most specific first (a DNS response over UDP/IPv4 is `net_packet_dns_response`,
  /// `net_packet_dns`, `net_packet_udp`, `net_packet_ipv4`). Shared arrays: no allocation.
  public var kinds: [String] { PacketKind.table[index] }

  /// The most specific kind: the event's name.
  public var name: String { kinds.first ?? "net_packet_raw" }

  /// Fibratus's name for the packet, if it has one (`QueryDns`, `ReplyDns`).
  public var fibratusName: String? {
    switch application {
    case .dnsRequest: "QueryDns"
    case .dnsResponse: "ReplyDns"
    default: nil
    }
  }

  /// Whether the packet is of `kind`.
  public func isA(_ kind: String) -> Bool { kinds.contains(kind) }

  /// The kinds as a bit set over ``PacketKind/allNames`` (bit i = allNames[i]).
  public var mask: UInt16 { PacketKind.masks[index] }

  /// Every packet event name, in Tracee's id order (net_packet_ipv4 = 2000 …).
  public static let allNames = EventNames.packet

  /// The bit of `name` in ``mask``, or 0 for an unknown name.
  public static func bit(_ name: String) -> UInt16 {
    allNames.firstIndex(of: name).map { UInt16(1) << UInt16($0) } ?? 0
  }

  /// One-element kind lists, shared, for events viewed as a single kind.
  package static let single: [String: [String]] = Dictionary(uniqueKeysWithValues: allNames.map { ($0, [$0]) })

  /// The packet's name and Fibratus's, if it has one (`[net_packet_dns_request, QueryDns]`):
  /// shared arrays, so `evt.name` allocates nothing.
  package var namesWithAlias: [String]? {
    switch application {
    case .dnsRequest: PacketKind.queryNames
    case .dnsResponse: PacketKind.replyNames
    default: nil
    }
  }

  private static let queryNames = ["net_packet_dns_request", "QueryDns"]
  private static let replyNames = ["net_packet_dns_response", "ReplyDns"]

  private static let masks: [UInt16] = table.map { kinds in kinds.reduce(UInt16(0)) { $0 | bit($1) } }

  private var index: Int {
    (PacketKind.networkIndex(network) * 5 + PacketKind.transportIndex(transport)) * 7 + application.rawValue
  }

  private static func networkIndex(_ network: DecodedPacket.Network) -> Int {
    switch network {
    case .none: 0
    case .ipv4: 1
    case .ipv6: 2
    }
  }

  private static func transportIndex(_ transport: DecodedPacket.Transport) -> Int {
    switch transport {
    case .none: 0
    case .tcp: 1
    case .udp: 2
    case .icmp: 3
    case .icmpv6: 4
    }
  }

  private static let table: [[String]] = {
    var table: [[String]] = []
    for network in [DecodedPacket.Network.none, .ipv4, .ipv6] {
      for transport in [DecodedPacket.Transport.none, .tcp, .udp, .icmp, .icmpv6] {
        for application in Application.allCases {
          table.append(names(network, transport, application))
        }
      }
    }
    return table
  }()

  private static func names(
    _ network: DecodedPacket.Network,
    _ transport: DecodedPacket.Transport,
    _ application: Application
  )
    -> [String]
  {
    var kinds: [String] = []
    switch application {
    case .none: break
    case .dns: kinds = ["net_packet_dns"]
    case .dnsRequest: kinds = ["net_packet_dns_request", "net_packet_dns"]
    case .dnsResponse: kinds = ["net_packet_dns_response", "net_packet_dns"]
    case .http: kinds = ["net_packet_http"]
    case .httpRequest: kinds = ["net_packet_http_request", "net_packet_http"]
    case .httpResponse: kinds = ["net_packet_http_response", "net_packet_http"]
    }
    switch transport {
    case .none: break
    case .tcp: kinds.append("net_packet_tcp")
    case .udp: kinds.append("net_packet_udp")
    case .icmp: kinds.append("net_packet_icmp")
    case .icmpv6: kinds.append("net_packet_icmpv6")
    }
    switch network {
    case .none: break
    case .ipv4: kinds.append("net_packet_ipv4")
    case .ipv6: kinds.append("net_packet_ipv6")
    }
    // Fibratus's names for DNS queries and replies, so `QueryDns` and `evt.name = 'ReplyDns'` work.
    if application == .dnsRequest { kinds.append("QueryDns") }
    if application == .dnsResponse { kinds.append("ReplyDns") }
    return kinds
  }
}
