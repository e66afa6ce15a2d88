import NetFilter
import NetFilterBPF
import NetFilterHost
import NetFilterPackets

/// A live socket event (Connect, Accept, Send, Recv, Disconnect, Reconnect, Retransmit) with
/// Fibratus's fields: `net.sip`/`net.sport` are the local end and `net.dip`/`net.dport` the remote
/// one, for every kind. Socket events have no `net.direction`.
struct SocketEvent: Event {
  /// The kernel's record.
  let record: LiveSocketEvent
  let local: IPAddress
  let remote: IPAddress?
  /// The process (the kernel's, and what /proc adds when it was asked).
  var process: ProcessContext

  init(_ record: LiveSocketEvent) {
    self.record = record
    local = SocketEvent.address(record.localAddress)
    remote = record.remoteAddress.map(SocketEvent.address)
    process = ProcessContext(owner: record.owner, host: nil)
  }

  /// The socket's ends, for finding its owner among the sockets open at capture start.
  var socketEnds: SocketEnds {
    SocketEnds(
      proto: record.l4Protocol,
      local: HostAddress(local),
      localPort: record.localPort,
      remote: remote.map(HostAddress.init) ?? .anyIPv4,
      remotePort: record.remotePort
    )
  }

  /// An IPv4-mapped address as the IPv4 address it stands for.
  static func address(_ address: LiveAddress) -> IPAddress {
    address.isIPv4Mapped
      ? IPAddress(v4: UInt32(truncatingIfNeeded: address.low))
      : IPAddress(v6High: address.high, low: address.low)
  }

  private static let fields = [
    "net.sip", "net.dip", "net.sport", "net.dport", "net.l4.proto", "net.size", "evt.name", "evt.kinds",
    "evt.category", "evt.time.ns", "net.sport.name", "net.dport.name",
  ]
  private static let kinds = Dictionary(
    uniqueKeysWithValues: LiveSocketEvent.Kind.allCases.map { ($0, FieldValue.strings([$0.name])) }
  )

  static func resolve(_ field: FieldBinding) -> Int? {
    if let process = ProcessFields.resolve(field) { return process }
    return field.argument == nil ? fields.firstIndex(of: field.descriptor.name) : nil
  }

  func value(of key: FieldKey) -> FieldValue {
    guard let resolved = key.resolved else { return .missing }
    if ProcessFields.owns(resolved) { return ProcessFields.value(resolved, process) }
    switch resolved {
    case 0: return .ip(local)
    case 1: return remote.map { .ip($0) } ?? .missing
    case 2: return .uint(UInt64(record.localPort))
    case 3: return remote == nil ? .missing : .uint(UInt64(record.remotePort))
    case 4: return .string(protocolName)
    case 5: return record.kind == .send || record.kind == .recv ? .uint(UInt64(record.size)) : .missing
    case 6: return .string(record.kind.name)
    case 7: return Self.kinds[record.kind] ?? .missing
    case 8: return .string("net")
    case 9: return .int(Int64(clamping: record.timestamp))
    case 10: return serviceName(record.localPort)
    default: return remote == nil ? .missing : serviceName(record.remotePort)
    }
  }

  private func serviceName(_ port: UInt16) -> FieldValue {
    ServiceNames.system.name(port: port, protocol: record.l4Protocol).map { .string($0) } ?? .missing
  }

  /// Any field's value (for table columns).
  func lookup(_ binding: FieldBinding) -> FieldValue {
    value(of: FieldKey(id: 0, resolved: Self.resolve(binding), binding: binding))
  }

  var protocolName: String { record.l4Protocol == 6 ? "TCP" : "UDP" }

  /// Tracee's flat JSON shape, with Fibratus's parameters as the arguments.
  func traceeJSON(hostName: String) -> JSONValue {
    var arguments: [JSONValue] = [
      Self.argument("sip", "string", .string(local.description)),
      Self.argument("sport", "u16", .number(String(record.localPort))),
    ]
    if let remote {
      arguments.append(Self.argument("dip", "string", .string(remote.description)))
      arguments.append(Self.argument("dport", "u16", .number(String(record.remotePort))))
    }
    arguments.append(Self.argument("l4_proto", "string", .string(protocolName)))
    if let name = ServiceNames.system.name(port: record.localPort, protocol: record.l4Protocol) {
      arguments.append(Self.argument("sport_name", "string", .string(name)))
    }
    if remote != nil, let name = ServiceNames.system.name(port: record.remotePort, protocol: record.l4Protocol) {
      arguments.append(Self.argument("dport_name", "string", .string(name)))
    }
    if record.kind == .send || record.kind == .recv {
      arguments.append(Self.argument("size", "u32", .number(String(record.size))))
    }
    let owner = ProcessFields.tracee(process)
    return .object([
      ("timestamp", .number(String(record.timestamp))),
      ("processId", .number(String(owner.pid))),
      ("threadId", .number(String(owner.tid))),
      ("processName", .string(owner.name)),
      ("hostName", .string(hostName)),
      ("cgroupId", .number(String(owner.cgroupID))),
      ("containerId", .string(owner.containerID)),
      ("eventId", .string(String(3000 + Int(record.kind.rawValue)))),
      ("eventName", .string(record.kind.name)),
      ("argsNum", .number(String(arguments.count))),
      ("args", .array(arguments)),
    ])
  }

  private static func argument(_ name: String, _ type: String, _ value: JSONValue) -> JSONValue {
    .object([("name", .string(name)), ("type", .string(type)), ("value", value)])
  }
}
