import NetFilterEval
import NetFilterSema
import NetFilterSyntax

/// Tracee's argument trees for a packet (tracee-network.md §4.2), as JSON: what `--output json`
/// writes, and where fields deep in DNS and HTTP messages are read from. Each tree is written once,
/// against ``TraceeJSONSink``: straight to text for output, or to a `JSONValue` for lookups.
/// The process members of an event in Tracee's JSON shape (all zero or empty for packets read from
/// a file).
public struct TraceeProcess: Sendable {
  public var pid: UInt64 = 0
  public var tid: UInt64 = 0
  public var name = ""
  public var cgroupID: UInt64 = 0
  public var containerID = ""

  /// A process; every member defaults to zero or empty.
  public init(pid: UInt64 = 0, tid: UInt64 = 0, name: String = "", cgroupID: UInt64 = 0, containerID: String = "") {
    self.pid = pid
    self.tid = tid
    self.name = name
    self.cgroupID = cgroupID
    self.containerID = containerID
  }
}

extension PacketEvent {
  /// The whole event in Tracee's JSON shape, named after the packet's most specific kind.
  public func traceeJSON(hostName: String, process: TraceeProcess = TraceeProcess()) -> JSONValue {
    var sink = JSONTreeSink()
    writeEvent(hostName: hostName, process: process, to: &sink)
    return sink.result
  }

  /// The same event as compact JSON text (`traceeJSON(hostName:).serialized`), written without
  /// building the tree: the output path.
  public func traceeJSONText(hostName: String, process: TraceeProcess = TraceeProcess()) -> [UInt8] {
    var sink = JSONTextSink()
    writeEvent(hostName: hostName, process: process, to: &sink)
    return sink.finish()
  }

  /// Tracee's arguments of the event `name` for this packet (empty if it is not of that kind).
  public func traceeArguments(for name: String) -> [JSONValue] {
    var sink = JSONTreeSink()
    sink.beginArray()
    if let event = PacketEventName(name) { writeArguments(for: event, to: &sink) }
    sink.endArray()
    guard case .array(let arguments) = sink.result else { return [] }
    return arguments
  }

  /// A field the fast table does not cover: looked up in the argument tree of its event.
  func deepValue(_ binding: FieldBinding) -> FieldValue {
    let name = binding.descriptor.name
    if name.hasPrefix("dns.") { return dnsField(name) }
    let event = String(name.prefix { $0 != "." })
    guard has(PacketKind.bit(event)) else { return .missing }
    let json = JSONValue.object([("eventName", .string(event)), ("args", .array(traceeArguments(for: event)))])
    return JSONEvent.traceeField(binding, in: json)
  }

