import NetFilter
import NetFilterTestSupport

/// An event as a plain map of field names to values.
struct ModelEvent: Event, CustomStringConvertible {
  var fields: [String: FieldValue] = [:]

  func value(of key: FieldKey) -> FieldValue { fields[key.binding.description] ?? .missing }

  var description: String {
    fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")
  }
}

/// Pools the events and the filters draw from, so that filters often meet matching values.
enum Pools {
  static let ports: [UInt16] = [0, 22, 23, 53, 80, 443, 1023, 1024, 1025, 5353, 8000, 8080, 8999, 65535]
  static let v4 = ["10.0.0.1", "10.1.2.3", "10.1.9.9", "192.168.1.10", "8.8.8.8", "1.1.1.1", "172.16.0.5"]
  static let v6 = ["fd00::1", "fd12::5", "2001:db8::5", "::1", "fe80::1", "::ffff:10.1.2.3", "::ffff:8.8.8.8"]
  static let cidrs = [
    "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "8.8.8.8/32", "192.168.0.0/16", "0.0.0.0/0", "fd00::/8",
    "2001:db8::/32", "::/0", "::ffff:0:0/96", "::ffff:10.0.0.0/104", "::/1", "fe80::/10",
  ]
  static let pids: [UInt32] = [1, 2, 7, 100, 101, 999, 1000, 4242]
  static let comms = ["curl", "nginx", "dig", "systemd-resolve", "averyveryverylo", "x", ""]
  static let cgroups: [UInt64] = [1, 77, 9000]
  static let exes = ["/usr/bin/curl", "/usr/sbin/nginx", "/usr/bin/dig"]
  static let dnsNames = ["example.com.", "a.", "b.example."]
  static let socketNames = ["Connect", "Accept", "Send", "Recv", "Disconnect", "Reconnect", "Retransmit"]
  static let eventNames = socketNames + EventNames.packet + ["QueryDns", "ReplyDns"]
}

/// One random event, both as the fields user space evaluates and as the kernel's view of it.
struct World: CustomStringConvertible {
  var event = ModelEvent()
  var view = KernelView()
  /// Whether any kernel field is unknown (then the plan need not be exact).
  var hasUnknowns = false

  var description: String { "\(event)\n  view: \(view)" }

  static func random(using rng: inout SplitMix64) -> World {
    var world = World()
    world.process(using: &rng)
    if Bool.random(using: &rng) { world.socketEvent(using: &rng) } else { world.packetEvent(using: &rng) }
    world.set("ps.exe", .string(Pools.exes.randomElement(using: &rng)!), when: Bool.random(using: &rng))
    world.set("net.size", .uint(UInt64.random(in: 0...1500, using: &rng)), when: true)
    world.hideSomeValues(using: &rng)
    return world
  }

  mutating func set(_ field: String, _ value: FieldValue, when condition: Bool = true) {
    if condition { event.fields[field] = value }
  }

  private mutating func process(using rng: inout SplitMix64) {
    guard Int.random(in: 0..<8, using: &rng) != 0 else {
      (view.pid, view.tid, view.comm, view.cgroupID) = (.missing, .missing, .missing, .missing)
      return
    }
    let pid = Pools.pids.randomElement(using: &rng)!
    let tid = Bool.random(using: &rng) ? pid : pid + 1
    let comm = Pools.comms.randomElement(using: &rng)!
    let cgroup = Pools.cgroups.randomElement(using: &rng)!
    for name in ["ps.pid", "evt.pid"] { set(name, .uint(UInt64(pid))) }
    for name in ["ps.tid", "evt.tid"] { set(name, .uint(UInt64(tid))) }
    set("ps.name", .string(comm))
    set("ps.cgroup.id", .uint(cgroup))
    set("ps.uid", .uint(UInt64.random(in: 0...1, using: &rng)))
    (view.pid, view.tid, view.comm, view.cgroupID) = (.value(pid), .value(tid), .value(comm), .value(cgroup))
  }

  static func address(using rng: inout SplitMix64, v6: Bool) -> IPAddress {
    switch Int.random(in: 0..<6, using: &rng) {
    case 0:
      return v6
        ? IPAddress(v6High: rng.next(), low: rng.next()) : IPAddress(v4: UInt32.random(in: 0...UInt32.max, using: &rng))
    default: return IPAddress((v6 ? Pools.v6 : Pools.v4).randomElement(using: &rng)!)!
    }
  }

  static func port(using rng: inout SplitMix64) -> UInt16 {
    Int.random(in: 0..<4, using: &rng) == 0
      ? UInt16.random(in: 0...UInt16.max, using: &rng) : Pools.ports.randomElement(using: &rng)!
  }

  /// Random source and destination addresses, set as `net.sip`/`net.dip` and in the kernel's view.
  mutating func addresses(v6: Bool, using rng: inout SplitMix64) -> (IPAddress, IPAddress) {
    let (source, destination) = (Self.address(using: &rng, v6: v6), Self.address(using: &rng, v6: v6))
    set("net.sip", .ip(source))
    set("net.dip", .ip(destination))
    (view.sourceAddress, view.destinationAddress) = (.value(source), .value(destination))
    return (source, destination)
  }

  /// Random source and destination ports, set as `net.sport`/`net.dport` and in the kernel's view.
  mutating func ports(using rng: inout SplitMix64) -> (UInt16, UInt16) {
    let (source, destination) = (Self.port(using: &rng), Self.port(using: &rng))
    set("net.sport", .uint(UInt64(source)))
    set("net.dport", .uint(UInt64(destination)))
    (view.sourcePort, view.destinationPort) = (.value(source), .value(destination))
    return (source, destination)
  }

  private mutating func socketEvent(using rng: inout SplitMix64) {
    let name = Pools.socketNames.randomElement(using: &rng)!
    set("evt.name", .string(name))
    set("evt.kinds", .strings([name]), when: Bool.random(using: &rng))
    view.eventKind = .value(KernelEventKind(eventName: name))
    _ = addresses(v6: Bool.random(using: &rng), using: &rng)
    _ = ports(using: &rng)
    let tcp = name != "Send" && name != "Recv" || Bool.random(using: &rng)
    set("net.l4.proto", .string(tcp ? "TCP" : "UDP"))
    view.l4Protocol = .value(tcp ? 6 : 17)
    view.direction = .missing
  }

  private mutating func hideSomeValues(using rng: inout SplitMix64) {
    func hide<V>(_ value: inout KernelValue<V>) {
      if Int.random(in: 0..<12, using: &rng) == 0 {
        value = .unknown
        hasUnknowns = true
      }
    }
    hide(&view.sourcePort)
    hide(&view.destinationPort)
    hide(&view.sourceAddress)
    hide(&view.destinationAddress)
    hide(&view.l4Protocol)
    hide(&view.direction)
    hide(&view.eventKind)
    hide(&view.pid)
    hide(&view.tid)
    hide(&view.comm)
    hide(&view.cgroupID)
  }
}
