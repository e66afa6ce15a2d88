import NetFilterDecoders
import NetFilterEval
import NetFilterJSON
import NetFilterSema
import NetFilterSyntax

/// Tracee's argument trees for a packet, written once against ``JSONTokenWriter``: straight to
/// text for output, to a `JSONValue` for callers that want the tree, or through a
/// ``JSONPathCollector`` to read one deep field.
extension PacketEvent {
  /// The whole event in Tracee's JSON shape, named after the packet's most specific kind.
  public func traceeJSON(hostName: String, process: TraceeProcess = TraceeProcess()) -> JSONValue {
    var sink = JSONTreeWriter()
    writeEvent(hostName: hostName, process: process, to: &sink)
    return sink.result
  }

  /// The same event as compact JSON text (`traceeJSON(hostName:).serialized`), written without
  /// building the tree: the output path.
  public func traceeJSONText(hostName: String, process: TraceeProcess = TraceeProcess()) -> [UInt8] {
    var sink = JSONTextWriter()
    writeEvent(hostName: hostName, process: process, to: &sink)
    return sink.finish()
  }

  /// How a field the header table does not cover is read: `dns.*` from the decoded message, and
  /// `EVENT.data.ARG.member…` by walking the arguments of EVENT as they are written (no tree is
  /// built). The path is split once, here, not per event.
  @Sendable static func payloadAccessor(_ binding: FieldBinding) -> FieldAccessor<PacketEvent>? {
    let name = binding.descriptor.name
    if name.hasPrefix("dns.") { return FieldAccessor(needs: .dns) { $0.dnsField(name) } }
    let parts = name.split(separator: ".", maxSplits: 2)
    guard parts.count == 3, parts[1] == "data", let event = PacketEventName(String(parts[0])) else {
      return FieldAccessor { _ in .missing }
    }
    let components = parts[2].split(separator: ".").map(String.init)
    let argument = components[0]
    let path = Array(components.dropFirst())
    let needs: FieldNeeds =
      event.rawValue >= PacketEventName.http.rawValue
      ? .http : event.rawValue >= PacketEventName.dns.rawValue ? .dns : []
    return FieldAccessor(needs: needs) { packet in
      guard packet.has(event.bit) else { return .missing }
      var collector = JSONPathCollector(argument: argument, path: path)
      packet.writeArguments(for: event, to: &collector)
      return JSONEvent.value(of: binding, found: collector.found)
    }
  }

  /// The event's Tracee header: its name, and `eventId` in Tracee's packet numbering.
  private func traceeHeader(_ event: PacketEventName?, hostName: String, process: TraceeProcess) -> TraceeHeader {
    TraceeHeader(
      timestamp: packet.timestamp,
      eventName: name,
      eventID: EventNames.firstPacketID + (event?.rawValue ?? 0),
      hostName: hostName,
      process: process,
      argumentCount: (event.map(argumentCount) ?? 0) + (names?.argumentCount ?? 0)
    )
  }

  private func writeEvent<S: JSONTokenWriter>(hostName: String, process: TraceeProcess, to sink: inout S) {
    let event = PacketEventName(name)
    let header = traceeHeader(event, hostName: hostName, process: process)
    header.open(&sink)
    if let event { writeArguments(for: event, to: &sink) }
    names?.write(source: "src_names", destination: "dst_names", to: &sink)
    header.close(&sink)
  }

  /// How many arguments ``writeArguments(for:to:)`` writes for `event`.
  func argumentCount(for event: PacketEventName) -> Int {
    guard has(event.bit) else { return 0 }
    switch event {
    case .ipv4, .ipv6, .icmp, .icmpv6: return 4
    case .tcp, .udp: return 6
    default: return applicationArgumentCount(for: event)
    }
  }

  /// Tracee's arguments of `event`, as the elements of an array (none if the packet is not of
  /// that kind).
  func writeArguments<S: JSONTokenWriter>(for event: PacketEventName, to sink: inout S) {
    guard has(event.bit) else { return }
    switch event {
    case .ipv4:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_ipv4", "trace.ProtoIPv4") { writeIPv4(to: &$0) }
    case .ipv6:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_ipv6", "trace.ProtoIPv6") { writeIPv6(to: &$0) }
    case .tcp:
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_tcp", "trace.ProtoTCP") { writeTCP(to: &$0) }
    case .udp:
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_udp", "trace.ProtoUDP") { writeUDP(to: &$0) }
    case .icmp:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_icmp", "trace.ProtoICMP") { writeICMP(to: &$0) }
    case .icmpv6:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_icmpv6", "trace.ProtoICMPv6") { writeICMPv6(to: &$0) }
    default:
      writeApplicationArguments(for: event, to: &sink)
    }
  }

  func writeAddresses<S: JSONTokenWriter>(to sink: inout S) {
    sink.argument("src", "const char*") { $0.address(packet.source) }
    sink.argument("dst", "const char*") { $0.address(packet.destination) }
  }

  func writePorts<S: JSONTokenWriter>(to sink: inout S) {
    sink.argument("src_port", "u16") { $0.number(UInt64(packet.sourcePort)) }
    sink.argument("dst_port", "u16") { $0.number(UInt64(packet.destinationPort)) }
  }

