import NetFilterBPF
import NetFilterDecoders
import NetFilterEval
import NetFilterJSON
import NetFilterPackets
import NetFilterSema
import NetFilterSyntax

/// A live packet: a ``PacketEvent`` plus the process that owns its socket (`ps.*`, `evt.pid`,
/// `evt.tid`), which packets from files do not have. Every other field is the packet's.
public struct LivePacketEvent: Event, Sendable {
  /// The decoded packet.
  public internal(set) var packet: PacketEvent
  /// The process behind the packet (the kernel's owner, and what /proc adds when it was asked).
  public var process: ProcessContext

  /// Decodes `live` from its IP header (the bytes as the kernel copied them, without a copy).
  public init(_ live: LivePacket, decodeApplication: Bool) {
    self.init(live, payloads: decodeApplication ? .payload : [])
  }

  /// Decodes `live` from its IP header, and the payloads `payloads` names (``FieldNeeds/dns``,
  /// ``FieldNeeds/http``).
  public init(_ live: LivePacket, payloads: FieldNeeds) {
    packet = PacketEvent()
    packet.decode(
      bytes: live.bytes,
      record: (live.timestamp, live.originalLength),
      linkType: PacketDecoder.LinkType.raw.rawValue,
      payloads: payloads
    )
    packet.setDirection(live.direction == .egress ? .egress : .ingress)
    process = ProcessContext(owner: live.owner, host: nil)
  }

  private init(packet: PacketEvent, process: ProcessContext) {
    self.packet = packet
    self.process = process
  }

  /// The process's fields, then the packet's.
  public static let fields =
    ProcessContext.fields.lifted { (event: LivePacketEvent, read) in read(event.process) }
    + PacketEvent.fields.lifted { (event: LivePacketEvent, read) in read(event.packet) }

  public static func accessor(for field: FieldBinding) -> FieldAccessor<LivePacketEvent>? {
    fields.accessor(for: field)
  }

  /// The socket's ends as this host sees them (egress: source is local), for TCP and UDP packets.
  var socketEnds: SocketEnds? {
    let decoded = packet.packet
    guard decoded.transport == .tcp || decoded.transport == .udp else { return nil }
    let egress = decoded.direction == .egress
    return SocketEnds(
      proto: decoded.transport == .tcp ? 6 : 17,
      local: egress ? decoded.source : decoded.destination,
      localPort: egress ? decoded.sourcePort : decoded.destinationPort,
      remote: egress ? decoded.destination : decoded.source,
      remotePort: egress ? decoded.destinationPort : decoded.sourcePort
    )
  }

  /// The packet seen as one Tracee event of `kind` (`--events`).
  public func viewed(as kind: String) -> LivePacketEvent {
    LivePacketEvent(packet: packet.viewed(as: kind), process: process)
  }
}

extension LivePacketEvent: OutputEvent {
  public func jsonLine(hostName: String, schema: Schema) -> [UInt8] {
    packet.decodingApplication().traceeJSONText(hostName: hostName, process: process.tracee)
  }

  public func detached() -> LivePacketEvent { LivePacketEvent(packet: packet.detached(), process: process) }
}

extension PacketEvent: OutputEvent {
  public func jsonLine(hostName: String, schema: Schema) -> [UInt8] {
    decodingApplication().traceeJSONText(hostName: hostName)
  }
}

extension JSONEvent: OutputEvent {
  public func jsonLine(hostName: String, schema: Schema) -> [UInt8] { EventJSON.line(for: self, schema: schema) }
  public func detached() -> JSONEvent { self }
}
