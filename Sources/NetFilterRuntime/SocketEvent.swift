import NetFilterBPF
import NetFilterDecoders
import NetFilterEval
import NetFilterHost
import NetFilterJSON
import NetFilterPackets
import NetFilterSema
import NetFilterSyntax

/// A live socket event (Connect, Accept, Send, Recv, Disconnect, Reconnect, Retransmit) with
/// Fibratus's fields: `net.sip`/`net.sport` are the local end and `net.dip`/`net.dport` the remote
/// one, for every kind. Socket events have no `net.direction`.
public struct SocketEvent: Event, Sendable {
  /// The kernel's record.
  public let record: LiveSocketEvent
  /// The local address.
  public let local: IPAddress
  /// The remote address, when the socket has one.
  public let remote: IPAddress?
  /// The process (the kernel's, and what /proc adds when it was asked).
  public var process: ProcessContext
  /// The names of the two ends, when the run looked them up (its filter reads names).
  public var names: AddressNames?

  /// The event of a kernel record.
  public init(_ record: LiveSocketEvent) {
    self.record = record
    local = record.localAddress
    remote = record.remoteAddress
    process = ProcessContext(owner: record.owner, host: nil)
  }

  /// The socket's ends, for finding its owner among the sockets open at capture start.
  var socketEnds: SocketEnds {
    SocketEnds(
      proto: record.l4Protocol,
      local: local,
      localPort: record.localPort,
      remote: remote ?? IPAddress(v4: 0),
      remotePort: record.remotePort
    )
  }

  private static let kinds = Dictionary(
    uniqueKeysWithValues: LiveSocketEvent.Kind.allCases.map { ($0, FieldValue.strings([$0.name])) }
  )

  /// The socket event's own fields, then the process's.
  public static let fields =
    FieldProvider<SocketEvent>([
      ("net.sip", FieldAccessor { .ip($0.local) }),
      ("net.dip", FieldAccessor { $0.remote.map { .ip($0) } ?? .missing }),
      ("net.sport", FieldAccessor { .uint(UInt64($0.record.localPort)) }),
      ("net.dport", FieldAccessor { $0.remote == nil ? .missing : .uint(UInt64($0.record.remotePort)) }),
      ("net.l4.proto", FieldAccessor { .string($0.protocolName) }),
      ("net.size", FieldAccessor { $0.hasSize ? .uint(UInt64($0.record.size)) : .missing }),
      ("evt.name", FieldAccessor { .string($0.record.kind.name) }),
      ("evt.kinds", FieldAccessor { kinds[$0.record.kind] ?? .missing }),
      ("evt.category", FieldAccessor { _ in .string("net") }),
      ("evt.time.ns", FieldAccessor { .int(Int64(clamping: $0.record.timestamp)) }),
      ("net.sport.name", FieldAccessor { $0.serviceName($0.record.localPort) }),
      ("net.dport.name", FieldAccessor { $0.remote == nil ? .missing : $0.serviceName($0.record.remotePort) }),
      ("net.sip.names", FieldAccessor(needs: .names) { $0.names.map { .strings($0.source) } ?? .missing }),
      ("net.dip.names", FieldAccessor(needs: .names) { $0.names.map { .strings($0.destination) } ?? .missing }),
    ])
    + ProcessContext.fields.lifted { (event: SocketEvent, read) in read(event.process) }

  public static func accessor(for field: FieldBinding) -> FieldAccessor<SocketEvent>? {
    fields.accessor(for: field)
  }

  private func serviceName(_ port: UInt16) -> FieldValue {
    ServiceNames.system.name(port: port, protocol: record.l4Protocol).map { .string($0) } ?? .missing
  }

  private var hasSize: Bool { record.kind == .send || record.kind == .recv }

  var protocolName: String { record.l4Protocol == 6 ? "TCP" : "UDP" }
}

extension SocketEvent: OutputEvent {
  /// Tracee's flat JSON shape, with Fibratus's parameters as the arguments.
  public func jsonLine(hostName: String, schema: Schema) -> [UInt8] {
    let services = ServiceNames.system
    let sportName = services.name(port: record.localPort, protocol: record.l4Protocol)
    let dportName = remote == nil ? nil : services.name(port: record.remotePort, protocol: record.l4Protocol)
    let count =
      3 + (remote == nil ? 0 : 2) + (sportName == nil ? 0 : 1) + (dportName == nil ? 0 : 1) + (hasSize ? 1 : 0)
      + (names?.argumentCount ?? 0)
    let header = TraceeHeader(
      timestamp: record.timestamp,
      eventName: record.kind.name,
      eventID: EventNames.firstSocketID + Int(record.kind.rawValue - LiveSocketEvent.Kind.connect.rawValue),
      hostName: hostName,
      process: process.tracee,
      argumentCount: count
    )
    var out = JSONTextWriter(capacity: 512)
    header.open(&out)
    out.argument("sip", "string") { $0.string(local.description) }
    out.argument("sport", "u16") { $0.number(UInt64(record.localPort)) }
    if let remote {
      out.argument("dip", "string") { $0.string(remote.description) }
      out.argument("dport", "u16") { $0.number(UInt64(record.remotePort)) }
    }
    out.argument("l4_proto", "string") { $0.string(protocolName) }
    if let sportName { out.argument("sport_name", "string") { $0.string(sportName) } }
    if let dportName { out.argument("dport_name", "string") { $0.string(dportName) } }
    if hasSize { out.argument("size", "u32") { $0.number(UInt64(record.size)) } }
    names?.write(source: "sip_names", destination: "dip_names", to: &out)
    header.close(&out)
    return out.finish()
  }

  public func detached() -> SocketEvent { self }
}