  private func writeEvent<S: TraceeJSONSink>(hostName: String, process: TraceeProcess, to sink: inout S) {
    let name = self.name
    let event = PacketEventName(name)
    sink.beginObject()
    sink.member("timestamp", number: packet.timestamp)
    sink.member("processId", number: process.pid)
    sink.member("threadId", number: process.tid)
    sink.member("processName", process.name)
    sink.member("hostName", hostName)
    sink.member("cgroupId", number: process.cgroupID)
    sink.member("containerId", process.containerID)
    sink.member("eventId", String(2000 + (event?.rawValue ?? 0)))
    sink.member("eventName", name)
    sink.member("argsNum", number: event.map(argumentCount) ?? 0)
    sink.key("args")
    sink.beginArray()
    if let event { writeArguments(for: event, to: &sink) }
    sink.endArray()
    sink.endObject()
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
  func writeArguments<S: TraceeJSONSink>(for event: PacketEventName, to sink: inout S) {
    guard has(event.bit) else { return }
    switch event {
    case .ipv4:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      argument("proto_ipv4", "trace.ProtoIPv4", to: &sink) { writeIPv4(to: &$0) }
    case .ipv6:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      argument("proto_ipv6", "trace.ProtoIPv6", to: &sink) { writeIPv6(to: &$0) }
    case .tcp:
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
      argument("proto_tcp", "trace.ProtoTCP", to: &sink) { writeTCP(to: &$0) }
    case .udp:
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
      argument("proto_udp", "trace.ProtoUDP", to: &sink) { writeUDP(to: &$0) }
    case .icmp:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      argument("proto_icmp", "trace.ProtoICMP", to: &sink) { writeICMP(to: &$0) }
    case .icmpv6:
      writeAddresses(to: &sink)
      writeMetadata(to: &sink)
      argument("proto_icmpv6", "trace.ProtoICMPv6", to: &sink) { writeICMPv6(to: &$0) }
    default:
      writeApplicationArguments(for: event, to: &sink)
    }
  }

  /// One argument: `{"name":…,"type":…,"value":…}`, the value written by `value`.
  func argument<S: TraceeJSONSink>(_ name: String, _ type: String, to sink: inout S, value: (inout S) -> Void) {
    sink.beginObject()
    sink.member("name", name)
    sink.member("type", type)
    sink.key("value")
    value(&sink)
    sink.endObject()
  }

  func writeAddresses<S: TraceeJSONSink>(to sink: inout S) {
    argument("src", "const char*", to: &sink) { $0.address(packet.source) }
    argument("dst", "const char*", to: &sink) { $0.address(packet.destination) }
  }

  func writePorts<S: TraceeJSONSink>(to sink: inout S) {
    argument("src_port", "u16", to: &sink) { $0.number(UInt64(packet.sourcePort)) }
    argument("dst_port", "u16", to: &sink) { $0.number(UInt64(packet.destinationPort)) }
  }

  func writeMetadata<S: TraceeJSONSink>(to sink: inout S) {
    argument("metadata", "trace.PacketMetadata", to: &sink) {
      $0.beginObject()
      $0.member("direction", number: packet.direction.rawValue)
      $0.endObject()
    }
  }

  /// Tracee's `PktMeta`, used by the request/response events.
  func writePacketMeta<S: TraceeJSONSink>(to sink: inout S) {
    argument("metadata", "trace.PktMeta", to: &sink) {
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

  private func writeIPv4<S: TraceeJSONSink>(to sink: inout S) {
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

  private func writeIPv6<S: TraceeJSONSink>(to sink: inout S) {
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

  private func writeTCP<S: TraceeJSONSink>(to sink: inout S) {
    let h = packet.tcp
    sink.beginObject()
    sink.member("srcPort", number: packet.sourcePort)
    sink.member("dstPort", number: packet.destinationPort)
    sink.member("seq", number: h.sequence)
    sink.member("ack", number: h.acknowledgment)
    sink.member("dataOffset", number: h.dataOffset)
    for (bit, name) in TCPFlags.staticNames.enumerated() { sink.member(name, number: h.flags >> UInt16(bit) & 1) }
    sink.member("window", number: h.window)
    sink.member("checksum", number: h.checksum)
    sink.member("urgent", number: h.urgent)
    sink.endObject()
  }

  private func writeUDP<S: TraceeJSONSink>(to sink: inout S) {
    sink.beginObject()
    sink.member("srcPort", number: packet.sourcePort)
    sink.member("dstPort", number: packet.destinationPort)
    sink.member("length", number: packet.udpLength)
    sink.member("checksum", number: packet.udpChecksum)
    sink.endObject()
  }

  private func writeICMP<S: TraceeJSONSink>(to sink: inout S) {
    sink.beginObject()
    sink.member("typeCode", ICMPNames.typeCode(packet.icmp.type, packet.icmp.code, v6: false))
    sink.member("checksum", number: packet.icmp.checksum)
    sink.member("id", number: packet.icmp.id)
    sink.member("seq", number: packet.icmp.sequence)
    sink.endObject()
  }

  private func writeICMPv6<S: TraceeJSONSink>(to sink: inout S) {
    sink.beginObject()
    sink.member("typeCode", ICMPNames.typeCode(packet.icmp.type, packet.icmp.code, v6: true))
    sink.member("checksum", number: packet.icmp.checksum)
    sink.endObject()
  }
}

/// The packet events, in ``PacketKind/allNames`` (Tracee id) order: names are resolved once per
/// written event, not compared as strings at every step.
enum PacketEventName: Int {
  case ipv4, ipv6, tcp, udp, icmp, icmpv6, dns, dnsRequest, dnsResponse, http, httpRequest, httpResponse

  init?(_ name: String) {
    guard let index = PacketKind.allNames.firstIndex(of: name) else { return nil }
    self.init(rawValue: index)
  }

  /// The event's bit in ``PacketKind/mask``.
  var bit: UInt16 { 1 << UInt16(rawValue) }
}
