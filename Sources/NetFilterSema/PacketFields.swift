/// The argument trees of Tracee's `net_packet_*` events (as Tracee v0.24 writes them),
/// flattened into fields named `EVENT.data.ARG.member…`.
enum PacketFields {
  /// A node of an argument tree.
  indirect enum Node: Sendable {
    case value(ValueType, KernelKey? = nil)
    case object([(String, Node)])
    case array(Node)
    /// `map[string][]string`, such as HTTP headers: `headers[Name]`, or every `Name: value`.
    case headerMap
  }

  static let packetMetadata: Node = .object([("direction", .value(.uint8, .direction))])
  static let pktMeta: Node = .object([
    ("src_ip", .value(.ip, .sourceAddress)), ("dst_ip", .value(.ip, .destinationAddress)),
    ("src_port", .value(.uint16, .sourcePort)), ("dst_port", .value(.uint16, .destinationPort)),
    ("protocol", .value(.uint8, .l4Protocol)), ("packet_len", .value(.uint32)), ("iface", .value(.string)),
  ])
  static let ipv4: Node = .object([
    ("version", .value(.uint8)), ("IHL", .value(.uint8)), ("TOS", .value(.uint8)), ("length", .value(.uint16)),
    ("id", .value(.uint16)), ("flags", .value(.uint8)), ("fragOffset", .value(.uint16)), ("TTL", .value(.uint8)),
    ("protocol", .value(.string)), ("checksum", .value(.uint16)),
    ("srcIP", .value(.ip, .sourceAddress)), ("dstIP", .value(.ip, .destinationAddress)),
  ])
  static let ipv6: Node = .object([
    ("version", .value(.uint8)), ("trafficClass", .value(.uint8)), ("flowLabel", .value(.uint32)),
    ("length", .value(.uint16)), ("nextHeader", .value(.string)), ("hopLimit", .value(.uint8)),
    ("srcIP", .value(.ip, .sourceAddress)), ("dstIP", .value(.ip, .destinationAddress)),
  ])
  static let tcp: Node = .object(
    [
      ("srcPort", .value(.uint16, .sourcePort)), ("dstPort", .value(.uint16, .destinationPort)),
      ("seq", .value(.uint32)), ("ack", .value(.uint32)), ("dataOffset", .value(.uint8)),
    ] + ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"].map { ($0, Node.value(.uint8)) }
      + [("window", .value(.uint16)), ("checksum", .value(.uint16)), ("urgent", .value(.uint16))]
  )
  static let udp: Node = .object([
    ("srcPort", .value(.uint16, .sourcePort)), ("dstPort", .value(.uint16, .destinationPort)),
    ("length", .value(.uint16)), ("checksum", .value(.uint16)),
  ])
  static let icmp: Node = .object([
    ("typeCode", .value(.string)), ("checksum", .value(.uint16)), ("id", .value(.uint16)), ("seq", .value(.uint16)),
  ])
  static let icmpv6: Node = .object([("typeCode", .value(.string)), ("checksum", .value(.uint16))])
  static let dnsRecord: Node = .object([
    ("name", .value(.string)), ("type", .value(.string)), ("class", .value(.string)), ("TTL", .value(.uint32)),
    ("IP", .value(.ip)), ("NS", .value(.string)), ("CNAME", .value(.string)), ("PTR", .value(.string)),
    ("TXTs", .array(.value(.string))), ("TXT", .value(.string)),
    (
      "SOA",
      .object([
        ("MName", .value(.string)), ("RName", .value(.string)), ("serial", .value(.uint32)),
        ("refresh", .value(.uint32)), ("retry", .value(.uint32)), ("expire", .value(.uint32)),
        ("minimum", .value(.uint32)),
      ])
    ),
    (
      "SRV",
      .object([
        ("priority", .value(.uint16)), ("weight", .value(.uint16)), ("port", .value(.uint16)),
        ("name", .value(.string)),
      ])
    ),
    ("MX", .object([("preference", .value(.uint16)), ("name", .value(.string))])),
    ("OPT", .array(.object([("code", .value(.string)), ("data", .value(.string))]))),
    ("URI", .object([("priority", .value(.uint16)), ("weight", .value(.uint16)), ("target", .value(.string))])),
  ])
  static let dns: Node = .object(
    [("ID", .value(.uint16))]
      + ["QR", "AA", "TC", "RD", "RA", "Z"].map { ($0, Node.value(.uint8)) }
      + [("opCode", .value(.string)), ("responseCode", .value(.string))]
      + ["QDCount", "ANCount", "NSCount", "ARCount"].map { ($0, Node.value(.uint16)) }
      + [
        (
          "questions",
          .array(.object([("name", .value(.string)), ("type", .value(.string)), ("class", .value(.string))]))
        ),
        ("answers", .array(dnsRecord)), ("authorities", .array(dnsRecord)), ("additionals", .array(dnsRecord)),
      ]
  )
  static let dnsQuery: Node = .object([
    ("query", .value(.string)), ("query_type", .value(.string)), ("query_class", .value(.string)),
  ])
  static let dnsResponse: Node = .object([
    ("query_data", dnsQuery),
    (
      "dns_answer",
      .array(.object([("answer_type", .value(.string)), ("ttl", .value(.uint32)), ("answer", .value(.string))]))
    ),
  ])
  static let httpCommon: [(String, Node)] = [
    ("protocol", .value(.string)), ("headers", .headerMap), ("content_length", .value(.int)),
  ]
  static let http: Node = .object(
    [
      ("direction", .value(.string)), ("method", .value(.string)), ("host", .value(.string)),
      ("uri_path", .value(.string)), ("status", .value(.string)), ("status_code", .value(.int)),
    ] + httpCommon
  )
  static let httpRequest: Node = .object(
    [("method", .value(.string)), ("host", .value(.string)), ("uri_path", .value(.string))] + httpCommon
  )
  static let httpResponse: Node = .object([("status", .value(.string)), ("status_code", .value(.int))] + httpCommon)

