import NetFilterEval
import NetFilterLowering
import NetFilterSema
import NetFilterSyntax

/// The kernel plan run in user space over events that never met the kernel (a capture file, JSON
/// lines, a REPL sample): how many of them the plan would let through to user space. `--stats`
/// reports it as the `kernel` object with `"modelled": true`.
///
/// The model reads the event's own fields (what the kernel program reads), and takes a field it
/// cannot give the kernel's value exactly for as unknown, so that it passes a superset of what the
/// program would: never fewer events than the filter matches.
public struct KernelModel<E: Event>: Sendable {
  private let plan: KernelPlan
  /// The fields the kernel program reads, resolved once for `E`.
  private let readers = KernelFields.bindings.map(FieldReader<E>.init)
  /// Events seen and passed so far.
  public private(set) var counters = KernelCounters(seen: 0, passed: 0, modelled: true)

  /// A model of `plan` over events of type `E`.
  public init(_ plan: KernelPlan) { self.plan = plan }

  /// Counts `event`; whether the plan passes it.
  @discardableResult
  public mutating func observe(_ event: E) -> Bool {
    counters.seen += 1
    guard passes(event) else { return false }
    counters.passed += 1
    return true
  }

  /// Whether the plan passes `event`, without counting it.
  public func passes(_ event: E) -> Bool { plan.evaluate(view(of: event)) != 0 }

  /// The kernel's view of `event`.
  func view(of event: E) -> KernelView {
    func read(_ index: Int) -> FieldValue { readers[index].read(event) }
    var view = KernelView()
    view.sourcePort = integer(read(0))
    view.destinationPort = integer(read(1))
    view.sourceAddress = address(read(2))
    view.destinationAddress = address(read(3))
    if case .string(let proto) = read(4) {
      view.l4Protocol = KernelFields.protocolNumbers[proto].map { .value($0) } ?? .unknown
    }
    if case .string(let direction) = read(5) {
      view.direction = direction == "ingress" ? .value(1) : direction == "egress" ? .value(2) : .unknown
    }
    if case .string(let name) = read(6) { view.eventKind = .value(KernelEventKind(eventName: name)) }
    view.pid = integer(read(7))
    view.tid = integer(read(8))
    switch read(9) {
    case .string(let comm): view.comm = comm.utf8.count <= 15 ? .value(comm) : .unknown
    case .missing: view.comm = .missing
    default: view.comm = .unknown
    }
    view.cgroupID = integer(read(10))
    return view
  }

  private func integer<T: FixedWidthInteger>(_ value: FieldValue) -> KernelValue<T> {
    switch value {
    case .uint(let v): T(exactly: v).map { .value($0) } ?? .unknown
    case .int(let v): T(exactly: v).map { .value($0) } ?? .unknown
    case .missing: .missing
    default: .unknown
    }
  }

  private func address(_ value: FieldValue) -> KernelValue<IPAddress> {
    switch value {
    case .ip(let ip): .value(ip)
    case .missing: .missing
    default: .unknown
    }
  }
}

/// What the kernel program reads of an event, in the order ``KernelModel`` reads it.
private enum KernelFields {
  static let bindings: [FieldBinding] = [
    "net.sport", "net.dport", "net.sip", "net.dip", "net.l4.proto", "net.direction", "evt.name", "ps.pid", "ps.tid",
    "ps.name", "ps.cgroup.id",
  ].map { name in FieldBinding(Schema.network.field(named: name)!) }

  static let protocolNumbers: [String: UInt8] = ["TCP": 6, "UDP": 17, "ICMP": 1, "ICMPv6": 58]
}
