import Foundation
import NetFilter
import NetFilterBPF
import NetFilterHost
import NetFilterPackets
import NetFilterRuntime

/// The corpus's flat JSON events rebuilt as the live event types (a socket event from its kernel
/// record, a DNS query packet with its owner and /proc process), for the cases whose filter reads
/// only fields the event line gives and the live type carries: there the live event must answer as
/// the JSON event does. Fields a line does not give are not compared (a live event always has them).
enum LiveEventConformance {
  /// The flat map of `line`, typed by the schema.
  struct FlatEvent {
    let json: JSONEvent

    init?(_ line: String) {
      guard let json = try? JSONEvent(line: line, keys: []), json.shape == .flat else { return nil }
      self.json = json
    }

    /// The field's value in the line, typed (missing if absent or of the wrong type).
    func value(_ name: String) -> FieldValue {
      Schema.network.fields[name].map { json.lookup(FieldBinding($0)) } ?? .missing
    }

    func uint(_ name: String) -> UInt64? { if case .uint(let v) = value(name) { v } else { nil } }
    func string(_ name: String) -> String? { if case .string(let v) = value(name) { v } else { nil } }
    func ip(_ name: String) -> IPAddress? { if case .ip(let v) = value(name) { v } else { nil } }

    /// Whether every field `fields` names is given by the line and in `carried`, and fields the
    /// live type stores once (`ps.pid` and `evt.pid`, …) agree.
    func gives(_ fields: [FieldBinding], carried: Set<String>) -> Bool {
      for field in fields {
        let name = field.descriptor.name
        guard field.argument == nil, carried.contains(name) else { return false }
        if name == "evt.kinds" ? value("evt.name") == .missing : value(name) == .missing { return false }
        // A live process has no empty command line: a kernel thread's is missing.
        if name == "ps.cmdline", value(name) == .string("") { return false }
      }
      let aliases = [("ps.pid", "evt.pid"), ("ps.tid", "evt.tid"), ("ps.ppid", "ps.parent.pid")]
      return aliases.allSatisfy { a, b in value(a) == .missing || value(b) == .missing || value(a) == value(b) }
        && (value("ps.args") == .missing || value("ps.cmdline") == .missing
          || value("ps.cmdline") == .string(processArgs.joined(separator: " ")))
    }

    var processArgs: [String] {
      switch value("ps.args") {
      case .strings(let args): args
      case .string(let arg): [arg]
      default: string("ps.cmdline").map { [$0] } ?? []
      }
    }

    /// The process the line describes: the kernel's owner record and /proc's view.
    var process: (owner: PacketOwner, host: HostProcess) {
      let pid = uint("ps.pid") ?? uint("evt.pid") ?? 0
      let ppid = uint("ps.ppid") ?? uint("ps.parent.pid") ?? 0
      let owner = PacketOwner(
        pid: UInt32(truncatingIfNeeded: pid),
        tid: UInt32(truncatingIfNeeded: uint("ps.tid") ?? uint("evt.tid") ?? pid),
        uid: UInt32(truncatingIfNeeded: uint("ps.uid") ?? 0),
        cgroupID: uint("ps.cgroup.id") ?? 0,
        name: string("ps.name") ?? "",
        ppid: UInt32(truncatingIfNeeded: ppid)
      )
      let host = HostProcess(
        pid: Int32(truncatingIfNeeded: pid),
        name: owner.name,
        exe: string("ps.exe"),
        args: processArgs,
        cwd: string("ps.cwd"),
        gid: uint("ps.gid").map { UInt32(truncatingIfNeeded: $0) },
        username: string("ps.username"),
        cgroupPath: string("ps.cgroup.path"),
        origin: .procfs
      )
      return (owner, host)
    }
  }

  /// The process fields a live event carries as the line gives them.
  static let processFields: Set<String> = [
    "ps.pid", "evt.pid", "ps.tid", "evt.tid", "ps.name", "ps.uid", "ps.cgroup.id", "ps.ppid", "ps.parent.pid",
    "ps.exe", "ps.cmdline", "ps.args", "ps.cwd", "ps.username", "ps.gid", "ps.cgroup.path",
  ]

  /// The fields a socket event carries as the line gives them.
  static let socketFields =
    processFields.union([
      "evt.name", "evt.kinds", "net.sip", "net.dip", "net.sport", "net.dport", "net.l4.proto", "net.size",
      "evt.time.ns",
    ])