  static let addresses: [(String, Node)] = [
    ("src", .value(.ip, .sourceAddress)), ("dst", .value(.ip, .destinationAddress)),
  ]
  static let ports: [(String, Node)] = [
    ("src_port", .value(.uint16, .sourcePort)), ("dst_port", .value(.uint16, .destinationPort)),
  ]

  /// Each event's arguments, in Tracee's order.
  static let events: [(String, [(String, Node)])] = [
    ("net_packet_ipv4", addresses + [("metadata", packetMetadata), ("proto_ipv4", ipv4)]),
    ("net_packet_ipv6", addresses + [("metadata", packetMetadata), ("proto_ipv6", ipv6)]),
    ("net_packet_tcp", addresses + ports + [("metadata", packetMetadata), ("proto_tcp", tcp)]),
    ("net_packet_udp", addresses + ports + [("metadata", packetMetadata), ("proto_udp", udp)]),
    ("net_packet_icmp", addresses + [("metadata", packetMetadata), ("proto_icmp", icmp)]),
    ("net_packet_icmpv6", addresses + [("metadata", packetMetadata), ("proto_icmpv6", icmpv6)]),
    ("net_packet_dns", addresses + ports + [("metadata", packetMetadata), ("proto_dns", dns)]),
    ("net_packet_dns_request", [("metadata", pktMeta), ("dns_questions", .array(dnsQuery))]),
    ("net_packet_dns_response", [("metadata", pktMeta), ("dns_response", .array(dnsResponse))]),
    ("net_packet_http", addresses + ports + [("metadata", packetMetadata), ("proto_http", http)]),
    ("net_packet_http_request", [("metadata", pktMeta), ("http_request", httpRequest)]),
    ("net_packet_http_response", [("metadata", pktMeta), ("http_response", httpResponse)]),
  ]

  static var all: [FieldDescriptor] { flattened.fields }
  static var structures: [String: [String]] { flattened.structures }

  private static let flattened: (fields: [FieldDescriptor], structures: [String: [String]]) = {
    var fields: [FieldDescriptor] = []
    var structures: [String: [String]] = [:]
    for (event, arguments) in events {
      flatten(.object(arguments), path: "\(event).data", multi: false, into: &fields, &structures)
    }
    return (fields, structures)
  }()

  private static func flatten(
    _ node: Node,
    path: String,
    multi: Bool,
    into fields: inout [FieldDescriptor],
    _ structures: inout [String: [String]]
  ) {
    switch node {
    case .value(let type, let kernel):
      fields.append(FieldDescriptor(path, type, multi: multi, kernel: kernel, "Tracee packet argument"))
    case .array(let element):
      flatten(element, path: path, multi: true, into: &fields, &structures)
    case .headerMap:
      let argument = ArgumentSpec(required: false, meaning: "header name")
      fields.append(
        FieldDescriptor(
          path,
          .string,
          multi: true,
          argument: argument,
          "HTTP headers as 'Name: value', or one header's values"
        )
      )
    case .object(let members):
      structures[path] = members.map(\.0)
      for (name, member) in members {
        flatten(member, path: "\(path).\(name)", multi: multi, into: &fields, &structures)
      }
    }
  }
}
