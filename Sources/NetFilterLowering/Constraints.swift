import NetFilterSema

/// A set of 16-bit ports: sorted, disjoint, non-adjacent ranges.
struct PortSet: Hashable, Sendable {
  private(set) var ranges: [ClosedRange<UInt16>]

  /// The union of `ranges` (in any order, overlapping or not).
  init(_ ranges: [ClosedRange<UInt16>]) {
    var merged: [ClosedRange<UInt16>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = merged.last, Int(range.lowerBound) <= Int(last.upperBound) + 1 {
        merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        merged.append(range)
      }
    }
    self.ranges = merged
  }

  static let all = PortSet([0...UInt16.max])

  var complement: PortSet {
    var gaps: [ClosedRange<UInt16>] = []
    var next = 0
    for range in ranges {
      if Int(range.lowerBound) > next { gaps.append(UInt16(next)...range.lowerBound - 1) }
      next = Int(range.upperBound) + 1
    }
    if next <= Int(UInt16.max) { gaps.append(UInt16(next)...UInt16.max) }
    return PortSet(gaps)
  }

  func union(_ other: PortSet) -> PortSet { PortSet(ranges + other.ranges) }
  func intersection(_ other: PortSet) -> PortSet { complement.union(other.complement).complement }
  /// Whether `port` is in the set (a binary search).
  func contains(_ port: UInt16) -> Bool {
    var (low, high) = (0, ranges.count)
    while low < high {
      let middle = (low + high) / 2
      if ranges[middle].upperBound < port { low = middle + 1 } else { high = middle }
    }
    return low < ranges.count && ranges[low].contains(port)
  }
  var isEmpty: Bool { ranges.isEmpty }
}

/// A set of values of a hash-looked-up field: the listed values, or everything but them.
struct ExactSet<Value: Hashable & Sendable>: Hashable, Sendable {
  /// The listed values.
  var values: Set<Value>
  /// Whether the set is every value except ``values``.
  var complemented: Bool

  var complement: ExactSet { ExactSet(values: values, complemented: !complemented) }

  func intersection(_ other: ExactSet) -> ExactSet {
    switch (complemented, other.complemented) {
    case (false, false): ExactSet(values: values.intersection(other.values), complemented: false)
    case (false, true): ExactSet(values: values.subtracting(other.values), complemented: false)
    case (true, false): ExactSet(values: other.values.subtracting(values), complemented: false)
    case (true, true): ExactSet(values: values.union(other.values), complemented: true)
    }
  }

  func union(_ other: ExactSet) -> ExactSet { complement.intersection(other.complement).complement }
  func contains(_ value: Value) -> Bool { values.contains(value) != complemented }
  var isEmpty: Bool { !complemented && values.isEmpty }
}

/// The values of one kernel field a clause accepts, in the representation its table needs.
enum ValueSet: Hashable, Sendable {
  case ports(PortSet)
  /// pid, tid, cgroup id, IP protocol, direction, event kind.
  case numbers(ExactSet<UInt64>)
  /// comm.
  case strings(ExactSet<String>)
  case addresses(PrefixSet)

  var complement: ValueSet {
    switch self {
    case .ports(let set): .ports(set.complement)
    case .numbers(let set): .numbers(set.complement)
    case .strings(let set): .strings(set.complement)
    case .addresses(let set): .addresses(set.complement)
    }
  }

  /// The values in both sets (both must be of the same field).
  func intersection(_ other: ValueSet) -> ValueSet {
    switch (self, other) {
    case (.ports(let a), .ports(let b)): .ports(a.intersection(b))
    case (.numbers(let a), .numbers(let b)): .numbers(a.intersection(b))
    case (.strings(let a), .strings(let b)): .strings(a.intersection(b))
    case (.addresses(let a), .addresses(let b)): .addresses(a.intersection(b))
    default: preconditionFailure("constraints of different fields")
    }
  }

  /// The values in either set (both must be of the same field).
  func union(_ other: ValueSet) -> ValueSet { complement.intersection(other.complement).complement }

  var isEmpty: Bool {
    switch self {
    case .ports(let set): set.isEmpty
    case .numbers(let set): set.isEmpty
    case .strings(let set): set.isEmpty
    case .addresses(let set): set.isEmpty
    }
  }

  /// Whether every value is in the set: its complement is empty (for addresses, conservatively).
  var isFull: Bool { complement.isEmpty }
}

/// What one clause demands of one kernel field: a value in ``values``, or, for an event without the
/// field, ``acceptsMissing``.
struct FieldConstraint: Hashable, Sendable {
  var values: ValueSet
  var acceptsMissing: Bool

  /// `field ∈ values`: an event without the field fails it.
  static func positive(_ values: ValueSet) -> FieldConstraint {
    FieldConstraint(values: values, acceptsMissing: false)
  }

  /// The negation of a constraint (a missing field fails the positive test, so passes its negation).
  var negated: FieldConstraint { FieldConstraint(values: values.complement, acceptsMissing: !acceptsMissing) }

  func intersection(_ other: FieldConstraint) -> FieldConstraint {
    FieldConstraint(
      values: values.intersection(other.values),
      acceptsMissing: acceptsMissing && other.acceptsMissing
    )
  }

  func union(_ other: FieldConstraint) -> FieldConstraint {
    FieldConstraint(values: values.union(other.values), acceptsMissing: acceptsMissing || other.acceptsMissing)
  }

  /// Whether no event can satisfy it.
  var isUnsatisfiable: Bool { values.isEmpty && !acceptsMissing }
  /// Whether every event satisfies it (then it constrains nothing).
  var isTrivial: Bool { values.isFull && acceptsMissing }
}
