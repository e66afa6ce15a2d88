import NetFilterDecoders
import NetFilterEval
import NetFilterJSON
import NetFilterSyntax

/// Fields a packet answers from its headers, resolved to an index once per program; reading one
/// is an array lookup and a closure call, without allocation.
enum PacketFieldTable {
  /// Accessors are built as `FieldAccessor` literals, not converted from typed closures: a
  /// converted closure would copy the whole event through a thunk on every read.
  typealias Accessor = FieldAccessor<PacketEvent>

  /// The network fields come first: ``PacketEvent/value(of:)`` reads indices 0–3 (`net.sip`,
  /// `net.dip`, `net.sport`, `net.dport`) without an accessor call.
  static let entries: [(String, Accessor)] = networkFields + eventFields + layerFields

  static let eventFields: [(String, Accessor)] = [
    (
      "evt.name",
      FieldAccessor { event in
        guard event.viewName == nil, let names = event.kind.namesWithAlias else { return .string(event.name) }
        return .strings(names)
      }
    ),
    (
      "evt.kinds",
      FieldAccessor { event in
        event.viewName.map { .strings(PacketKind.single[$0] ?? [$0]) } ?? .strings(event.kind.kinds)
      }
    ),
    ("evt.time.ns", FieldAccessor { .int(Int64(clamping: $0.packet.timestamp)) }),
    ("evt.category", FieldAccessor { _ in .string("net") }),
  ]

  static let networkFields: [(String, Accessor)] = [
    ("net.sip", FieldAccessor { $0.sourceAddress }),
    ("net.dip", FieldAccessor { $0.destinationAddress }),
    ("net.sport", FieldAccessor { $0.sourcePort }),
    ("net.dport", FieldAccessor { $0.destinationPort }),
    ("net.l4.proto", FieldAccessor { $0.l4Name.map { .string($0) } ?? .missing }),
    ("net.size", FieldAccessor { .uint(UInt64($0.packet.originalLength)) }),
    ("net.direction", FieldAccessor { $0.directionName.map { .string($0) } ?? .missing }),
    ("net.sport.name", FieldAccessor { $0.serviceName($0.packet.sourcePort) }),
    ("net.dport.name", FieldAccessor { $0.serviceName($0.packet.destinationPort) }),
    ("net.sip.names", FieldAccessor(needs: .names) { $0.names.map { .strings($0.source) } ?? .missing }),
    ("net.dip.names", FieldAccessor(needs: .names) { $0.names.map { .strings($0.destination) } ?? .missing }),
  ]

  /// `EVENT.data.src/dst/src_port/dst_port/metadata.direction` and the header structures.
  static let layerFields: [(String, Accessor)] = {
    var fields: [(String, Accessor)] = []
    for event in [
      "net_packet_ipv4", "net_packet_ipv6", "net_packet_tcp", "net_packet_udp", "net_packet_icmp",
      "net_packet_icmpv6", "net_packet_dns", "net_packet_http",
    ] {
      let bit = PacketKind.bit(event)
      fields.append(("\(event).data.src", FieldAccessor { $0.has(bit) ? .ip($0.packet.source) : .missing }))
      fields.append(("\(event).data.dst", FieldAccessor { $0.has(bit) ? .ip($0.packet.destination) : .missing }))
      fields.append(
        (
          "\(event).data.metadata.direction",
          FieldAccessor { $0.has(bit) ? .uint(UInt64($0.packet.direction.rawValue)) : .missing }
        )
      )
      if !["net_packet_ipv4", "net_packet_ipv6", "net_packet_icmp", "net_packet_icmpv6"].contains(event) {
        fields.append(
          ("\(event).data.src_port", FieldAccessor { $0.has(bit) ? .uint(UInt64($0.packet.sourcePort)) : .missing })
        )
        fields.append(
          (
            "\(event).data.dst_port",
            FieldAccessor { $0.has(bit) ? .uint(UInt64($0.packet.destinationPort)) : .missing }
          )
        )
      }
    }
    return fields + HeaderFields.ipv4 + HeaderFields.ipv6 + HeaderFields.tcp + HeaderFields.udp + HeaderFields.icmp
  }()
}

extension PacketEvent {
  var hasPorts: Bool { packet.transport == .tcp || packet.transport == .udp }

  /// `net.sip`, `net.dip`, `net.sport`, `net.dport`.
  @inline(__always) var sourceAddress: FieldValue { packet.network == .none ? .missing : .ip(packet.source) }
  @inline(__always) var destinationAddress: FieldValue { packet.network == .none ? .missing : .ip(packet.destination) }
  @inline(__always) var sourcePort: FieldValue { hasPorts ? .uint(UInt64(packet.sourcePort)) : .missing }
  @inline(__always) var destinationPort: FieldValue { hasPorts ? .uint(UInt64(packet.destinationPort)) : .missing }

  /// The IANA name of `port` over the packet's transport (TCP or UDP), or missing.
  func serviceName(_ port: UInt16) -> FieldValue {
    guard hasPorts, let name = ServiceNames.system.name(port: port, protocol: packet.protocolNumber) else {
      return .missing
    }
    return .string(name)
  }

  var l4Name: String? {
    switch packet.transport {
    case .tcp: "TCP"
    case .udp: "UDP"
    case .icmp: "ICMP"
    case .icmpv6: "ICMPv6"
    case .none: nil
    }
  }

  var directionName: String? {
    switch packet.direction {
    case .ingress: "ingress"
    case .egress: "egress"
    case .unknown: nil
    }
  }
}
