import NetFilterSema
import NetFilterSyntax

/// A necessary condition of a condition that an index can test cheaply: when no witness of it
/// holds for an event, it cannot match the event, so it is not evaluated (Falco and Fibratus index
/// rules by event type; rsigma by "witness" values; this does both, and by addresses, ports, names
/// and substrings).
enum Witness: Hashable {
  /// The field has one of these values (numbers, addresses or exact strings).
  case equals(FieldBinding, Set<IndexKey>)
  /// The field holds an address inside this prefix.
  case prefix(FieldBinding, CIDR)
  /// The field's text holds this lowercase ASCII string, ignoring ASCII case (substring,
  /// prefix, suffix and case-insensitive equality tests).
  case substring(FieldBinding, [UInt8])
  /// The event is of this kind (a bare event name: `evt.kinds` holds it).
  case kind(String)
  /// The field is present (every non-negated comparison on a missing field is false).
  case present(FieldBinding)

  /// How cheap and selective the witness is (lower first).
  var rank: Int {
    switch self {
    case .equals(let field, _): field.descriptor.type == .string ? 2 : 0
    case .prefix: 1
    case .substring: 3
    case .kind: 3
    case .present: 4
    }
  }

  /// The witnesses of `expr`: the event can match only if one of them holds. `nil` when none can
  /// be found (the rule is evaluated on every event).
  static func of(_ expr: CheckedExpr) -> [Witness]? {
    switch expr {
    case .event(let name): return [.kind(name)]
    case .and(let parts):
      let found = parts.compactMap(of)
      return found.min { cost($0) < cost($1) }
    case .or(let parts):
      var all: [Witness] = []
      for part in parts {
        guard let found = of(part) else { return nil }
        all += found
      }
      return merged(all)
    case .comparison(let comparison): return of(comparison)
    case .truth(.call(let name, let arguments)):
      // regex() and cidr_contains() are false for a missing subject.
      guard name == .regex || name == .cidr_contains, case .field(let field)? = arguments.first, field.argument == nil
      else { return nil }
      guard name == .regex else { return [.present(field)] }
      var literals: [Witness] = []
      for case .value(.string(let pattern)) in arguments.dropFirst() {
        guard let literal = requiredLiteral(pattern), let bytes = substring(literal, field) else {
          return [.present(field)]
        }
        literals.append(.substring(field, bytes))
      }
      return literals.isEmpty ? [.present(field)] : literals
    case .constant, .not, .truth: return nil
    }
  }

  /// The cost of testing a set of witnesses: its worst rank, then its size.
  private static func cost(_ witnesses: [Witness]) -> (Int, Int) {
    (witnesses.map(\.rank).max() ?? 9, witnesses.count)
  }

  /// Equal-value witnesses on one field become one.
  private static func merged(_ witnesses: [Witness]) -> [Witness] {
    var values: [FieldBinding: Set<IndexKey>] = [:]
    var order: [FieldBinding] = []
    var rest: [Witness] = []
    for witness in witnesses {
      guard case .equals(let field, let keys) = witness else {
        if !rest.contains(witness) { rest.append(witness) }
        continue
      }
      if values[field] == nil { order.append(field) }
      values[field, default: []].formUnion(keys)
    }
    return order.map { .equals($0, values[$0]!) } + rest
  }

  private static func of(_ comparison: Comparison) -> [Witness]? {
    guard !comparison.negated, case .field(let field) = comparison.lhs, field.argument == nil else { return nil }
    switch (comparison.op, comparison.rhs) {
    case (.equal, .value(let value)):
      if case .cidr(let cidr) = value, field.descriptor.type == .ip { return [.prefix(field, cidr.unmappedV4 ?? cidr)] }
      if let key = IndexKey(value, field: field) { return [.equals(field, [key])] }
    case (.iequal, .value(.string(let text))), (.contains, .value(.string(let text))),
      (.icontains, .value(.string(let text))), (.startswith, .value(.string(let text))),
      (.istartswith, .value(.string(let text))), (.endswith, .value(.string(let text))),
      (.iendswith, .value(.string(let text))):
      if let pattern = substring(text, field) { return [.substring(field, pattern)] }
    case (.iin, .list(let items)):
      var patterns: [Witness] = []
      for item in items {
        guard case .value(.string(let text)) = item, let pattern = substring(text, field) else {
          return [.present(field)]
        }
        patterns.append(.substring(field, pattern))
      }
      return patterns
    case (.in, .list(let items)):
      var keys = Set<IndexKey>()
      var prefixes: [Witness] = []
      for item in items {
        guard case .value(let value) = item else { return [.present(field)] }
        if case .cidr(let cidr) = value, field.descriptor.type == .ip {
          prefixes.append(.prefix(field, cidr.unmappedV4 ?? cidr))
        } else if let key = IndexKey(value, field: field) {
          keys.insert(key)
        } else {
          return [.present(field)]
        }
      }
      return (keys.isEmpty ? [] : [.equals(field, keys)]) + prefixes
    default:
      break
    }
    return [.present(field)]
  }

  /// A run of at least 3 letters, digits, `_` or `-` at the start of a regular expression (after
  /// an optional `^`) that every match contains: `nil` for a pattern with alternation or an inline
  /// option group, where no such run is certain.
  static func requiredLiteral(_ pattern: String) -> String? {
    guard !pattern.contains("|"), !pattern.contains("(?") else { return nil }
    var characters = Array(pattern.unicodeScalars.dropFirst(pattern.hasPrefix("^") ? 1 : 0))
    characters.append(" ")
    var run = ""
    for (index, character) in characters.dropLast().enumerated() {
      let plain =
        character.isASCII
        && (character.properties.isAlphabetic || ("0"..."9").contains(character)
          || character == "_" || character == "-")
      guard plain, !["?", "*", "{"].contains(characters[index + 1]) else { break }
      run.unicodeScalars.append(character)
    }
    return run.count >= 3 ? run : nil
  }

  /// The lowercased bytes of a non-empty ASCII constant compared with a string field.
  private static func substring(_ text: String, _ field: FieldBinding) -> [UInt8]? {
    guard field.descriptor.type == .string, !text.isEmpty, text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
    return text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
  }
}

/// A value as the index compares it: numbers as unsigned integers, addresses unmapped from
/// IPv4-mapped IPv6, strings exactly.
enum IndexKey: Hashable {
  case number(UInt64)
  case address(IPAddress)
  case text(String)

  /// The key of a rule's constant for `field`, when equality on the field is exact equality of keys.
  init?(_ value: Value, field: FieldBinding) {
    switch (field.descriptor.type, value) {
    case (.uint8, .uint(let n)), (.uint16, .uint(let n)), (.uint32, .uint(let n)), (.uint64, .uint(let n)):
      self = .number(n)
    case (.ip, .ip(let address)): self = .address(address.unmappedV4 ?? address)
    case (.string, .string(let text)): self = .text(text)
    default: return nil
    }
  }
}
