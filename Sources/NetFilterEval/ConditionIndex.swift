import NetFilterSema
import NetFilterSyntax

/// Which of many conditions an event can match, found without evaluating them: each condition is
/// filed under its witnesses (values of a field, address prefixes, substrings, event kinds, fields
/// it needs present), and an event reads each indexed field once. Conditions without a witness
/// are tested on every event.
///
/// A rule set files its rules here (every step of a sequence is one alternative of its rule), and
/// the planner files the operands of a long `or`, so that 1,000 port, address and domain tests cost
/// a few lookups per event instead of 1,000 tests.
public struct ConditionIndex: Sendable {
  /// The conditions filed under one field. A class, so that reading it per event costs one
  /// reference count, not one per table; it is not changed once the index is built.
  final class FieldIndex: @unchecked Sendable {
    let field: FieldBinding
    /// Texts and IPv6 addresses (numbers and IPv4 addresses move to the tables below once the
    /// index is built).
    var exact: [IndexKey: [Int]] = [:]
    /// IPv6 prefixes (IPv4 prefixes move to ``v4``).
    var prefixes: [PrefixTable] = []
    /// Numbers.
    var numbers = IntegerTable()
    /// IPv4 addresses and prefixes, under ``v4Key(_:length:)``; `v4Lengths` are the prefix
    /// lengths filed, longest first (32 for addresses).
    var v4 = IntegerTable()
    var v4Lengths: [Int] = []
    var patterns: [[UInt8]] = []
    var patternOwners: [[Int]] = []
    var automaton: SubstringAutomaton?
    var present: [Int] = []

    init(field: FieldBinding) { self.field = field }
  }

  /// Conditions filed under prefixes of one length and family.
  struct PrefixTable: Sendable {
    var length: Int
    var family: IPAddress.Family
    var rules: [IPAddress: [Int]] = [:]
  }

  private var fields: [FieldIndex] = []
  /// Conditions filed under event kinds (read from `evt.kinds`, else `evt.name`).
  private var kinds: [String: [Int]] = [:]
  /// The conditions tested on every event, in order.
  public private(set) var always: [Int] = []

  /// The index of `conditions`, each a list of alternatives (a filter, or a sequence's steps):
  /// condition `i` can match an event only if one of its alternatives can.
  public init(_ conditions: [[CheckedExpr]]) {
    var positions: [FieldBinding: Int] = [:]
    for (condition, alternatives) in conditions.enumerated() {
      var witnesses: [Witness] = []
      for alternative in alternatives {
        guard let found = Witness.of(alternative) else {
          witnesses = []
          break
        }
        witnesses += found
      }
      guard !witnesses.isEmpty else {
        always.append(condition)
        continue
      }
      var seen = Set<Witness>()
      for witness in witnesses where seen.insert(witness).inserted { file(condition, witness, &positions) }
    }
    for index in fields {
      if !index.patterns.isEmpty { index.automaton = SubstringAutomaton(index.patterns) }
      Self.buildTables(index)
    }
  }

  /// Moves the numbers and IPv4 addresses and prefixes of `index` into its integer tables.
  private static func buildTables(_ index: FieldIndex) {
    var numbers: [UInt64: [Int]] = [:]
    var v4: [UInt64: [Int]] = [:]
    var lengths = Set<Int>()
    for (key, conditions) in index.exact {
      switch key {
      case .number(let n): numbers[n] = conditions
      case .address(let address) where address.family == .v4:
        v4[v4Key(address, length: 32), default: []] += conditions
        lengths.insert(32)
      default: continue
      }
      index.exact[key] = nil
    }
    for table in index.prefixes where table.family == .v4 {
      for (network, conditions) in table.rules { v4[v4Key(network, length: table.length), default: []] += conditions }
      lengths.insert(table.length)
    }
    index.prefixes.removeAll { $0.family == .v4 }
    index.numbers = IntegerTable(numbers)
    index.v4 = IntegerTable(v4)
    index.v4Lengths = lengths.sorted(by: >)
  }

