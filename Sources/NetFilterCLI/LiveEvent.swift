import NetFilter
import NetFilterBPF
import NetFilterPackets

/// A live packet: a ``PacketEvent`` plus the process that owns its socket (`ps.*`, `evt.pid`,
/// `evt.tid`), which packets from files do not have. Every other field is the packet's.
struct LiveEvent: Event {
  /// The decoded packet.
  let packet: PacketEvent
  /// The socket's owner, when the kernel saw it in process context.
  let owner: PacketOwner?

  /// Decodes `live` (from its IP header); the direction travels in a Linux cooked header.
  init(_ live: LivePacket, decodeApplication: Bool) {
    packet = PacketEvent(
      bytes: LiveEvent.cooked(live),
      record: (live.timestamp, live.originalLength),
      linkType: PacketDecoder.LinkType.linuxCooked.rawValue,
      decodeApplication: decodeApplication
    )
    owner = live.owner
  }

  private init(packet: PacketEvent, owner: PacketOwner?) {
    self.packet = packet
    self.owner = owner
  }

  /// `live`'s bytes behind a 16-byte Linux cooked (SLL) header: packet type 4 (outgoing) or 0
  /// (to this host), and the EtherType from the IP version.
  static func cooked(_ live: LivePacket) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 16)
    bytes.reserveCapacity(16 + live.bytes.count)
    bytes[1] = live.direction == .egress ? 4 : 0
    bytes[2] = 0xFF
    bytes[3] = 0xFE  // ARPHRD_NONE
    let version = live.bytes.first.map { $0 >> 4 } ?? 0
    bytes[14] = version == 6 ? 0x86 : 0x08
    bytes[15] = version == 6 ? 0xDD : 0x00
    bytes += live.bytes
    return bytes
  }

  static func resolve(_ field: FieldBinding) -> Int? {
    ProcessFields.resolve(field) ?? PacketEvent.resolve(field)
  }

  func value(of key: FieldKey) -> FieldValue {
    if ProcessFields.owns(key.resolved) { return ProcessFields.value(key.resolved!, owner) }
    return packet.value(of: key)
  }

  /// Any field's value, looked up now (for table columns the filter does not read).
  func lookup(_ binding: FieldBinding) -> FieldValue {
    ProcessFields.lookup(binding, owner) ?? packet.lookup(binding)
  }

  /// The event with its application payload decoded (for output).
  func decoded() -> LiveEvent {
    guard packet.application == nil else { return self }
    let full = PacketEvent(
      bytes: packet.bytes,
      record: (packet.packet.timestamp, packet.packet.originalLength),
      linkType: PacketDecoder.LinkType.linuxCooked.rawValue,
      decodeApplication: true
    )
    return LiveEvent(packet: full, owner: owner)
  }

  /// Tracee's JSON shape, with the process fields filled in.
  func traceeJSON(hostName: String) -> JSONValue {
    let json = packet.traceeJSON(hostName: hostName)
    guard let owner, case .object(let members) = json else { return json }
    return .object(
      members.map { member in
        switch member.key {
        case "processId": (member.key, .number(String(owner.pid)))
        case "threadId": (member.key, .number(String(owner.tid)))
        case "processName": (member.key, .string(owner.name))
        case "cgroupId": (member.key, .number(String(owner.cgroupID)))
        default: member
        }
      }
    )
  }
}
