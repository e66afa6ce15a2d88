import NetFilterSyntax

/// What the kernel knows of one field of one event.
public enum KernelValue<Value> {
  /// The event's value of the field.
  case value(Value)
  /// The event has no such field (no ports on ICMP, no process behind a forwarded packet).
  case missing
  /// The kernel could not tell: the field rejects nothing (all bits).
  case unknown
}

extension KernelValue: Sendable where Value: Sendable {}
extension KernelValue: Equatable where Value: Equatable {}
extension KernelValue: Hashable where Value: Hashable {}

extension KernelValue {
  /// The mask a table gives this value: `lookup` of a known value, `missing` when the event lacks
  /// the field, and `all` when the kernel could not tell.
  fileprivate func mask(missing: UInt64, all: UInt64, lookup: (Value) -> UInt64) -> UInt64 {
    switch self {
    case .value(let value): lookup(value)
    case .missing: missing
    case .unknown: all
    }
  }
}

/// Whether two lists of (key, mask) entries are equal, in order (tuples are not `Equatable`).
private func sameEntries<Key: Equatable>(_ lhs: [(Key, UInt64)], _ rhs: [(Key, UInt64)]) -> Bool {
  lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

/// A field the kernel looks up in a hash (or a small array): pid, tid, comm, cgroup, protocol,
/// direction, event kind.
///
/// `entries[v]` is the mask of clauses that accept the value `v`; a value not listed gets
/// ``otherwise``; an event without the field gets ``missing``. Clauses that do not constrain the field
/// are in every entry and in both fallbacks.
public struct ExactTable<Value: Hashable & Sendable>: Sendable, Equatable {
  /// Listed value → mask of the clauses accepting it.
  public var entries: [Value: UInt64]
  /// The mask for a value that is not listed.
  public var otherwise: UInt64
  /// The mask when the event lacks the field.
  public var missing: UInt64

  /// Creates a table.
  public init(entries: [Value: UInt64], otherwise: UInt64, missing: UInt64) {
    self.entries = entries
    self.otherwise = otherwise
    self.missing = missing
  }

  /// The mask the table gives `value`; an unknown value gets `all`.
  public func mask(_ value: KernelValue<Value>, all: UInt64) -> UInt64 {
    value.mask(missing: missing, all: all) { entries[$0] ?? otherwise }
  }
}

/// A 16-bit port field, loaded into a 65,536-entry array map.
public struct PortTable: Sendable, Equatable {
  /// Sorted, disjoint port ranges with the mask of the clauses accepting them.
  public var ranges: [(ClosedRange<UInt16>, UInt64)]
  /// The mask for a port in no range.
  public var otherwise: UInt64
  /// The mask when the event has no ports.
  public var missing: UInt64

  /// Creates a table; `ranges` must be sorted and disjoint.
  public init(ranges: [(ClosedRange<UInt16>, UInt64)], otherwise: UInt64, missing: UInt64) {
    self.ranges = ranges
    self.otherwise = otherwise
    self.missing = missing
  }

  /// The mask of one port (a binary search over the ranges).
  public func mask(for port: UInt16) -> UInt64 {
    var low = 0
    var high = ranges.count
    while low < high {
      let middle = (low + high) / 2
      if ranges[middle].0.upperBound < port { low = middle + 1 } else { high = middle }
    }
    if low < ranges.count, ranges[low].0.contains(port) { return ranges[low].1 }
    return otherwise
  }

  /// The mask the table gives `value`; an unknown value gets `all`.
  public func mask(_ value: KernelValue<UInt16>, all: UInt64) -> UInt64 {
    value.mask(missing: missing, all: all, lookup: mask(for:))
  }

  public static func == (lhs: PortTable, rhs: PortTable) -> Bool {
    lhs.otherwise == rhs.otherwise && lhs.missing == rhs.missing && sameEntries(lhs.ranges, rhs.ranges)
  }
}

/// An address field, loaded into an LPM trie: a lookup takes the LONGEST listed prefix that contains
/// the address.
///
/// IPv4 prefixes are IPv4 ``CIDR``s; the loader stores them as `::ffff:0:0/96` plus their length, and
/// the kernel looks IPv4 addresses up in that IPv4-mapped form, so an IPv4 address and the same
/// address IPv4-mapped in IPv6 are one key (as they are to the evaluator). When an IPv6 prefix covers
/// the whole mapped range, the table lists `0.0.0.0/0` too, so that IPv4 addresses never fall into it.
public struct AddressTable: Sendable, Equatable {
  /// Listed prefixes (host bits clear) with the mask of the clauses accepting addresses whose longest
  /// listed prefix this is; sorted, IPv4 first.
  public var prefixes: [(CIDR, UInt64)]
  /// The mask for an address inside no listed prefix.
  public var otherwise: UInt64
  /// The mask when the event has no address.
  public var missing: UInt64

  /// Creates a table.
  public init(prefixes: [(CIDR, UInt64)], otherwise: UInt64, missing: UInt64) {
    self.prefixes = prefixes
    self.otherwise = otherwise
    self.missing = missing
  }

  /// The mask of one address: the entry of its longest listed prefix, in the kernel's IPv4-mapped key
  /// space (a model of the LPM trie; a linear scan, for tests and tools).
  public func mask(for address: IPAddress) -> UInt64 {
    let key = Prefix128(address)
    var best: (length: Int, mask: UInt64)?
    for (cidr, mask) in prefixes {
      let prefix = Prefix128(cidr)
      if prefix.contains(key), prefix.length >= (best?.length ?? -1) { best = (prefix.length, mask) }
    }
    return best?.mask ?? otherwise
  }

  /// The mask the table gives `value`; an unknown value gets `all`.
  public func mask(_ value: KernelValue<IPAddress>, all: UInt64) -> UInt64 {
    value.mask(missing: missing, all: all, lookup: mask(for:))
  }

  public static func == (lhs: AddressTable, rhs: AddressTable) -> Bool {
    lhs.otherwise == rhs.otherwise && lhs.missing == rhs.missing && sameEntries(lhs.prefixes, rhs.prefixes)
  }
}
