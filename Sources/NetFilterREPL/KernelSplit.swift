import NetFilter

/// What the kernel plan of a filter would decide on a sample: how many events it passes to user
/// space, and how many of those the whole filter matches. The plan passes a superset of the
/// matches, so ``passed`` is never below ``matched``.
public struct KernelSplit: Sendable, Equatable {
  /// Events in the sample.
  public var total: Int
  /// Events the kernel plan lets through.
  public var passed: Int
  /// Events the whole filter matches.
  public var matched: Int
  /// Whether the plan decides the whole filter (no residue for user space).
  public var exact: Bool

  /// The split of `filter` over `sample`, given the indices it matched.
  public static func of(_ filter: Filter, over sample: Sample, matched: [Int]) -> KernelSplit {
    let plan = filter.kernelPlan
    let passed = sample.events.count(where: { plan.evaluate(KernelViews.view(of: $0)) != 0 })
    return KernelSplit(
      total: sample.events.count,
      passed: passed,
      matched: matched.count,
      exact: plan.isExact(filter: 0)
    )
  }

  /// One line: `kernel plan passes P of M events (x%); the filter matches N, P-N re-checked in user space`.
  public var summary: String {
    let share = total == 0 ? 0 : Double(passed) * 100 / Double(total)
    let percent = String(format: "%.1f%%", share)
    let rest = exact ? "the kernel decides it alone" : "\(passed - matched) dropped in user space"
    return "kernel plan passes \(passed) of \(total) events (\(percent)); the filter matches \(matched); \(rest)"
  }
}

/// The kernel's view of an event, built from the event's own fields (what the kernel program
/// reads), with `.unknown` wherever a field's name does not give the kernel's value exactly, so
/// that the model stays a superset.
enum KernelViews {
  private static let bindings: [String: FieldBinding] = Dictionary(
    uniqueKeysWithValues: [
      "net.sport", "net.dport", "net.sip", "net.dip", "net.l4.proto", "net.direction", "evt.name", "ps.pid",
      "ps.tid", "ps.name", "ps.cgroup.id",
    ].compactMap { name in Schema.network.field(named: name).map { (name, FieldBinding($0)) } }
  )

  static func view<E: OutputEvent>(of event: E) -> KernelView {
    func read(_ name: String) -> FieldValue { bindings[name].map { event.lookup($0) } ?? .missing }
    var view = KernelView()
    view.sourcePort = port(read("net.sport"))
    view.destinationPort = port(read("net.dport"))
    view.sourceAddress = address(read("net.sip"))
    view.destinationAddress = address(read("net.dip"))
    if case .string(let proto) = read("net.l4.proto") {
      let numbers: [String: UInt8] = ["TCP": 6, "UDP": 17, "ICMP": 1, "ICMPv6": 58]
      view.l4Protocol = numbers[proto].map { .value($0) } ?? .unknown
    }
    if case .string(let direction) = read("net.direction") {
      view.direction = direction == "ingress" ? .value(1) : direction == "egress" ? .value(2) : .unknown
    }
    if case .string(let name) = read("evt.name") { view.eventKind = .value(KernelEventKind(eventName: name)) }
    view.pid = integer(read("ps.pid"))
    view.tid = integer(read("ps.tid"))
    view.cgroupID = integer(read("ps.cgroup.id"))
    switch read("ps.name") {
    case .string(let comm): view.comm = comm.utf8.count <= 15 ? .value(comm) : .unknown
    case .missing: view.comm = .missing
    default: view.comm = .unknown
    }
    return view
  }

  private static func port(_ value: FieldValue) -> KernelValue<UInt16> {
    switch value {
    case .uint(let v): UInt16(exactly: v).map { .value($0) } ?? .unknown
    case .missing: .missing
    default: .unknown
    }
  }

  private static func integer<T: FixedWidthInteger>(_ value: FieldValue) -> KernelValue<T> {
    switch value {
    case .uint(let v): T(exactly: v).map { .value($0) } ?? .unknown
    case .int(let v): T(exactly: v).map { .value($0) } ?? .unknown
    case .missing: .missing
    default: .unknown
    }
  }

  private static func address(_ value: FieldValue) -> KernelValue<IPAddress> {
    switch value {
    case .ip(let ip): .value(ip)
    case .missing: .missing
    default: .unknown
    }
  }
}
