import NetFilterSema
import NetFilterSyntax

/// Integers of a list: a hash set plus inclusive ranges.
struct NumberSet: Sendable {
  private var exact = Set<UInt64>()
  private var doubles = Set<Double>()
  private var ranges: [ClosedRange<UInt64>] = []

  init(_ items: [ListItem]) {
    for item in items {
      switch item {
      case .value(.uint(let value)): exact.insert(value)
      case .value(.int(let value)) where value >= 0: exact.insert(UInt64(value))
      case .value(.double(let value)): doubles.insert(value)
      case .range(.uint(let low), .uint(let high)) where low <= high: ranges.append(low...high)
      default: break
      }
    }
  }

  func contains(_ value: UInt64) -> Bool {
    exact.contains(value) || doubles.contains(Double(value)) || ranges.contains { $0.contains(value) }
  }

  func contains(_ value: Double) -> Bool {
    if value >= 0, value < 18_446_744_073_709_551_616, value.rounded() == value, contains(UInt64(value)) {
      return true
    }
    return doubles.contains(value)
  }
}

/// Addresses of a list: exact addresses, CIDRs (scanned when there are few, else a prefix table
/// with one hash set of masked addresses per prefix length), and inclusive ranges.
struct AddressSet: Sendable {
  /// Up to this many CIDRs are compared one by one, which beats hashing.
  static let linearLimit = 16
  private var exact = Set<IPAddress>()
  private var few: [CIDR] = []
  private var prefixes: [(length: Int, family: IPAddress.Family, networks: Set<IPAddress>)] = []
  private var ranges: [(IPAddress, IPAddress)] = []

  init(_ items: [ListItem]) {
    var byLength: [String: (Int, IPAddress.Family, Set<IPAddress>)] = [:]
    let cidrs = items.compactMap { item -> CIDR? in if case .value(.cidr(let cidr)) = item { cidr } else { nil } }
    if cidrs.count <= AddressSet.linearLimit { few = cidrs }
    for item in items {
      switch item {
      case .value(.ip(let address)): exact.insert(address.unmappedV4 ?? address)
      case .value(.cidr(let cidr)) where few.isEmpty:
        let key = "\(cidr.address.family)/\(cidr.prefixLength)"
        var entry = byLength[key] ?? (cidr.prefixLength, cidr.address.family, [])
        entry.2.insert(cidr.address.masked(to: cidr.prefixLength))
        byLength[key] = entry
      case .range(.ip(let low), .ip(let high)): ranges.append((low, high))
      default: break
      }
    }
    prefixes = byLength.values.map { (length: $0.0, family: $0.1, networks: $0.2) }.sorted { $0.length > $1.length }
  }

  func contains(_ address: IPAddress) -> Bool {
    for cidr in few where cidr.address.sharesPrefix(cidr.prefixLength, with: address) { return true }
    if !exact.isEmpty, exact.contains(address) { return true }
    for prefix in prefixes where prefix.family == address.family {
      if prefix.networks.contains(address.masked(to: prefix.length)) { return true }
    }
    return !ranges.isEmpty && ranges.contains { $0.0.family == address.family && $0.0 <= address && address <= $0.1 }
  }
}

extension IPAddress {
  /// The address with every bit after the first `length` cleared.
  func masked(to length: Int) -> IPAddress {
    let highBits = min(length, 64)
    let lowBits = max(0, length - 64)
    let highMask: UInt64 = highBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - highBits)
    let lowMask: UInt64 = lowBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - lowBits)
    if family == .v4 { return IPAddress(v4: UInt32(truncatingIfNeeded: (high & highMask) >> 32)) }
    return IPAddress(v6High: high & highMask, low: low & lowMask)
  }
}
