import NetFilterSema
import NetFilterSyntax

/// A compiled test of one value against constants.
typealias ValueTest = @Sendable (FieldValue) -> Bool

/// Builds value tests for each operator family, once per comparison. Fields with several values
/// match when ANY value matches; `intersects` needs ALL right-hand items.
enum Matchers {
  /// A test against one constant.
  static func test(_ op: ComparisonOperator, _ constant: Value) -> ValueTest {
    switch op.info.family {
    case .equality: equality(constant, caseInsensitive: op.info.caseInsensitive)
    case .ordering: ordering(op, constant)
    case .membership, .intersects: test(op, [.value(constant)])
    case .substring, .glob, .fuzzy: textual(op, [constant])
    }
  }

  /// A test against a list of constants.
  static func test(_ op: ComparisonOperator, _ items: [ListItem]) -> ValueTest {
    switch op.info.family {
    case .membership: return op.info.caseInsensitive ? caseInsensitiveMembership(items) : membership(items)
    case .intersects: return intersects(items, caseInsensitive: op.info.caseInsensitive)
    case .equality, .ordering, .substring, .glob, .fuzzy:
      let values = items.compactMap { item -> Value? in if case .value(let value) = item { value } else { nil } }
      if op.info.family == .substring || op.info.family == .glob || op.info.family == .fuzzy {
        return textual(op, values)
      }
      let tests = values.map { test(op, $0) }
      return { value in tests.contains { $0(value) } }
    }
  }

  // MARK: Equality and order

  private static func equality(_ constant: Value, caseInsensitive: Bool) -> ValueTest {
    switch constant {
    case .string, .pattern:
      let c = FieldValue(constant).textForm
      if caseInsensitive {
        let lowered = c.lowercased()
        return { anyString($0) { Text.equalsIgnoringCase($0, lowered) } }
      }
      return { anyString($0) { $0 == c } }
    case .cidr(let c): return { anyAddress($0) { c.contains($0) } }
    case .uint(let c), .duration(let c): return { equals($0, c) }
    case .int(let c): return { equals($0, c) }
    case .double(let c): return { equals($0, c) }
    case .bool(let c): return { if case .bool(let v) = $0 { v == c } else { false } }
    case .ip(let c):
      let address = c.unmappedV4 ?? c
      return { anyAddress($0) { $0 == address } }
    }
  }

  private static func ordering(_ op: ComparisonOperator, _ constant: Value) -> ValueTest {
    switch constant {
    case .uint(let c): return { ordered(op, $0, c) }
    case .int(let c):
      let bound = Double(c)
      return { ordered(op, $0, bound) }
    case .double(let c): return { ordered(op, $0, c) }
    default: return { _ in false }
    }
  }

  // MARK: Membership

  private static func membership(_ items: [ListItem]) -> ValueTest {
    let addresses = AddressSet(items)
    let numbers = NumberSet(items)
    var strings = Set<String>()
    var bools = Set<Bool>()
    for case .value(let value) in items {
      switch value {
      case .string, .pattern: strings.insert(FieldValue(value).textForm)
      case .bool(let flag): bools.insert(flag)
      default: break
      }
    }
    let frozenStrings = strings
    let frozenBools = bools
    return { value in
      switch value {
      case .missing: false
      case .uint, .int, .double, .uints:
        anyNumber(value) {
          numbers.contains($0)
        } uint: {
          numbers.contains($0)
        }
      case .ip, .ips: anyAddress(value) { addresses.contains($0) }
      case .string(let text): frozenStrings.contains(text)
      case .strings(let texts): texts.contains { frozenStrings.contains($0) }
      case .bool(let flag): frozenBools.contains(flag)
      }
    }
  }

  private static func caseInsensitiveMembership(_ items: [ListItem]) -> ValueTest {
    var lowered = Set<String>()
    for case .value(let value) in items {
      if case .string(let text) = FieldValue(value) { lowered.insert(text.lowercased()) }
    }
    let set = lowered
    return { anyString($0) { set.contains(Text.lowercasedIfNeeded($0)) } }
  }

  private static func intersects(_ items: [ListItem], caseInsensitive: Bool) -> ValueTest {
    var wanted = Set<String>()
    for case .value(let value) in items {
      if case .string(let text) = FieldValue(value) { wanted.insert(caseInsensitive ? text.lowercased() : text) }
    }
    let required = wanted
    return { value in
      let present: [String]
      switch value {
      case .strings(let texts): present = texts
      case .string(let text): present = [text]
      default: return false
      }
      return required.allSatisfy { item in
        present.contains { caseInsensitive ? Text.equalsIgnoringCase($0, item) : $0 == item }
      }
    }
  }

  // MARK: Text

  private static func textual(_ op: ComparisonOperator, _ constants: [Value]) -> ValueTest {
    let tests = constants.map { constant -> TextTest in
      let literal: StringLiteral =
        switch constant {
        case .pattern(let pattern): pattern
        case .string(let text): StringLiteral(text)
        default: StringLiteral(FieldValue(constant).textForm)
        }
      return Text.test(op, literal)
    }
    if tests.count == 1 {
      let only = tests[0]
      return { anyString($0, only) }
    }
    return { value in anyString(value) { text in tests.contains { $0(text) } } }
  }

  // MARK: Dynamic right-hand sides

