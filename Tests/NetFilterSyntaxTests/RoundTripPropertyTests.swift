import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

/// Generates canonical syntax trees from the grammar: trees the parser itself could produce, so
/// that printing and parsing one gives it back exactly.
struct TreeGenerator {
  var rng: SplitMix64
  private let none = SourceRange.at(0)

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
  mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
  mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

  func node(_ kind: Expr.Kind) -> Expr { Expr(kind, range: none) }

  // MARK: Leaves

  static let fieldNames = [
    "net.dport", "net.sip", "ps.name", "dns.answers", "evt.name", "ps.envs", "a", "_b1", "x.y.z", "net.dip.names",
  ]
  static let traceeFields = [
    "net_packet_dns.data.src", "net_packet_tcp.data.dst_port", "net_packet_tcp.args.proto_tcp.SYN",
    "net_packet_dns_request.data.dns_questions.query", "EVENT.data.ARG",
  ]
  static let functions = ["lower", "cidr_contains", "concat", "length", "regex", "f", "split"]
  static let arguments = ["PATH", "0", "12", "Location", "Content-Type", "and", "a b", "", "x.y", "_", "1a", "it's"]
  static let bareWords = ["8.8.8.8", "*.example.com", "/api/*", "GET", "80", "a=b", "x'y", "::1", "foo*", "é"]
  static let durations = ["5s", "1h30m", "500ms", "10µs", "2d", "1w", "7ns"]
  static let stringPieces = [
    "a", "Z", " ", "'", "\"", "\\", "\n", "\t", "\r", "é", "😀", "*", "?", ".", "%", "x y", "\u{1}",
  ]

  mutating func fieldReference(tracee: Bool = false) -> FieldReference {
    let name = tracee ? pick(Self.traceeFields) : pick(Self.fieldNames)
    return FieldReference(name: name, argument: chance(15) ? pick(Self.arguments) : nil)
  }

  mutating func field() -> Expr { node(.field(fieldReference())) }

  mutating func string() -> StringLiteral {
    var value = ""
    for _ in 0..<int(0...6) { value += pick(Self.stringPieces) }
    let wildcardOffsets = value.unicodeScalars.enumerated().filter { $0.element == "*" || $0.element == "?" }.map(
      \.offset
    )
    return StringLiteral(value, escapedWildcards: wildcardOffsets.filter { _ in chance(50) })
  }

  mutating func ipv4() -> IPAddress { IPAddress(v4: UInt32.random(in: 0...UInt32.max, using: &rng)) }

  mutating func ipv6() -> IPAddress {
    switch int(0...3) {
    case 0: return IPAddress(v6High: 0, low: UInt64(int(0...0xFFFF)))  // ::x
    case 1: return IPAddress(v6High: 0, low: 0xFFFF_0000_0000 | UInt64(UInt32.random(in: 0...UInt32.max, using: &rng)))
    case 2: return IPAddress(v6High: 0x2001_0db8_0000_0000, low: UInt64(int(0...0xFFFF)) << 16)
    default: return IPAddress(v6High: rng.next(), low: rng.next())
    }
  }

  mutating func decimal() -> Double {
    switch int(0...4) {
    case 0: return Double(int(0...1_000_000)) / 100
    case 1: return Double(int(1...9)) * 1e-7
    case 2: return Double(int(1...9)) * 1e22
    case 3: return Double(int(0...1000)) + 0.5
    default: return Double.random(in: 0...1e6, using: &rng)
    }
  }

  mutating func literal() -> Literal {
    switch int(0...8) {
    case 0, 1: return .string(string())
    case 2: return .integer(chance(20) ? rng.next() : UInt64(int(0...70_000)))
    case 3: return .decimal(decimal())
    case 4: return .bool(chance(50))
    case 5: return .ip(ipv4())
    case 6: return .ip(ipv6())
    case 7:
      let address = chance(50) ? ipv4() : ipv6()
      return .cidr(CIDR(address: address, prefixLength: int(0...address.bitWidth))!)
    default: return .duration(Duration(parsing: pick(Self.durations))!)
    }
  }