  /// `line` as a socket event, if `fields` can be compared on one.
  static func socketEvent(_ line: String, reading fields: [FieldBinding]) -> SocketEvent? {
    guard let flat = FlatEvent(line), flat.gives(fields, carried: socketFields),
      let kind = LiveSocketEvent.Kind.allCases.first(where: { $0.name == flat.string("evt.name") })
    else { return nil }
    let proto: UInt8? =
      switch flat.string("net.l4.proto") {
      case nil, "TCP": 6
      case "UDP": 17
      default: nil
      }
    let hasSize = kind == .send || kind == .recv
    let time: UInt64? =
      switch flat.value("evt.time.ns") {
      case .missing: 0
      case .int(let nanoseconds) where nanoseconds >= 0: UInt64(nanoseconds)
      default: nil
      }
    guard let proto, let time, hasSize || !fields.contains(where: { $0.descriptor.name == "net.size" }) else {
      return nil
    }
    let remote = flat.ip("net.dip") ?? (flat.uint("net.dport") == nil ? nil : IPAddress(v4: 0))
    let process = flat.process
    var event = SocketEvent(
      LiveSocketEvent(
        kind: kind,
        timestamp: time,
        l4Protocol: proto,
        local: (
          reported(flat.ip("net.sip") ?? IPAddress(v4: 0)), UInt16(truncatingIfNeeded: flat.uint("net.sport") ?? 0)
        ),
        remote: remote.map { (reported($0), UInt16(truncatingIfNeeded: flat.uint("net.dport") ?? 0)) },
        size: UInt32(truncatingIfNeeded: flat.uint("net.size") ?? 0),
        owner: process.owner
      )
    )
    event.process.host = process.host
    return event
  }

  /// The fields a DNS query packet carries as the line gives them (its name is a packet's, not
  /// the line's: a query packet is `net_packet_dns_request` as well as `QueryDns`).
  static let queryFields = processFields.union(["dns.name", "dns.rr", "net.sip", "net.dip", "net.sport"])

  /// `line` (a `QueryDns` event) as a live DNS query packet, if `fields` can be compared on one.
  static func queryPacket(_ line: String, reading fields: [FieldBinding]) -> LivePacketEvent? {
    guard let flat = FlatEvent(line), flat.string("evt.name") == "QueryDns",
      flat.gives(fields, carried: queryFields),
      let type = ["A": 1, "AAAA": 28, "MX": 15, "TXT": 16, nil: 1][flat.string("dns.rr")]
    else { return nil }
    let source = flat.ip("net.sip") ?? IPAddress(v4: 0x0A00_0001)
    let destination = flat.ip("net.dip") ?? IPAddress(v4: 0x0A00_0002)
    guard source.family == .v4, destination.family == .v4 else { return nil }
    // A name whose labels a DNS message cannot hold (over 63 bytes) is no packet's.
    guard let dns = query(flat.string("dns.name") ?? "a.example", type: UInt16(type)) else { return nil }
    let sport = UInt16(truncatingIfNeeded: flat.uint("net.sport") ?? 40_000)
    let udp: [UInt8] = bigEndian(sport) + bigEndian(53) + bigEndian(UInt16(8 + dns.count)) + [0, 0] + dns
    let ip: [UInt8] =
      [0x45, 0] + bigEndian(UInt16(20 + udp.count)) + [0, 1, 0x40, 0, 64, 17, 0, 0]
      + bigEndian32(source.v4Value) + bigEndian32(destination.v4Value)
    let process = flat.process
    let live = LivePacket(
      timestamp: 1,
      direction: .egress,
      originalLength: ip.count + udp.count,
      owner: process.owner,
      bytes: ip + udp
    )
    var event = LivePacketEvent(live, decodeApplication: true)
    event.process.host = process.host
    return event
  }

  /// A DNS query message for `name` (labels as given, byte for byte), if its labels fit.
  static func query(_ name: String, type: UInt16) -> [UInt8]? {
    var message: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
    for label in name.split(separator: ".", omittingEmptySubsequences: true) {
      guard label.utf8.count <= 63 else { return nil }
      message += [UInt8(label.utf8.count)] + Array(label.utf8)
    }
    return message + [0] + bigEndian(type) + bigEndian(1)
  }

  /// An address as the kernel's record carries it: an IPv4-mapped one is the IPv4 address.
  private static func reported(_ ip: IPAddress) -> IPAddress { ip.unmappedV4 ?? ip }

  private static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
  private static func bigEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
  }
}
