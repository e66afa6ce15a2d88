import NetFilterDecoders
import NetFilterEval
import NetFilterJSON
import NetFilterSema
import NetFilterSyntax

/// One packet as one event (Wireshark's model): named after its most specific kind and carrying
/// every layer's fields, so `net_packet_tcp.data.dst_port=80` holds for an HTTP request on port 80.
/// Packets from files have no process context: those fields are missing.
public struct PacketEvent: Event, Sendable {
  /// The packet's bytes as captured (from the link-layer header).
  public private(set) var bytes: [UInt8] = []
  /// The decoded headers.
  public private(set) var packet = DecodedPacket()
  /// Every kind the packet is.
  public private(set) var kind = PacketKind(network: .none, transport: .none, application: .none)
  /// The decoded application message, when the filter or the output needed it.
  public private(set) var application: ApplicationMessage?
  /// Whether the DNS or HTTP payload is damaged (``ApplicationMessage/isMalformed``), known
  /// whether or not the message was built: without it, the payload is checked in place.
  public private(set) var isApplicationMalformed = false
  /// With `--events`, the one kind this event stands for (Tracee's one-event-per-kind model).
  public private(set) var viewName: String?
  private var viewMask = UInt16.max
  /// The names of the packet's addresses, when the run looked them up (its filter or output reads
  /// `net.sip.names` or `net.dip.names`).
  public var names: AddressNames?

  /// Decodes `bytes`; `decodeApplication` parses DNS and HTTP payloads (only detection otherwise).
  /// `direction` is the capture's word on it when the link-layer header has none (live capture).
  public init(
    bytes: [UInt8],
    record: (timestamp: UInt64, originalLength: Int),
    linkType: Int32,
    decodeApplication: Bool,
    direction: DecodedPacket.Direction = .unknown
  ) {
    decode(bytes: bytes, record: record, linkType: linkType, decodeApplication: decodeApplication)
    setDirection(direction)
  }

  /// Sets the packet's direction, when `direction` knows it (the capture's word on it, for links
  /// whose header has none).
  public mutating func setDirection(_ direction: DecodedPacket.Direction) {
    if direction != .unknown { packet.direction = direction }
  }

  /// An empty event, to be filled by ``decode(bytes:record:linkType:decodeApplication:)``.
  public init() {}

  /// Decodes `bytes` into this event, replacing what it held; `decodeApplication` parses DNS and
  /// HTTP payloads.
  public mutating func decode(
    bytes: [UInt8],
    record: (timestamp: UInt64, originalLength: Int),
    linkType: Int32,
    decodeApplication: Bool
  ) {
    decode(bytes: bytes, record: record, linkType: linkType, payloads: decodeApplication ? .payload : [])
  }

  /// Decodes `bytes` into this event, replacing what it held, and the payloads `payloads` names
  /// (``FieldNeeds/dns``, ``FieldNeeds/http``): a rule set that reads DNS names does not pay for
  /// HTTP. Replay reuses one event for every packet: the headers are a few hundred bytes, and
  /// copying them costs more than decoding them.
  public mutating func decode(
    bytes: [UInt8],
    record: (timestamp: UInt64, originalLength: Int),
    linkType: Int32,
    payloads: FieldNeeds
  ) {
    self.bytes = bytes
    application = nil
    isApplicationMalformed = false
    names = nil
    viewName = nil
    viewMask = .max
    PacketDecoder.decode(bytes, linkType: linkType, record: record, into: &packet)
    let payload = ByteReader(bytes, start: packet.payloadOffset, end: packet.payloadOffset + packet.payloadLength)
    let detected = ApplicationDetector.detect(packet, payload)
    kind = PacketKind(network: packet.network, transport: packet.transport, application: detected)
    guard detected != .none else { return }
    let layer: FieldNeeds = detected.rawValue >= PacketKind.Application.http.rawValue ? .http : .dns
    if payloads.contains(layer) {
      application = ApplicationDetector.decode(detected, packet, payload)
      isApplicationMalformed = application?.isMalformed ?? false
    } else {
      isApplicationMalformed = ApplicationDetector.isMalformed(detected, packet, payload)
    }
  }

  /// The fields a packet answers: its headers (``PacketFieldTable``), and every Tracee argument
  /// path and `dns.*` field from its decoded payload.
  public static let fields = FieldProvider<PacketEvent>(
    PacketFieldTable.entries,
    fallback: PacketEvent.payloadAccessor
  )

  public static func accessor(for field: FieldBinding) -> FieldAccessor<PacketEvent>? {
    fields.accessor(for: field)
  }

  /// Drops the reference to the packet's bytes (so that the buffer they came from can be reused
  /// without a copy).
  public mutating func releaseBytes() { bytes = [] }

  /// A copy that owns its bytes (the event may then outlive the buffer it was decoded from).
  public func detached() -> PacketEvent {
    var own: [UInt8] = []
    own.reserveCapacity(bytes.count)
    own.append(contentsOf: bytes)
    var copy = self
    copy.bytes = own
    return copy
  }

  /// This event with its DNS or HTTP payload decoded (for output), without decoding the headers
  /// again.
  public func decodingApplication() -> PacketEvent {
    guard application == nil, kind.application != .none else { return self }
    var copy = self
    let payload = ByteReader(bytes, start: packet.payloadOffset, end: packet.payloadOffset + packet.payloadLength)
    copy.application = ApplicationDetector.decode(kind.application, packet, payload)
    return copy
  }

  /// Decodes the DNS or HTTP payload in place, when it was detected and is not decoded yet (a DNS
  /// reply the name cache learns from, though the filter does not read the payload).
  public mutating func decodeApplicationInPlace() {
    guard application == nil, kind.application != .none else { return }
    let payload = ByteReader(bytes, start: packet.payloadOffset, end: packet.payloadOffset + packet.payloadLength)
    application = ApplicationDetector.decode(kind.application, packet, payload)
  }

  /// Whether the packet is damaged: a truncated or malformed header, a DNS or HTTP payload that
  /// does not decode, or DNS with a malformed record (checked whether or not the filter reads the
  /// payload).
  public var isMalformed: Bool { packet.malformed != nil || isApplicationMalformed }

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

}