  mutating func rangeItem() -> Expr {
    let (low, high): (Literal, Literal) =
      switch int(0...2) {
      case 0: (.integer(UInt64(int(0...9000))), .integer(UInt64(int(0...9000))))
      case 1: (.ip(ipv4()), .ip(ipv4()))
      default: (.ip(ipv6()), .ip(ipv6()))
      }
    return node(.range(node(.literal(low)), node(.literal(high))))
  }

  // MARK: Expressions

  /// A list: one item must be a literal or a range (else it is only parentheses).
  mutating func list(depth: Int) -> Expr {
    if chance(30) { return node(.list([chance(70) ? node(.literal(literal())) : rangeItem()])) }
    var items: [Expr] = []
    for _ in 0..<int(2...5) {
      switch int(0...9) {
      case 0...5: items.append(node(.literal(literal())))
      case 6, 7: items.append(rangeItem())
      default: items.append(expression(depth: depth - 1))
      }
    }
    return node(.list(items))
  }

  mutating func operand(depth: Int) -> Expr {
    switch int(0...9) {
    case 0...4: return field()
    case 5, 6: return call(depth: depth)
    case 7:
      return node(
        .boundVariable(name: pick(["e1", "q", "x_2"]), path: chance(70) ? pick(["ps.name", "net.dport", "a"]) : nil)
      )
    case 8: return node(.literal(literal()))
    default: return depth > 0 ? expression(depth: depth - 1) : field()
    }
  }

  mutating func call(depth: Int) -> Expr {
    var arguments: [Expr] = []
    for _ in 0..<int(0...3) {
      arguments.append(
        depth > 0 && chance(30) ? expression(depth: depth - 1) : chance(50) ? field() : node(.literal(literal()))
      )
    }
    return node(.call(name: pick(Self.functions), arguments: arguments))
  }

  mutating func comparison(depth: Int) -> Expr {
    let op = pick(ComparisonOperator.allCases)
    let negated = chance(30)
    let lhs = operand(depth: depth)
    let rhs: Expr =
      switch int(0...9) {
      case 0...3: node(.literal(literal()))
      case 4...6: list(depth: depth)
      default: operand(depth: depth)
      }
    return node(.comparison(op, negated: negated, lhs, rhs))
  }

  mutating func tracee() -> Expr {
    let ops: [ComparisonOperator] = [.equal, .iequal, .less, .lessEqual, .greater, .greaterEqual]
    let op = pick(ops)
    var values: [Expr] = []
    for _ in 0..<int(1...3) {
      if chance(40) {
        values.append(node(.literal(.string(string()))))
      } else {
        values.append(node(.literal(.bareWord(pick(Self.bareWords)))))
      }
    }
    let tracee = TraceeComparison(
      field: fieldReference(tracee: true),
      fieldRange: none,
      op: op,
      negated: op == .equal && chance(30),
      values: values
    )
    return node(.tracee(tracee))
  }

  mutating func logical(depth: Int) -> Expr {
    let op: LogicalOperator = chance(50) ? .and : .or
    var operands: [Expr] = []
    for _ in 0..<int(2...4) {
      var operand = expression(depth: depth - 1)
      // A nested node with the same operator is flattened by the parser.
      if case .logical(op, _) = operand.kind { operand = comparison(depth: 0) }
      operands.append(operand)
    }
    return node(.logical(op, operands))
  }

  mutating func expression(depth: Int) -> Expr {
    guard depth > 0 else { return chance(80) ? comparison(depth: 0) : field() }
    switch int(0...9) {
    case 0...3: return comparison(depth: depth)
    case 4, 5: return logical(depth: depth)
    case 6: return node(.not(expression(depth: depth - 1)))
    case 7: return tracee()
    case 8: return call(depth: depth)
    default: return operand(depth: depth)
    }
  }

  mutating func sequence() -> FilterSyntax {
    let global = chance(50) ? (0..<int(1...2)).map { _ in field() } : []
    var steps: [SequenceStep] = []
    for _ in 0..<int(1...4) {
      let by = global.isEmpty && chance(50) ? [field()] : []
      let alias = by.isEmpty && chance(40) ? pick(["e1", "e2", "q"]) : nil
      steps.append(SequenceStep(expression: expression(depth: 2), by: by, alias: alias, range: none))
    }
    let span = chance(70) ? Duration(parsing: pick(Self.durations)) : nil
    return .sequence(SequenceSyntax(maxSpan: span, maxSpanRange: nil, by: global, steps: steps, range: none))
  }

