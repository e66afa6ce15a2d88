import NetFilterSema
import NetFilterSyntax

/// One comparison on a kernel field, as the constraints its two polarities put on the kernel's value.
struct LoweredLeaf: Hashable {
  var key: KernelKey
  /// What `lhs op rhs` demands of the kernel value (an over-approximation when not ``exact``).
  var positive: FieldConstraint
  /// What `not (lhs op rhs)` demands.
  var negative: FieldConstraint
  /// Whether both constraints hold exactly when the comparison (or its negation) does.
  var exact: Bool
  /// When the event has the field whenever the kernel has its value.
  var presence: Presence = .always
}

/// When an event has a kernel-visible field. The negation of a test is true on an event WITHOUT the
/// field, so a negative constraint is sound only where the field is present whenever the kernel sees
/// a value.
enum Presence: Hashable {
  /// Exactly when the kernel has a value (`net.dport`, `ps.pid`).
  case always
  /// On every event of this Tracee kind, and on no other (`net_packet_tcp.data.dst_port`).
  case onEvent(String)
  /// On some events of a kind only (arguments of application events, built from decoded payloads).
  case sometimes
}

/// Why a comparison is not lowered, or its lowering.
enum LeafOutcome {
  case lowered(LoweredLeaf)
  case notLowered(String)
}

/// Lowers single comparisons, with the evaluator's semantics (NetFilterEval's `Matchers`): a missing
/// field fails every test, IPv4-mapped addresses count as IPv4, IPv6 prefixes never match IPv4.
enum LeafLowering {
  /// The comm the kernel keeps is at most this many bytes.
  static let commLength = 15
  /// Ranges of pids, tids and cgroup ids are expanded into hash entries up to this many values.
  static let maxExpandedValues = 1024
  /// Tracee events whose kernel-visible arguments are present on every event of that kind (the
  /// packet-layer events; the application events build theirs from decoded payloads).
  static let layerEvents: Set<String> = [
    "net_packet_ipv4", "net_packet_ipv6", "net_packet_tcp", "net_packet_udp", "net_packet_icmp",
    "net_packet_icmpv6", "net_packet_dns", "net_packet_http",
  ]

  static func lower(_ comparison: Comparison) -> LeafOutcome {
    guard case .field(let binding) = comparison.lhs else {
      return .notLowered("the left side is not a field the kernel sees")
    }
    let descriptor = binding.descriptor
    guard let key = descriptor.kernel, !descriptor.isMulti, binding.argument == nil else {
      return .notLowered("'\(descriptor.name)' is not visible to the kernel")
    }
    switch comparison.rhs {
    case .value, .list: break
    default: return .notLowered("the right side is not a constant")
    }
    let outcome: LeafOutcome
    switch key {
    case .eventKind: return EventKinds.lower(comparison)
    case .sourcePort, .destinationPort: outcome = ports(key, comparison)
    case .sourceAddress, .destinationAddress: outcome = addresses(key, comparison)
    case .comm: outcome = comm(comparison)
    case .l4Protocol, .direction, .pid, .tid, .cgroupID: outcome = numbers(key, descriptor.type, comparison)
    }
    guard case .lowered(var leaf) = outcome, descriptor.name.hasPrefix("net_packet_") else { return outcome }
    let owner = String(descriptor.name.prefix { $0 != "." })
    leaf.exact = false
    leaf.presence = layerEvents.contains(owner) ? .onEvent(owner) : .sometimes
    return .lowered(leaf)
  }

  /// The right side as list items (a single constant is a one-item list); `nil` if not constant.
  private static func constantItems(_ comparison: Comparison) -> [ListItem]? {
    switch comparison.rhs {
    case .value(let value): [.value(value)]
    case .list(let list): list
    default: nil
    }
  }

  private static func leaf(_ key: KernelKey, _ values: ValueSet) -> LeafOutcome {
    let positive = FieldConstraint.positive(values)
    return .lowered(LoweredLeaf(key: key, positive: positive, negative: positive.negated, exact: true))
  }

  // MARK: Numbers

  /// The integer ranges `lhs op rhs` accepts, clamped to `0...maximum`; `nil` if the operator or a
  /// constant is not one the kernel can test.
  static func integerRanges(_ comparison: Comparison, maximum: UInt64) -> [ClosedRange<UInt64>]? {
    let op = comparison.op
    guard var items = constantItems(comparison) else { return nil }
    if op != .in { items = items.filter { if case .value = $0 { true } else { false } } }
    var ranges: [ClosedRange<UInt64>] = []
    for item in items {
      switch (op, item) {
      case (.equal, .value(.uint(let c))), (.in, .value(.uint(let c))):
        if c <= maximum { ranges.append(c...c) }
      case (.in, .range(.uint(let low), .uint(let high))):
        if low <= high, low <= maximum { ranges.append(low...min(high, maximum)) }
      case (.less, .value(.uint(let c))): if c > 0 { ranges.append(0...min(c - 1, maximum)) }
      case (.lessEqual, .value(.uint(let c))): ranges.append(0...min(c, maximum))
      case (.greater, .value(.uint(let c))): if c < maximum { ranges.append(c + 1...maximum) }
      case (.greaterEqual, .value(.uint(let c))): if c <= maximum { ranges.append(c...maximum) }
      default: return nil
      }
    }
    return ranges
  }

