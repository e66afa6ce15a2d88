import NetFilterSema
import NetFilterSyntax

/// Turns clauses into per-field tables. For each field, an entry's mask is the bits of the clauses
/// whose constraint accepts the value, OR-ed with the bits of the clauses that do not constrain the
/// field (which are also in `otherwise` and `missing`).
struct TableBuilding {
  let clauses: [Clause]

  /// The clauses constraining `key`, by bit.
  private func constraints(_ key: KernelKey) -> [(bit: UInt64, constraint: FieldConstraint)] {
    clauses.enumerated().compactMap { index, clause in clause.fields[key].map { (UInt64(1) << UInt64(index), $0) } }
  }

  private var all: UInt64 { clauses.isEmpty ? 0 : ~UInt64(0) >> UInt64(64 - clauses.count) }

  /// Bits of the clauses that do not constrain `key`, and of those accepting an event without it.
  private func fallbacks(_ constrained: [(bit: UInt64, constraint: FieldConstraint)]) -> (free: UInt64, missing: UInt64)
  {
    let free = constrained.reduce(all) { $0 & ~$1.bit }
    return (free, constrained.reduce(free) { $1.constraint.acceptsMissing ? $0 | $1.bit : $0 })
  }

  func ports(_ key: KernelKey) -> PortTable? {
    let constrained = constraints(key)
    guard !constrained.isEmpty else { return nil }
    let (free, missing) = fallbacks(constrained)
    let sets = constrained.map { bit, constraint in
      if case .ports(let set) = constraint.values { (bit, set) } else { (bit, PortSet.all) }
    }
    var cuts: Set<Int> = [0]
    for (_, set) in sets {
      for range in set.ranges {
        cuts.insert(Int(range.lowerBound))
        if range.upperBound < UInt16.max { cuts.insert(Int(range.upperBound) + 1) }
      }
    }
    let starts = cuts.sorted()
    var segments: [(ClosedRange<UInt16>, UInt64)] = []
    for (index, start) in starts.enumerated() {
      let end = index + 1 < starts.count ? starts[index + 1] - 1 : Int(UInt16.max)
      let mask = sets.reduce(free) { $1.1.contains(UInt16(start)) ? $0 | $1.0 : $0 }
      if let last = segments.last, last.1 == mask {
        segments[segments.count - 1].0 = last.0.lowerBound...UInt16(end)
      } else {
        segments.append((UInt16(start)...UInt16(end), mask))
      }
    }
    var coverage: [UInt64: Int] = [:]
    for (range, mask) in segments { coverage[mask, default: 0] += range.count }
    let otherwise = coverage.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
    return PortTable(ranges: segments.filter { $0.1 != otherwise }, otherwise: otherwise, missing: missing)
  }

  func exact<Value: Hashable & Sendable>(_ key: KernelKey, _ convert: (ValueSet) -> ExactSet<Value>)
    -> ExactTable<Value>?
  {
    let constrained = constraints(key)
    guard !constrained.isEmpty else { return nil }
    let (free, missing) = fallbacks(constrained)
    let sets = constrained.map { ($0.bit, convert($0.constraint.values)) }
    let otherwise = sets.reduce(free) { $1.1.complemented ? $0 | $1.0 : $0 }
    var entries: [Value: UInt64] = [:]
    for value in Set(sets.flatMap(\.1.values)) {
      let mask = sets.reduce(free) { $1.1.contains(value) ? $0 | $1.0 : $0 }
      if mask != otherwise { entries[value] = mask }
    }
    return ExactTable(entries: entries, otherwise: otherwise, missing: missing)
  }

  func addresses(_ key: KernelKey) -> AddressTable? {
    let constrained = constraints(key)
    guard !constrained.isEmpty else { return nil }
    let (free, missing) = fallbacks(constrained)
    let lookups = constrained.map { bit, constraint in
      if case .addresses(let set) = constraint.values {
        (bit, PrefixSet.Lookup(set))
      } else {
        (bit, PrefixSet.Lookup(.none.complement))
      }
    }
    let otherwise = lookups.reduce(free) { $1.1.set.fallback ? $0 | $1.0 : $0 }
    var masks: [Prefix128: UInt64] = [:]
    for prefix in Set(lookups.flatMap(\.1.set.entries.keys)) {
      masks[prefix] = lookups.reduce(free) { $1.1.accepts(prefix) ? $0 | $1.0 : $0 }
    }
    // An entry that gives what its longest listed ancestor gives is redundant in an LPM trie.
    let lengths = Set(masks.keys.map(\.length)).sorted(by: >)
    let kept = masks.filter { prefix, mask in
      let parent = lengths.lazy.filter { $0 < prefix.length }
        .compactMap { masks[Prefix128(bits: prefix.bits, length: $0)] }.first
      return mask != (parent ?? otherwise)
    }
    let prefixes = kept.keys.sorted().map { ($0.cidr, kept[$0]!) }
    return AddressTable(prefixes: prefixes, otherwise: otherwise, missing: missing)
  }
}

extension ValueSet {
  /// The set of a number field.
  var numbers: ExactSet<UInt64> {
    if case .numbers(let set) = self { return set }
    return ExactSet(values: [], complemented: true)
  }

  /// The set of a string field.
  var strings: ExactSet<String> {
    if case .strings(let set) = self { return set }
    return ExactSet(values: [], complemented: true)
  }
}

extension ExactSet where Value == UInt64 {
  /// The set with its values narrowed to a smaller integer type (values that do not fit never occur).
  func narrowed<Narrow: FixedWidthInteger & Sendable>(to: Narrow.Type) -> ExactSet<Narrow> {
    ExactSet<Narrow>(values: Set(values.compactMap { Narrow(exactly: $0) }), complemented: complemented)
  }
}
