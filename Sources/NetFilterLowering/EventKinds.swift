import NetFilterSema

/// Kernel event kinds; raw values are the C constants `NF_KIND_*` in the BPF ABI header.
public enum KernelEventKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  case packet = 1, connect, accept, send, recv, disconnect, reconnect, retransmit

  /// The kind of events named `name`: each socket event has its own kind; every `net_packet_*` event,
  /// `QueryDns` and `ReplyDns` (derived from packets in user space), and any other name are packets.
  public init(eventName name: String) {
    self = EventKinds.socket[name] ?? .packet
  }

  /// The socket event's name, or `packet`.
  public var description: String {
    EventKinds.socket.first { $0.value == self }?.key ?? "packet"
  }
}

/// `evt.name` and bare event names, as event kinds.
enum EventKinds {
  static let socket: [String: KernelEventKind] = [
    "Connect": .connect, "Accept": .accept, "Send": .send, "Recv": .recv, "Disconnect": .disconnect,
    "Reconnect": .reconnect, "Retransmit": .retransmit,
  ]

  /// The kinds of events a name test can match, and whether it names every event of those kinds: a
  /// socket event name is its kind's only name; a packet has many names (its kinds and aliases).
  static func kinds(of names: [String], caseInsensitive: Bool) -> (kinds: Set<UInt64>, partial: Bool) {
    var kinds = Set<UInt64>()
    var partial = false
    for name in names {
      let match = socket.first { caseInsensitive ? $0.key.lowercased() == name.lowercased() : $0.key == name }
      if let kind = match?.value {
        kinds.insert(UInt64(kind.rawValue))
      } else {
        kinds.insert(UInt64(KernelEventKind.packet.rawValue))
        partial = true
      }
    }
    return (kinds, partial)
  }

  /// `evt.name op names`: the kinds named; its negation excludes only the kinds it names completely.
  static func lower(_ comparison: Comparison) -> LeafOutcome {
    guard let names = LeafLowering.strings(comparison) else {
      return .notLowered(LeafLowering.unsupported(comparison))
    }
    let (kinds, partial) = self.kinds(of: names, caseInsensitive: comparison.op.info.caseInsensitive)
    let complete = kinds.subtracting([UInt64(KernelEventKind.packet.rawValue)])
    let positive = FieldConstraint.positive(.numbers(ExactSet(values: kinds, complemented: false)))
    let negative = FieldConstraint(
      values: .numbers(ExactSet(values: complete, complemented: true)),
      acceptsMissing: true
    )
    return .lowered(LoweredLeaf(key: .eventKind, positive: positive, negative: negative, exact: !partial))
  }

  /// The IP protocol every event of a Tracee transport kind has.
  static let transportProtocols: [String: UInt64] = [
    "net_packet_tcp": 6, "net_packet_udp": 17, "net_packet_icmp": 1, "net_packet_icmpv6": 58,
  ]

  /// What a bare event name (`Connect`, `net_packet_tcp`) demands of the kernel: its kind, and for a
  /// transport event its protocol. Exact for socket events only.
  static func event(_ name: String) -> [KernelKey: FieldConstraint] {
    let kind = UInt64(KernelEventKind(eventName: name).rawValue)
    var constraints: [KernelKey: FieldConstraint] = [
      .eventKind: .positive(.numbers(ExactSet(values: [kind], complemented: false)))
    ]
    if let proto = transportProtocols[name] {
      constraints[.l4Protocol] = .positive(.numbers(ExactSet(values: [proto], complemented: false)))
    }
    return constraints
  }

  /// The negation of a bare event name: only a socket event's kind can be excluded exactly.
  static func notEvent(_ name: String) -> FieldConstraint? {
    guard let kind = socket[name] else { return nil }
    return FieldConstraint(
      values: .numbers(ExactSet(values: [UInt64(kind.rawValue)], complemented: true)),
      acceptsMissing: true
    )
  }
}