  private static func ports(_ key: KernelKey, _ comparison: Comparison) -> LeafOutcome {
    guard let ranges = integerRanges(comparison, maximum: UInt64(UInt16.max)) else {
      return .notLowered(unsupported(comparison))
    }
    return leaf(key, .ports(PortSet(ranges.map { UInt16($0.lowerBound)...UInt16($0.upperBound) })))
  }

  private static func numbers(_ key: KernelKey, _ type: ValueType, _ comparison: Comparison) -> LeafOutcome {
    if type == .string { return names(key, comparison) }
    let maximum: UInt64 =
      switch key {
      case .l4Protocol, .direction: UInt64(UInt8.max)
      case .pid, .tid: UInt64(UInt32.max)
      default: UInt64.max
      }
    guard let ranges = integerRanges(comparison, maximum: min(maximum, type.maximum ?? maximum)) else {
      return .notLowered(unsupported(comparison))
    }
    var values = Set<UInt64>()
    for range in ranges {
      guard range.upperBound - range.lowerBound < UInt64(maxExpandedValues - values.count) else {
        return .notLowered("the range is too wide for the kernel's hash map (over \(maxExpandedValues) values)")
      }
      values.formUnion(range)
    }
    return leaf(key, .numbers(ExactSet(values: values, complemented: false)))
  }

  /// `net.l4.proto` and `net.direction`: names of small numbers.
  private static func names(_ key: KernelKey, _ comparison: Comparison) -> LeafOutcome {
    let numbers: [(String, UInt64)] =
      key == .l4Protocol ? [("TCP", 6), ("UDP", 17), ("ICMP", 1), ("ICMPv6", 58)] : [("ingress", 1), ("egress", 2)]
    guard let texts = strings(comparison) else { return .notLowered(unsupported(comparison)) }
    let folded = comparison.op.info.caseInsensitive
    var values = Set<UInt64>()
    for (name, number) in numbers
    where texts.contains(where: { folded ? $0.lowercased() == name.lowercased() : $0 == name }) {
      values.insert(number)
    }
    return leaf(key, .numbers(ExactSet(values: values, complemented: false)))
  }

  /// The strings of `=`, `~=`, `in` and `iin` comparisons; `nil` for other operators.
  static func strings(_ comparison: Comparison) -> [String]? {
    guard [.equal, .iequal, .in, .iin].contains(comparison.op) else { return nil }
    guard let items = constantItems(comparison) else { return nil }
    var texts: [String] = []
    for item in items {
      switch item {
      case .value(.string(let text)): texts.append(text)
      case .value(.pattern(let pattern)): texts.append(pattern.value)
      default: return nil
      }
    }
    return texts
  }

  // MARK: Addresses

  private static func addresses(_ key: KernelKey, _ comparison: Comparison) -> LeafOutcome {
    var items: [ListItem]
    switch (comparison.op, comparison.rhs) {
    case (.equal, .value(let value)), (.in, .value(let value)): items = [.value(value)]
    case (.in, .list(let list)): items = list
    case (.equal, .list(let list)): items = list.filter { if case .value = $0 { true } else { false } }
    default: return .notLowered(unsupported(comparison))
    }
    var v4: [Prefix128] = []
    var v6: [Prefix128] = []
    for item in items {
      let (family, prefixes): (IPAddress.Family, [Prefix128])
      switch item {
      case .value(.ip(let address)):
        let unmapped = address.unmappedV4 ?? address
        (family, prefixes) = (unmapped.family, [Prefix128(unmapped)])
      case .value(.cidr(let cidr)): (family, prefixes) = (cidr.address.family, [Prefix128(cidr)])
      case .range(.ip(let low), .ip(let high)) where low.family == high.family:
        (family, prefixes) = (low.family, Prefix128.covering(Prefix128(low).bits, Prefix128(high).bits))
      default: return .notLowered(unsupported(comparison))
      }
      if family == .v4 { v4 += prefixes } else { v6 += prefixes }
    }
    return leaf(key, .addresses(.union(v4: v4, v6: v6)))
  }

  // MARK: comm

  private static func comm(_ comparison: Comparison) -> LeafOutcome {
    guard comparison.op == .equal || comparison.op == .in, let texts = strings(comparison) else {
      return .notLowered(unsupported(comparison) + " (the kernel compares comm bytes exactly)")
    }
    // ps.name is the kernel's comm: a longer name, or one with a NUL, never equals it.
    let values = texts.filter { $0.utf8.count <= commLength && !$0.utf8.contains(0) }
    return leaf(.comm, .strings(ExactSet(values: Set(values), complemented: false)))
  }

  /// Why an operator or constant is not lowered.
  static func unsupported(_ comparison: Comparison) -> String {
    "'\(comparison.op.spelling(negated: false))' with this right side is not lowered"
  }
}