  /// The key of the first `length` bits of IPv4 `address`: the length and the masked address.
  @inline(__always)
  static func v4Key(_ address: IPAddress, length: Int) -> UInt64 {
    let value = UInt64(address.v4Value)
    let mask: UInt64 = length == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - length)) & 0xFFFF_FFFF
    return UInt64(length) << 32 | value & mask
  }

  private mutating func file(_ condition: Int, _ witness: Witness, _ positions: inout [FieldBinding: Int]) {
    func slot(_ field: FieldBinding) -> Int {
      if let index = positions[field] { return index }
      positions[field] = fields.count
      fields.append(FieldIndex(field: field))
      return fields.count - 1
    }
    switch witness {
    case .kind(let name): kinds[name, default: []].append(condition)
    case .present(let field): fields[slot(field)].present.append(condition)
    case .equals(let field, let keys):
      let index = slot(field)
      for key in keys { fields[index].exact[key, default: []].append(condition) }
    case .substring(let field, let pattern):
      let index = slot(field)
      if let known = fields[index].patterns.firstIndex(of: pattern) {
        fields[index].patternOwners[known].append(condition)
      } else {
        fields[index].patterns.append(pattern)
        fields[index].patternOwners.append([condition])
      }
    case .prefix(let field, let cidr):
      let index = slot(field)
      let family = cidr.address.family
      let masked = cidr.address.masked(to: cidr.prefixLength)
      if let table = fields[index].prefixes.firstIndex(where: { $0.length == cidr.prefixLength && $0.family == family })
      {
        fields[index].prefixes[table].rules[masked, default: []].append(condition)
      } else {
        fields[index].prefixes.append(
          PrefixTable(length: cidr.prefixLength, family: family, rules: [masked: [condition]])
        )
      }
    }
  }

  /// The fields an event is read for, in the order ``forEachCandidate(of:reading:_:)`` reads them:
  /// the indexed fields, then `evt.kinds` and `evt.name` when kinds are indexed.
  public func readFields(_ schema: Schema) -> [FieldBinding] {
    var all = fields.map(\.field)
    if !kinds.isEmpty {
      for name in ["evt.kinds", "evt.name"] {
        if let descriptor = schema.field(named: name) { all.append(FieldBinding(descriptor)) }
      }
    }
    return all
  }

  /// Calls `body` with each indexed condition `event` can match (possibly more than once, in no
  /// particular order) until it returns `false`; `readers[i]` reads ``readFields(_:)``[i]. The
  /// conditions of ``always`` are not included. The event is read where it lies, never copied.
  @inline(__always)
  public func forEachCandidate<E>(
    of event: E,
    reading readers: [@Sendable (E) -> FieldValue],
    _ body: (Int) -> Bool
  ) {
    for position in fields.indices {
      let index = fields[position]
      let value = readers[position](event)
      if case .missing = value { continue }
      guard Self.visit(index.present, body), visitExact(index, value, body), visitPrefixes(index, value, body),
        visitPatterns(index, value, body)
      else { return }
    }
    guard !kinds.isEmpty else { return }
    var names = readers[fields.count](event)
    if case .missing = names { names = readers[fields.count + 1](event) }
    switch names {
    case .string(let name): _ = Self.visit(kinds[name] ?? [], body)
    case .strings(let all): for name in all where !Self.visit(kinds[name] ?? [], body) { return }
    default: break
    }
  }

  @inline(__always)
  private static func visit(_ conditions: [Int], _ body: (Int) -> Bool) -> Bool {
    for condition in conditions where !body(condition) { return false }
    return true
  }

  private func visitExact(_ index: FieldIndex, _ value: FieldValue, _ body: (Int) -> Bool) -> Bool {
    var going = true
    IndexKey.forEach(in: value) { key in
      guard going else { return }
      switch key {
      case .number(let n): going = index.numbers.forEach(n, body)
      case .address(let address) where address.family == .v4:
        for length in index.v4Lengths where going {
          going = index.v4.forEach(Self.v4Key(address, length: length), body)
        }
      default: if !index.exact.isEmpty, let conditions = index.exact[key] { going = Self.visit(conditions, body) }
      }
    }
    return going
  }

  /// IPv6 prefixes (IPv4 prefixes are looked up with IPv4 addresses in ``visitExact``).
  private func visitPrefixes(_ index: FieldIndex, _ value: FieldValue, _ body: (Int) -> Bool) -> Bool {
    guard !index.prefixes.isEmpty else { return true }
    var going = true
    for table in index.prefixes where going {
      IndexKey.forEachAddress(in: value) { address in
        guard going, address.family == table.family, let conditions = table.rules[address.masked(to: table.length)]
        else { return }
        going = Self.visit(conditions, body)
      }
    }
    return going
  }

  private func visitPatterns(_ index: FieldIndex, _ value: FieldValue, _ body: (Int) -> Bool) -> Bool {
    guard let automaton = index.automaton else { return true }
    var going = true
    func scan(_ text: String) {
      let scanned = automaton.scan(text) { pattern in
        if going { going = Self.visit(index.patternOwners[pattern], body) }
      }
      // A non-ASCII text: every pattern may match it under Unicode case rules.
      if !scanned { for owners in index.patternOwners where going { going = Self.visit(owners, body) } }
    }
    switch value {
    case .string(let text): scan(text)
    case .strings(let texts): for text in texts where going { scan(text) }
    default: break
    }
    return going
  }
}

extension IndexKey {
  /// Calls `body` with the key of each value of `value`.
  @inline(__always)
  static func forEach(in value: FieldValue, _ body: (IndexKey) -> Void) {
    switch value {
    case .uint(let n): body(.number(n))
    case .int(let n): if n >= 0 { body(.number(UInt64(n))) }
    case .double(let d): if d >= 0, d < 1.8e19, d.rounded() == d { body(.number(UInt64(d))) }
    case .uints(let all): for n in all { body(.number(n)) }
    case .ip(let address): body(.address(address.unmappedV4 ?? address))
    case .ips(let all): for address in all { body(.address(address.unmappedV4 ?? address)) }
    case .string(let text): body(.text(text))
    case .strings(let all): for text in all { body(.text(text)) }
    case .bool, .missing: break
    }
  }

  /// Calls `body` with each address of `value`, IPv4-mapped addresses unmapped.
  @inline(__always)
  static func forEachAddress(in value: FieldValue, _ body: (IPAddress) -> Void) {
    switch value {
    case .ip(let address): body(address.unmappedV4 ?? address)
    case .ips(let all): for address in all { body(address.unmappedV4 ?? address) }
    default: break
    }
  }
}