  mutating func filter() -> FilterSyntax {
    chance(10) ? sequence() : .expression(expression(depth: int(0...4)))
  }
}

@Suite struct RoundTripPropertyTests {
  /// print → parse gives the generated tree back, and print → parse → print is stable.
  @Test(arguments: [0x5EED_0001, 0x5EED_0002, 0x5EED_0003, 0x5EED_0004] as [UInt64])
  func printThenParseGivesTheTreeBack(seed: UInt64) {
    var generator = TreeGenerator(seed: seed)
    var failures = 0
    for index in 0..<750 {
      let tree = generator.filter()
      let printed = Printer.print(tree)
      let parsed = Parser.parse(SourceText(printed))
      let reprinted = parsed.syntax.map(Printer.print)
      let ok =
        parsed.diagnostics.isEmpty && parsed.syntax.map(DebugTree.print) == DebugTree.print(tree)
        && reprinted == printed
      if !ok {
        failures += 1
        if failures <= 5 {
          Issue.record(
            """
            case \(index) of seed \(seed) does not round-trip
              printed:   \(printed)
              tree:      \(DebugTree.print(tree))
              reparsed:  \(parsed.syntax.map(DebugTree.print) ?? "nil")
              reprinted: \(reprinted ?? "nil")
              diagnostics: \(parsed.diagnostics.map { "\($0.range) \($0.message)" })
            """
          )
        }
      }
    }
    #expect(failures == 0)
  }

  @Test func generatorIsDeterministic() {
    var a = TreeGenerator(seed: 42)
    var b = TreeGenerator(seed: 42)
    for _ in 0..<50 {
      #expect(Printer.print(a.filter()) == Printer.print(b.filter()))
    }
  }

  @Test func generatorCoversTheGrammar() {
    // The property is only as good as the trees: make sure every node kind and operator appears.
    var generator = TreeGenerator(seed: 0x5EED_0001)
    var kinds: Set<String> = []
    var operators: Set<String> = []
    func visit(_ expr: Expr) {
      switch expr.kind {
      case .field: kinds.insert("field")
      case .boundVariable: kinds.insert("bound")
      case .literal(let literal): kinds.insert("literal." + "\(literal)".prefix { $0 != "(" })
      case .list(let items): kinds.insert("list"); items.forEach(visit)
      case .range(let low, let high): kinds.insert("range"); visit(low); visit(high)
      case .call(_, let arguments): kinds.insert("call"); arguments.forEach(visit)
      case .not(let operand): kinds.insert("not"); visit(operand)
      case .logical(let op, let operands): kinds.insert(op.rawValue); operands.forEach(visit)
      case .comparison(let op, let negated, let lhs, let rhs):
        operators.insert(op.spelling(negated: negated)); visit(lhs); visit(rhs)
      case .tracee(let tracee): kinds.insert("tracee"); tracee.values.forEach(visit)
      case .missing: kinds.insert("missing")
      }
    }
    for _ in 0..<750 {
      switch generator.filter() {
      case .expression(let expr): visit(expr)
      case .sequence(let sequence): kinds.insert("sequence"); sequence.steps.forEach { visit($0.expression) }
      }
    }
    let expectedKinds: Set<String> = [
      "field", "bound", "list", "range", "call", "not", "and", "or", "tracee", "sequence", "literal.string",
      "literal.integer", "literal.decimal", "literal.bool", "literal.ip", "literal.cidr", "literal.duration",
      "literal.bareWord",
    ]
    #expect(expectedKinds.subtracting(kinds).isEmpty, "missing: \(expectedKinds.subtracting(kinds))")
    let allOperators = Set(
      ComparisonOperator.allCases.flatMap { [$0.spelling(negated: false), $0.spelling(negated: true)] }
    )
    #expect(allOperators.subtracting(operators).isEmpty, "missing: \(allOperators.subtracting(operators))")
  }
}
