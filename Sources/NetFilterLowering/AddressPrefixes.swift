import NetFilterSyntax

/// An address prefix in the kernel's key space: 128 bits, IPv4 as IPv4-mapped IPv6 (`::ffff:a.b.c.d`).
struct Prefix128: Hashable, Comparable, Sendable {
  /// The address bits; bits after ``length`` are zero.
  let bits: UInt128
  /// The prefix length, 0…128.
  let length: Int

  /// `::ffff:0:0/96`: every IPv4 address.
  static let mapped = Prefix128(bits: UInt128(0xFFFF) << 32, length: 96)

  init(bits: UInt128, length: Int) {
    self.length = length
    self.bits = length == 0 ? 0 : bits & (~UInt128(0) << UInt128(128 - length))
  }

  /// One address as a full-length key (IPv4 and IPv4-mapped IPv6 give the same key).
  init(_ address: IPAddress) {
    if address.family == .v4 {
      self.init(bits: Prefix128.mapped.bits | UInt128(address.v4Value), length: 128)
    } else {
      self.init(bits: UInt128(address.high) << 64 | UInt128(address.low), length: 128)
    }
  }

  /// A CIDR as the kernel stores it: IPv4 prefixes under `::ffff:0:0/96`; host bits cleared.
  init(_ cidr: CIDR) {
    let address = Prefix128(cidr.address)
    self.init(bits: address.bits, length: cidr.address.family == .v4 ? 96 + cidr.prefixLength : cidr.prefixLength)
  }

  /// Whether `other` lies inside this prefix (or is it).
  func contains(_ other: Prefix128) -> Bool {
    length <= other.length && Prefix128(bits: other.bits, length: length).bits == bits
  }

  /// The prefix as a CIDR: IPv4 when it lies inside the IPv4-mapped range.
  var cidr: CIDR {
    if Prefix128.mapped.contains(self) {
      return CIDR(address: IPAddress(v4: UInt32(truncatingIfNeeded: bits)), prefixLength: length - 96)!
    }
    let address = IPAddress(v6High: UInt64(truncatingIfNeeded: bits >> 64), low: UInt64(truncatingIfNeeded: bits))
    return CIDR(address: address, prefixLength: length)!
  }

  static func < (lhs: Prefix128, rhs: Prefix128) -> Bool {
    let (left, right) = (Prefix128.mapped.contains(lhs), Prefix128.mapped.contains(rhs))
    if left != right { return left }
    return (lhs.bits, lhs.length) < (rhs.bits, rhs.length)
  }

  /// The fewest prefixes covering exactly the addresses `low…high`.
  static func covering(_ low: UInt128, _ high: UInt128) -> [Prefix128] {
    var prefixes: [Prefix128] = []
    var start = low
    while start <= high {
      var size = start == 0 ? 128 : start.trailingZeroBitCount
      while size > 0, high - start < (size == 128 ? UInt128.max : (UInt128(1) << UInt128(size)) - 1) { size -= 1 }
      prefixes.append(Prefix128(bits: start, length: 128 - size))
      if size == 128 { break }
      let (next, overflow) = start.addingReportingOverflow(UInt128(1) << UInt128(size))
      if overflow { break }
      start = next
    }
    return prefixes
  }
}

/// A set of addresses as longest-prefix decisions: an address is in the set when its longest listed
/// prefix says `true`, or, inside no listed prefix, when ``fallback`` is `true`. Intersection, union
/// and complement are exact, which is what lets clauses be AND-ed and merged without guessing.
struct PrefixSet: Hashable, Sendable {
  /// Listed prefixes and their decision.
  private(set) var entries: [Prefix128: Bool]
  /// The decision for an address inside no listed prefix.
  private(set) var fallback: Bool

  init(entries: [Prefix128: Bool], fallback: Bool) {
    self.entries = entries
    self.fallback = fallback
    normalize()
  }

  /// No address.
  static let none = PrefixSet(entries: [:], fallback: false)

  /// The addresses the evaluator's address tests accept, as the union of IPv4 prefixes (matching IPv4
  /// and IPv4-mapped addresses) and IPv6 prefixes (matching only addresses outside the mapped range).
  static func union(v4 v4Prefixes: [Prefix128], v6 v6Prefixes: [Prefix128]) -> PrefixSet {
    var entries: [Prefix128: Bool] = [:]
    for prefix in v4Prefixes { entries[prefix] = true }
    var excludeMapped = false
    for prefix in v6Prefixes where !Prefix128.mapped.contains(prefix) {
      entries[prefix] = true
      if prefix.contains(.mapped) { excludeMapped = true }
    }
    if excludeMapped, entries[.mapped] != true { entries[.mapped] = false }
    return PrefixSet(entries: entries, fallback: false)
  }

  /// The decision for `prefix` (which must not straddle a listed prefix): its longest listed
  /// ancestor-or-self, else the fallback.
  func accepts(_ prefix: Prefix128) -> Bool { Lookup(self).accepts(prefix) }

  var complement: PrefixSet {
    PrefixSet(entries: entries.mapValues { !$0 }, fallback: !fallback)
  }

  func intersection(_ other: PrefixSet) -> PrefixSet { combine(other) { $0 && $1 } }
  func union(_ other: PrefixSet) -> PrefixSet { combine(other) { $0 || $1 } }

  /// Whether no address is accepted (conservative: `false` when unsure).
  var isEmpty: Bool { !fallback && !entries.values.contains(true) }

  private func combine(_ other: PrefixSet, _ op: (Bool, Bool) -> Bool) -> PrefixSet {
    let (mine, theirs) = (Lookup(self), Lookup(other))
    var combined: [Prefix128: Bool] = [:]
    for key in entries.keys { combined[key] = op(mine.accepts(key), theirs.accepts(key)) }
    for key in other.entries.keys where combined[key] == nil {
      combined[key] = op(mine.accepts(key), theirs.accepts(key))
    }
    return PrefixSet(entries: combined, fallback: op(fallback, other.fallback))
  }

  /// Drops entries that decide as their nearest listed ancestor (or the fallback) would anyway.
  private mutating func normalize() {
    let lookup = Lookup(self)
    for (key, value) in entries where lookup.parentDecision(of: key) == value { entries[key] = nil }
  }

  /// Longest-prefix lookups over one set, probing only the lengths it lists.
  struct Lookup {
    let set: PrefixSet
    let lengths: [Int]

    init(_ set: PrefixSet) {
      self.set = set
      lengths = Set(set.entries.keys.map(\.length)).sorted(by: >)
    }

    func accepts(_ prefix: Prefix128) -> Bool { decision(of: prefix, below: prefix.length + 1) }

    /// The decision of the longest listed strict ancestor of `prefix`.
    func parentDecision(of prefix: Prefix128) -> Bool { decision(of: prefix, below: prefix.length) }

    private func decision(of prefix: Prefix128, below limit: Int) -> Bool {
      for length in lengths where length < limit {
        if let value = set.entries[Prefix128(bits: prefix.bits, length: length)] { return value }
      }
      return set.fallback
    }
  }
}