  /// `lhs op rhs` where both sides are read from the event (field against field, or calls).
  static func dynamic(_ op: ComparisonOperator, _ lhs: FieldValue, _ rhs: FieldValue) -> Bool {
    if let answer = scalar(op, lhs, rhs) { return answer }
    let items: [ListItem] =
      switch rhs {
      case .missing: []
      case .strings(let texts): texts.map { .value(.string($0)) }
      case .ips(let ips): ips.map { .value(.ip($0)) }
      case .uints(let numbers): numbers.map { .value(.uint($0)) }
      default: rhs.constant.map { [.value($0)] } ?? []
      }
    if items.isEmpty { return false }
    if op.info.family == .membership || op.info.family == .intersects { return test(op, items)(lhs) }
    return items.contains { item in
      guard case .value(let value) = item else { return false }
      return test(op, value)(lhs)
    }
  }
}

extension Matchers {
  /// Equality and order against one right-hand value read from the event, compared in place
  /// (field against field is evaluated per event, so it must not build tests or sets); `nil`
  /// for the other operators and list-valued right sides.
  static func scalar(_ op: ComparisonOperator, _ lhs: FieldValue, _ rhs: FieldValue) -> Bool? {
    let family = op.info.family
    guard family == .equality || family == .ordering else { return nil }
    switch rhs {
    case .uint(let c): return family == .equality ? equals(lhs, c) : ordered(op, lhs, c)
    case .int(let c): return family == .equality ? equals(lhs, c) : ordered(op, lhs, Double(c))
    case .double(let c): return family == .equality ? equals(lhs, c) : ordered(op, lhs, c)
    case .ip(let c) where family == .equality:
      let address = c.unmappedV4 ?? c
      return anyAddress(lhs) { $0 == address }
    case .string(let c) where family == .equality:
      if op.info.caseInsensitive {
        let lowered = c.lowercased()
        return anyString(lhs) { Text.equalsIgnoringCase($0, lowered) }
      }
      return anyString(lhs) { $0 == c }
    case .bool(let c) where family == .equality:
      if case .bool(let value) = lhs { return value == c }
      return false
    default:
      return nil
    }
  }

  // MARK: Numbers (shared by constant and per-event right-hand sides)

  @inline(__always)
  private static func equals(_ lhs: FieldValue, _ c: UInt64) -> Bool {
    anyNumber(lhs) {
      $0 == Double(c)
    } uint: {
      $0 == c
    }
  }

  @inline(__always)
  private static func equals(_ lhs: FieldValue, _ c: Int64) -> Bool {
    anyNumber(lhs) {
      $0 == Double(c)
    } uint: {
      c >= 0 && $0 == UInt64(c)
    }
  }

  @inline(__always)
  private static func equals(_ lhs: FieldValue, _ c: Double) -> Bool {
    anyNumber(lhs) {
      $0 == c
    } uint: {
      Double($0) == c
    }
  }

  /// `lhs op c` for an order operator: integers compare exactly, anything else as doubles.
  @inline(__always)
  private static func ordered(_ op: ComparisonOperator, _ lhs: FieldValue, _ c: UInt64) -> Bool {
    anyNumber(lhs) {
      ordered(op, $0, Double(c))
    } uint: {
      ordered(op, $0, c)
    }
  }

  @inline(__always)
  private static func ordered(_ op: ComparisonOperator, _ lhs: FieldValue, _ c: Double) -> Bool {
    anyNumber(lhs) {
      ordered(op, $0, c)
    } uint: {
      ordered(op, Double($0), c)
    }
  }

  private static func ordered<T: Comparable>(_ op: ComparisonOperator, _ a: T, _ b: T) -> Bool {
    switch op {
    case .less: a < b
    case .lessEqual: a <= b
    case .greater: a > b
    default: a >= b
    }
  }
}

extension FieldValue {
  /// The value as a constant, for dynamic comparisons.
  var constant: Value? {
    switch self {
    case .bool(let v): .bool(v)
    case .uint(let v): .uint(v)
    case .int(let v): .int(v)
    case .double(let v): .double(v)
    case .string(let v): .string(v)
    case .ip(let v): .ip(v)
    default: nil
    }
  }

  /// The value as text, for textual operators on non-string values.
  package var textForm: String {
    switch self {
    case .string(let v): v
    case .ip(let v): v.description
    case .uint(let v): String(v)
    case .int(let v): String(v)
    case .double(let v): String(v)
    case .bool(let v): v ? "true" : "false"
    default: ""
    }
  }
}

// MARK: Any-element helpers

/// Whether any string of `value` satisfies `test`; addresses are tested as their text, an
/// IPv4-mapped IPv6 address as its IPv4 text (as Go's `net.IP.String()` writes it).
@inline(__always)
func anyString(_ value: FieldValue, _ test: (String) -> Bool) -> Bool {
  switch value {
  case .string(let text): return test(text)
  case .strings(let texts): return texts.contains(where: test)
  case .ip(let address): return test((address.unmappedV4 ?? address).description)
  case .ips(let addresses): return addresses.contains { test(($0.unmappedV4 ?? $0).description) }
  default: return false
  }
}

/// Whether any address of `value` satisfies `test`; IPv4-mapped IPv6 addresses count as IPv4.
@inline(__always)
func anyAddress(_ value: FieldValue, _ test: (IPAddress) -> Bool) -> Bool {
  switch value {
  case .ip(let address): return test(address.unmappedV4 ?? address)
  case .ips(let addresses): return addresses.contains { test($0.unmappedV4 ?? $0) }
  default: return false
  }
}

/// Whether any number of `value` satisfies the test for its kind.
@inline(__always)
func anyNumber(_ value: FieldValue, _ double: (Double) -> Bool, uint: (UInt64) -> Bool) -> Bool {
  switch value {
  case .uint(let number): return uint(number)
  case .uints(let numbers): return numbers.contains(where: uint)
  case .int(let number): return number >= 0 ? uint(UInt64(number)) : double(Double(number))
  case .double(let number): return double(number)
  default: return false
  }
}
