import NetFilter
import NetFilterBPF
import NetFilterHost
import NetFilterPackets

/// A live packet: a ``PacketEvent`` plus the process that owns its socket (`ps.*`, `evt.pid`,
/// `evt.tid`), which packets from files do not have. Every other field is the packet's.
struct LiveEvent: Event {
  /// The decoded packet.
  let packet: PacketEvent
  /// The process behind the packet (the kernel's owner, and what /proc adds when it was asked).
  var process: ProcessContext

  /// Decodes `live` from its IP header (the bytes as the kernel copied them, without a copy).
  init(_ live: LivePacket, decodeApplication: Bool) {
    packet = PacketEvent(
      bytes: live.bytes,
      record: (live.timestamp, live.originalLength),
      linkType: PacketDecoder.LinkType.raw.rawValue,
      decodeApplication: decodeApplication,
      direction: live.direction == .egress ? .egress : .ingress
    )
    process = ProcessContext(owner: live.owner, host: nil)
  }

  private init(packet: PacketEvent, process: ProcessContext) {
    self.packet = packet
    self.process = process
  }

  /// The owner as the kernel reported it.
  var owner: PacketOwner? { process.owner }

  /// The socket's ends as this host sees them (egress: source is local), for TCP and UDP packets.
  var socketEnds: SocketEnds? {
    let decoded = packet.packet
    guard decoded.transport == .tcp || decoded.transport == .udp else { return nil }
    let egress = decoded.direction == .egress
    return SocketEnds(
      proto: decoded.transport == .tcp ? 6 : 17,
      local: HostAddress(egress ? decoded.source : decoded.destination),
      localPort: egress ? decoded.sourcePort : decoded.destinationPort,
      remote: HostAddress(egress ? decoded.destination : decoded.source),
      remotePort: egress ? decoded.destinationPort : decoded.sourcePort
    )
  }

  static func resolve(_ field: FieldBinding) -> Int? {
    ProcessFields.resolve(field) ?? PacketEvent.resolve(field)
  }

  func value(of key: FieldKey) -> FieldValue {
    if ProcessFields.owns(key.resolved) { return ProcessFields.value(key.resolved!, process) }
    return packet.value(of: key)
  }

  /// Any field's value, looked up now (for table columns the filter does not read).
  func lookup(_ binding: FieldBinding) -> FieldValue {
    ProcessFields.lookup(binding, process) ?? packet.lookup(binding)
  }

  /// The packet seen as one Tracee event of `kind` (`--events`).
  func viewed(as kind: String) -> LiveEvent { LiveEvent(packet: packet.viewed(as: kind), process: process) }

  /// The event with its application payload decoded (for output), without decoding the headers
  /// again.
  func decodingApplication() -> LiveEvent {
    LiveEvent(packet: packet.decodingApplication(), process: process)
  }

  /// Tracee's JSON shape, with the process fields filled in.
  func traceeJSON(hostName: String) -> JSONValue {
    packet.traceeJSON(hostName: hostName, process: ProcessFields.tracee(process))
  }

  /// The same as one line of UTF-8 JSON text, written without building the tree (the output path).
  func traceeJSONText(hostName: String) -> [UInt8] {
    packet.traceeJSONText(hostName: hostName, process: ProcessFields.tracee(process))
  }
}
