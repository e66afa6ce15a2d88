import NetFilterDiagnostics
import NetFilterSema
import NetFilterSyntax
import NetFilterTestSupport
import Testing

extension SplitMix64 {
  fileprivate mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(next() % UInt64(range.count))
  }
  fileprivate mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
  fileprivate mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
/// Writes well-typed filters over the real schema: every field, an operator its type allows and
/// a literal that fits. Each must check clean, and its normalized text must check to the same tree.
private struct WellTypedFilters {
  var random: SplitMix64
  let fields: [FieldDescriptor] = Schema.network.fieldNames.compactMap { Schema.network.fields[$0] }

  mutating func ipText() -> String {
    random.chance(70)
      ? (0..<4).map { _ in String(random.int(0...255)) }.joined(separator: ".")
      : "fd00::" + String(random.int(1...0xFFFF), radix: 16)
  }

  mutating func stringLiteral() -> String {
    let pieces = ["a", "b", "curl", " ", "\\'", "\\\\", "é", ".", "-", "\\n", "x y", "😀"]
    return "'" + (0..<random.int(0...4)).map { _ in random.pick(pieces) }.joined() + "'"
  }

  mutating func pattern() -> String {
    let pieces = ["a", "*", "?", "\\*", "\\?", ".", "é"]
    return "'" + (0..<random.int(1...5)).map { _ in random.pick(pieces) }.joined() + "'"
  }

  mutating func reference(_ field: FieldDescriptor) -> String {
    guard let argument = field.argument else { return field.name }
    if argument.numeric { return "\(field.name)[\(random.int(0...9))]" }
    return argument.required || random.chance(50)
      ? "\(field.name)[\(random.pick(["PATH", "dport", "Location", "'Content-Type'"]))]" : field.name
  }

  mutating func integer(_ type: ValueType) -> UInt64 {
    let maximum = type.maximum ?? 1000
    return random.chance(20) ? maximum : UInt64(random.int(0...Int(min(maximum, 60_000))))
  }

  mutating func comparison() -> String {
    let field = random.pick(fields)
    let lhs = reference(field)
    let multi =
      field.isMulti && !(field.argument != nil && lhs.contains("[") && ["ps.envs", "ps.ancestor"].contains(field.name))
    let tracee = field.name.contains(".data.")
    switch field.type {
    case .ip:
      switch random.int(0...4) {
      case 0: return tracee ? "\(lhs)=\(ipText()),\(ipText())" : "\(lhs) = \(ipText())"
      case 1: return "\(lhs) != '\(ipText())'"
      case 2: return "\(lhs) in (\(ipText()), '10.0.0.0/8', fd00::/8, 10.0.0.1..10.0.0.9)"
      case 3: return "\(lhs) startswith '10.'"
      default: return "\(lhs) not in ('\(ipText())')"
      }
    case .uint8, .uint16, .uint32, .uint64, .int:
      let a = integer(field.type)
      let b = integer(field.type)
      switch random.int(0...4) {
      case 0: return tracee ? "\(lhs)=\(a),\(b)" : "\(lhs) = \(a)"
      case 1: return "\(lhs) \(random.pick(["<", "<=", ">", ">=", "!="])) \(a)"
      case 2: return "\(lhs) in (\(min(a, b))..\(max(a, b)), \(a))"
      case 3: return "\(a) \(random.pick(["=", "<", ">="])) \(lhs)"
      default: return "\(lhs) not in (\(b))"
      }
    case .string:
      if let values = field.allowedValues {
        let value = random.pick(values)
        return random.chance(50)
          ? "\(lhs) = '\(value)'" : "\(lhs) iin ('\(value.lowercased())', '\(random.pick(values))')"
      }
      if multi, random.chance(40) {
        return
          "\(lhs) \(random.pick(["intersects", "iintersects", "in", "matches", "endswith"])) (\(stringLiteral()), \(stringLiteral()))"
      }
      if tracee, random.chance(50) {
        return "\(lhs)=\(random.pick(["GET", "curl*", "*.example.com", "a", "*x*"])),\(random.pick(["b", "c*"]))"
      }
      switch random.int(0...5) {
      case 0: return "\(lhs) = \(stringLiteral())"
      case 1:
        return "\(lhs) \(random.pick(["contains", "icontains", "startswith", "iendswith", "~="])) \(stringLiteral())"
      case 2: return "\(lhs) \(random.pick(["matches", "imatches", "not matches"])) \(pattern())"
      case 3: return "\(lhs) \(random.pick(["in", "iin", "not in"])) (\(stringLiteral()), \(stringLiteral()))"
      case 4: return "\(lhs) \(random.pick(["fuzzy", "ifuzzynorm"])) \(stringLiteral())"
      default: return "lower(\(lhs)) \(multi ? "in (\(stringLiteral()))" : "= \(stringLiteral())")"
      }
    default:
      return "evt.name = 'Connect'"
    }
  }

  mutating func filter(depth: Int) -> String {
    guard depth > 0 else { return comparison() }
    switch random.int(0...5) {
    case 0: return "not (\(filter(depth: depth - 1)))"
    case 1: return "(\(filter(depth: depth - 1)) or \(filter(depth: depth - 1)))"
    case 2: return "\(filter(depth: depth - 1)) and \(filter(depth: depth - 1))"
    case 3:
      let address = (0..<4).map { _ in String(random.int(0...255)) }.joined(separator: ".")
      return "cidr_contains(net.dip, '\(address)/\(random.int(8...32))')"
    default: return comparison()
    }
  }

  mutating func next() -> String {
    if random.chance(10) {
      let steps = (0..<random.int(2...4)).map { _ in "|\(filter(depth: 1))|" }
      return "sequence maxspan \(random.int(1...59))m by ps.pid " + steps.joined(separator: " ")
    }
    return filter(depth: random.int(0...3))
  }
}

@Suite struct CheckerPropertyTests {
  @Test(arguments: [0xC0FFEE_01, 0xC0FFEE_02] as [UInt64])
  func wellTypedFiltersCheckCleanAndNormalizeStably(seed: UInt64) {
    var generator = WellTypedFilters(random: SplitMix64(seed: seed))
    for _ in 0..<600 {
      assertCheck(generator.next())
    }
  }
}
