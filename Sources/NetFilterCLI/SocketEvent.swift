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

  /// Tracee's flat JSON shape, with Fibratus's parameters as the arguments: one line of UTF-8
  /// JSON text, written without building a tree (the output path).
  func traceeJSONText(hostName: String) -> [UInt8] {
    let services = ServiceNames.system
    let sportName = services.name(port: record.localPort, protocol: record.l4Protocol)
    let dportName = remote == nil ? nil : services.name(port: record.remotePort, protocol: record.l4Protocol)
    let hasSize = record.kind == .send || record.kind == .recv
    let count =
      3 + (remote == nil ? 0 : 2) + (sportName == nil ? 0 : 1) + (dportName == nil ? 0 : 1) + (hasSize ? 1 : 0)
    let owner = ProcessFields.tracee(process)
    var out: [UInt8] = []
    out.reserveCapacity(512)
    func raw(_ text: String) { out.append(contentsOf: text.utf8) }
    func string(_ text: String) { JSONValue.writeString(text, to: &out) }
    func argument(_ name: String, _ type: String, text: String? = nil, number: String? = nil) {
      raw(out.last == UInt8(ascii: "[") ? "{\"name\":\"" : ",{\"name\":\"")
      raw("\(name)\",\"type\":\"\(type)\",\"value\":")
      if let text { string(text) } else { raw(number ?? "null") }
      raw("}")
    }
    raw("{\"timestamp\":\(record.timestamp),\"processId\":\(owner.pid),\"threadId\":\(owner.tid),\"processName\":")
    string(owner.name)
    raw(",\"hostName\":")
    string(hostName)
    raw(",\"cgroupId\":\(owner.cgroupID),\"containerId\":")
    string(owner.containerID)
    raw(",\"eventId\":\"\(3000 + Int(record.kind.rawValue))\",\"eventName\":")
    string(record.kind.name)
    raw(",\"argsNum\":\(count),\"args\":[")
    argument("sip", "string", text: local.description)
    argument("sport", "u16", number: String(record.localPort))
    if let remote {
      argument("dip", "string", text: remote.description)
      argument("dport", "u16", number: String(record.remotePort))
    }
    argument("l4_proto", "string", text: protocolName)
    if let sportName { argument("sport_name", "string", text: sportName) }
    if let dportName { argument("dport_name", "string", text: dportName) }
    if hasSize { argument("size", "u32", number: String(record.size)) }
    raw("]}")
    return out
  }
}