  func writeMetadata<S: JSONTokenWriter>(to sink: inout S) {
    sink.argument("metadata", "trace.PacketMetadata") {
      $0.beginObject()
      $0.member("direction", number: packet.direction.rawValue)
      $0.endObject()
    }
  }

  /// Tracee's `PktMeta`, used by the request/response events.
  func writePacketMeta<S: JSONTokenWriter>(to sink: inout S) {
    sink.argument("metadata", "trace.PktMeta") {
      $0.beginObject()
      $0.member("src_ip", address: packet.source)
      $0.member("dst_ip", address: packet.destination)
      $0.member("src_port", number: packet.sourcePort)
      $0.member("dst_port", number: packet.destinationPort)
      $0.member("protocol", number: packet.protocolNumber)
      $0.member(
        "packet_len",
        number: packet.network == .ipv4 ? Int(packet.ipv4.totalLength) : Int(packet.ipv6.payloadLength) + 40
      )
      $0.member("iface", "any")
      $0.endObject()
    }
  }

  private func writeIPv4<S: JSONTokenWriter>(to sink: inout S) {
    let h = packet.ipv4
    sink.beginObject()
    sink.member("version", number: 4)
    sink.member("IHL", number: h.ihl)
    sink.member("TOS", number: h.tos)
    sink.member("length", number: h.totalLength)
    sink.member("id", number: h.id)
    sink.member("flags", number: h.flags)
    sink.member("fragOffset", number: h.fragmentOffset)
    sink.member("TTL", number: h.ttl)
    sink.member("protocol", IPProtocolNames.name(packet.protocolNumber))
    sink.member("checksum", number: h.checksum)
    sink.member("srcIP", address: packet.source)
    sink.member("dstIP", address: packet.destination)
    sink.endObject()
  }

  private func writeIPv6<S: JSONTokenWriter>(to sink: inout S) {
    let h = packet.ipv6
    sink.beginObject()
    sink.member("version", number: 6)
    sink.member("trafficClass", number: h.trafficClass)
    sink.member("flowLabel", number: h.flowLabel)
    sink.member("length", number: h.payloadLength)
    sink.member("nextHeader", IPProtocolNames.name(h.nextHeader))
    sink.member("hopLimit", number: h.hopLimit)
    sink.member("srcIP", address: packet.source)
    sink.member("dstIP", address: packet.destination)
    sink.endObject()
  }

  /// A header cut by the end of a first fragment has its ports only.
  private func writeTCP<S: JSONTokenWriter>(to sink: inout S) {
    let h = packet.tcp
    sink.beginObject()
    sink.member("srcPort", number: packet.sourcePort)
    sink.member("dstPort", number: packet.destinationPort)
    if packet.isTransportHeaderCut { return sink.endObject() }
    sink.member("seq", number: h.sequence)
    sink.member("ack", number: h.acknowledgment)
    sink.member("dataOffset", number: h.dataOffset)
    for (bit, name) in TCPFlags.staticNames.enumerated() { sink.member(name, number: h.flags >> UInt16(bit) & 1) }
    sink.member("window", number: h.window)
    sink.member("checksum", number: h.checksum)
    sink.member("urgent", number: h.urgent)
    sink.endObject()
  }

  private func writeUDP<S: JSONTokenWriter>(to sink: inout S) {
    sink.beginObject()
    sink.member("srcPort", number: packet.sourcePort)
    sink.member("dstPort", number: packet.destinationPort)
    if packet.isTransportHeaderCut { return sink.endObject() }
    sink.member("length", number: packet.udpLength)
    sink.member("checksum", number: packet.udpChecksum)
    sink.endObject()
  }

  private func writeICMP<S: JSONTokenWriter>(to sink: inout S) {
    sink.beginObject()
    sink.member("typeCode", ICMPNames.typeCode(packet.icmp.type, packet.icmp.code, v6: false))
    sink.member("checksum", number: packet.icmp.checksum)
    sink.member("id", number: packet.icmp.id)
    sink.member("seq", number: packet.icmp.sequence)
    sink.endObject()
  }

  private func writeICMPv6<S: JSONTokenWriter>(to sink: inout S) {
    sink.beginObject()
    sink.member("typeCode", ICMPNames.typeCode(packet.icmp.type, packet.icmp.code, v6: true))
    sink.member("checksum", number: packet.icmp.checksum)
    sink.endObject()
  }
}

/// The packet events, in ``EventNames/packet`` (Tracee id) order: names are resolved once per
/// written event, not compared as strings at every step.
enum PacketEventName: Int {
  case ipv4, ipv6, tcp, udp, icmp, icmpv6, dns, dnsRequest, dnsResponse, http, httpRequest, httpResponse

  init?(_ name: String) {
    guard let index = EventNames.packet.firstIndex(of: name) else { return nil }
    self.init(rawValue: index)
  }

  /// The event's bit in ``PacketKind/mask``.
  var bit: UInt16 { 1 << UInt16(rawValue) }
}
