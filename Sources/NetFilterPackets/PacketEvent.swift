import NetFilterEval
import NetFilterSema
import NetFilterSyntax

/// One packet as one event (Wireshark's model): named after its most specific kind and carrying
/// every layer's fields, so `net_packet_tcp.data.dst_port=80` holds for an HTTP request on port 80.
/// Packets from files have no process context: those fields are missing.
public struct PacketEvent: Event, Sendable {
  /// The packet's bytes as captured (from the link-layer header).
  public let bytes: [UInt8]
  /// The decoded headers.
  public let packet: DecodedPacket
  /// Every kind the packet is.
  public let kind: PacketKind
  /// The decoded application message, when the filter or the output needed it.
  public let application: ApplicationMessage?
  /// With `--events`, the one kind this event stands for (Tracee's one-event-per-kind model).
  public private(set) var viewName: String?
  private var viewMask = UInt16.max

  /// Decodes `bytes`; `decodeApplication` parses DNS and HTTP payloads (only detection otherwise).
  public init(bytes: [UInt8], record: (timestamp: UInt64, originalLength: Int), linkType: Int32, decodeApplication: Bool) {
    var packet = DecodedPacket()
    packet.timestamp = record.timestamp
    packet.originalLength = record.originalLength
    PacketDecoder.decode(bytes, linkType: linkType, into: &packet)
    let payload = ByteReader(bytes, start: packet.payloadOffset, end: packet.payloadOffset + packet.payloadLength)
    let detected = ApplicationDetector.detect(packet, payload)
    self.bytes = bytes
    self.packet = packet
    self.kind = PacketKind(network: packet.network, transport: packet.transport, application: detected)
    self.application = decodeApplication ? ApplicationDetector.decode(detected, packet, payload) : nil
  }

  public static func resolve(_ field: FieldBinding) -> Int? {
    field.argument == nil ? PacketFieldTable.index[field.descriptor.name] : nil
  }

  public func value(of key: FieldKey) -> FieldValue {
    if let resolved = key.resolved { return PacketFieldTable.accessors[resolved](self) }
    return deepValue(key.binding)
  }

  /// Whether the packet has the layer of the Tracee event `name`.
  @inline(__always)
  func has(_ bit: UInt16) -> Bool { kind.mask & viewMask & bit != 0 }

  /// The event's name: its view's kind, or the packet's most specific kind.
  public var name: String { viewName ?? kind.name }

  /// The packet seen as one Tracee event of `kind` (which it must be): only that event's
  /// arguments are present, and `evt.name` is `kind`.
  public func viewed(as kind: String) -> PacketEvent {
    var copy = self
    copy.viewName = kind
    copy.viewMask = PacketKind.bit(kind)
    return copy
  }

  /// Any field's value, looked up now (for output columns the filter does not read).
  public func lookup(_ binding: FieldBinding) -> FieldValue {
    PacketEvent.resolve(binding).map { PacketFieldTable.accessors[$0](self) } ?? deepValue(binding)
  }
}
