import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

/// One parser case: the source, its tree and (optionally) its canonical printed form.
struct ParseCase: Sendable, CustomTestStringConvertible {
  var source: String
  var tree: String
  var printed: String?
  var sourceLocation: SourceLocation

  init(_ source: String, _ tree: String, printed: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    self.source = source
    self.tree = tree
    self.printed = printed
    self.sourceLocation = sourceLocation
  }

  var testDescription: String { source }
}

@Suite struct PrecedenceTests {
  static let cases: [ParseCase] = [
    // `and` binds tighter than `or`; chains of one operator are one node.
    ParseCase("a or b and c", "(or a (and b c))"),
    ParseCase("a and b or c", "(or (and a b) c)"),
    ParseCase("a or b or c", "(or a b c)"),
    ParseCase("a or (b or c)", "(or a b c)", printed: "a or b or c"),
    ParseCase("(a or b) or c", "(or a b c)", printed: "a or b or c"),
    ParseCase("a and (b and c) and d", "(and a b c d)", printed: "a and b and c and d"),
    ParseCase("a and (b or c)", "(and a (or b c))", printed: "a and (b or c)"),
    ParseCase("(a or b) and (c or d)", "(and (or a b) (or c d))"),
    ParseCase("a or b and c or d", "(or a (and b c) d)"),
    // C-style spellings.
    ParseCase("a && b || c", "(or (and a b) c)", printed: "a and b or c"),
    ParseCase("a || b && c", "(or a (and b c))", printed: "a or b and c"),
    // Keywords in any case.
    ParseCase("a AND b Or c", "(or (and a b) c)", printed: "a and b or c"),
    ParseCase(
      "x NOT IN (1) And y CONTAINS 'a'",
      "(and (not in x (list 1)) (contains y 'a'))",
      printed: "x not in (1) and y contains 'a'"
    ),
    // Word operators bind tighter than comparisons (Fibratus's table).
    ParseCase("x contains 'a' = true", "(= (contains x 'a') true)"),
    ParseCase("a = b in (1)", "(= a (in b (list 1)))"),
    ParseCase("a in (1) = b in (2)", "(= (in a (list 1)) (in b (list 2)))"),
    // Binary operators are left-associative.
    ParseCase("a = 1 = 2", "(= (= a 1) 2)"),
    ParseCase("a = (1 = 2)", "(= a (= 1 2))"),
    ParseCase("a contains 'x' contains 'y'", "(contains (contains a 'x') 'y')"),
    ParseCase("a < b <= c", "(<= (< a b) c)"),
    // Comparisons bind tighter than the logical operators.
    ParseCase("a = 1 and b != 2 or c > 3", "(or (and (= a 1) (!= b 2)) (> c 3))"),
    // Prefix `not` binds looser than comparisons: it negates a whole comparison (see the README).
    ParseCase("not a = 1", "(not (= a 1))", printed: "not (a = 1)"),
    ParseCase("not a in (1, 2)", "(not (in a (list 1 2)))", printed: "not (a in (1, 2))"),
    ParseCase("not a = 1 and b = 2", "(and (not (= a 1)) (= b 2))", printed: "not (a = 1) and b = 2"),
    ParseCase("not a and b", "(and (not a) b)"),
    ParseCase("not a or b", "(or (not a) b)"),
    ParseCase("not (a or b)", "(not (or a b))"),
    ParseCase("not not a", "(not (not a))"),
    ParseCase("! a = 1 || b", "(or (not (= a 1)) b)", printed: "not (a = 1) or b"),
    ParseCase("!a", "(not a)", printed: "not a"),
    ParseCase("a = not b", "(= a (not b))", printed: "a = (not b)"),
    ParseCase("a = not b = c", "(= a (not (= b c)))", printed: "a = (not (b = c))"),
    ParseCase("(not a) = true", "(= (not a) true)"),
    ParseCase("not f(x)", "(not (f() x))"),
    ParseCase("not true", "(not true)"),
  ]

  @Test(arguments: cases)
  func precedence(_ c: ParseCase) {
    assertParse(c.source, tree: c.tree, printed: c.printed ?? c.source, sourceLocation: c.sourceLocation)
  }
}

@Suite struct OperatorTests {
  @Test(arguments: ComparisonOperator.allCases)
  func everyOperator(op: ComparisonOperator) {
    assertParse("a \(op.rawValue) b", tree: "(\(op.rawValue) a b)", printed: "a \(op.rawValue) b")
  }

  @Test(arguments: ComparisonOperator.allCases)
  func everyOperatorNegatedWithInfixNot(op: ComparisonOperator) {
    // `a not OP b` is `not (a OP b)`; negated `=` is spelled `!=`.
    let spelled = op == .equal ? "!=" : "not \(op.rawValue)"
    assertParse("a not \(op.rawValue) b", tree: "(\(spelled) a b)", printed: "a \(spelled) b")
  }

  @Test(arguments: ComparisonOperator.allCases)
  func wordOperatorsIgnoreCase(op: ComparisonOperator) {
    assertParse("a \(op.rawValue.uppercased()) b", tree: "(\(op.rawValue) a b)")
  }

  @Test func symbolicAliases() {
    assertParse("a == 1", tree: "(= a 1)", printed: "a = 1")
    assertParse("a != 1", tree: "(!= a 1)", printed: "a != 1")
    assertParse("a <> 1", tree: "(!= a 1)", printed: "a != 1")
    assertParse("a ~= 'X'", tree: "(~= a 'X')")
  }

  @Test func negatingANegatedEqualityCancels() {
    assertParse("a not != 1", tree: "(= a 1)", printed: "a = 1")
    assertParse("a not <> 1", tree: "(= a 1)", printed: "a = 1")
  }

  @Test func infixNotNeedsAnOperator() {
    assertParse(
      "a not1️⃣ b",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.expectedOperatorAfterNot",
          message: "expected operator after infix 'not', such as 'not in' or 'not matches'"
        )
      ]
    )
  }

  @Test func precedenceTableAgreesWithTheOperators() {
    #expect(LogicalOperator.or.precedence == Precedence.or)
    #expect(LogicalOperator.and.precedence == Precedence.and)
    #expect(Precedence.or < Precedence.and && Precedence.and < Precedence.not)
    #expect(Precedence.not < Precedence.comparison && Precedence.comparison < Precedence.membership)
    for op in ComparisonOperator.allCases {
      let expected =
        ["=", "~=", "<", "<=", ">", ">="].contains(op.rawValue) ? Precedence.comparison : Precedence.membership
      #expect(op.info.precedence == expected, "\(op)")
    }
  }
}

@Suite struct OperandTests {
  static let cases: [ParseCase] = [
    // Literals of every kind.
    ParseCase("a = 'x'", "(= a 'x')"),
    ParseCase(#"a = "x""#, "(= a 'x')", printed: "a = 'x'"),
    ParseCase(#"a = 'it\'s'"#, #"(= a 'it\'s')"#),
    ParseCase(#"a = "it's""#, #"(= a 'it\'s')"#, printed: #"a = 'it\'s'"#),
    ParseCase(#"a = 'C:\\Windows'"#, #"(= a 'C:\\Windows')"#),
    ParseCase(#"a matches 'a\*b*'"#, #"(matches a 'a\*b*')"#),
    ParseCase("a = 80", "(= a 80)"),
    ParseCase("a = 0x50", "(= a 80)", printed: "a = 80"),
    ParseCase("a > .5", "(> a 0.5)", printed: "a > 0.5"),
    ParseCase("a > 2.25", "(> a 2.25)"),
    ParseCase("a = true or a = FALSE", "(or (= a true) (= a false))", printed: "a = true or a = false"),
    ParseCase("a = 172.17.0.1", "(= a 172.17.0.1)"),
    ParseCase("a = ::1", "(= a ::1)"),
    ParseCase("a = 2001:DB8::1", "(= a 2001:db8::1)", printed: "a = 2001:db8::1"),
    ParseCase("a = ::ffff:1.2.3.4", "(= a ::ffff:1.2.3.4)"),
    ParseCase("a = 10.0.0.0/8", "(= a 10.0.0.0/8)"),
    ParseCase("a = fd00::/8", "(= a fd00::/8)"),
    ParseCase("a = 5s", "(= a 5s)"),
    // Lists, and parentheses that only group.
    ParseCase("a in (1, 2, 3)", "(in a (list 1 2 3))"),
    ParseCase("a in (1,2,3)", "(in a (list 1 2 3))", printed: "a in (1, 2, 3)"),
    ParseCase("a in (1)", "(in a (list 1))"),
    ParseCase("a in ('x')", "(in a (list 'x'))"),
    ParseCase("a in ((1))", "(in a (list 1))", printed: "a in (1)"),
    ParseCase("a in (b, c)", "(in a (list b c))"),
    ParseCase("a in (b)", "(in a b)", printed: "a in b"),
    ParseCase("(a = 1)", "(= a 1)", printed: "a = 1"),
    ParseCase("((a))", "a", printed: "a"),
    ParseCase("('a')", "(list 'a')"),
    ParseCase("a in (('x'), 'y')", "(in a (list (list 'x') 'y'))"),
    ParseCase("a in (8000..8999, 443)", "(in a (list (range 8000 8999) 443))"),
    ParseCase("a in (1..2)", "(in a (list (range 1 2)))"),
    ParseCase("a in (10.0.0.1..10.0.0.9)", "(in a (list (range 10.0.0.1 10.0.0.9)))"),
    ParseCase("a in (fd00::1..fd00::9)", "(in a (list (range fd00::1 fd00::9)))"),
    ParseCase("a in (10.0.0.0/8, fd00::/8, 192.168.1.1)", "(in a (list 10.0.0.0/8 fd00::/8 192.168.1.1))"),
    // Field arguments.
    ParseCase("ps.envs[PATH] = 'x'", "(= ps.envs[PATH] 'x')"),
    ParseCase("ps.ancestor[0] = 'bash'", "(= ps.ancestor[0] 'bash')"),
    ParseCase("h['Content-Type'] = 'x'", "(= h['Content-Type'] 'x')"),
    ParseCase("h[\"Location\"] = 'x'", "(= h[Location] 'x')", printed: "h[Location] = 'x'"),
    ParseCase("h['and'] = 'x'", "(= h['and'] 'x')"),
    // Calls: names are lowercased; any expression may be an argument.
    ParseCase("LOWER(ps.name) = 'x'", "(= (lower() ps.name) 'x')", printed: "lower(ps.name) = 'x'"),
    ParseCase(
      "cidr_contains(net.dip, '10.0.0.0/8', '192.168.0.0/16')",
      "(cidr_contains() net.dip '10.0.0.0/8' '192.168.0.0/16')"
    ),
    ParseCase("f()", "(f())"),
    ParseCase("f(g(h(x)))", "(f() (g() (h() x)))"),
    ParseCase("f(a = 1, (b), 2)", "(f() (= a 1) b 2)", printed: "f(a = 1, b, 2)"),
    ParseCase("length(split(ps.name, '.')) > 2", "(> (length() (split() ps.name '.')) 2)"),
    // Bound variables.
    ParseCase("ps.name = $e1.ps.name", "(= ps.name $e1.ps.name)"),
    ParseCase("$e1", "$e1"),
  ]

  @Test(arguments: cases)
  func operand(_ c: ParseCase) {
    assertParse(c.source, tree: c.tree, printed: c.printed ?? c.source, sourceLocation: c.sourceLocation)
  }

  @Test func ipv4MappedAddressesPrintInMixedNotation() {
    // RFC 5952 §5: what `ip -6 addr` and Wireshark show.
    #expect(IPAddress("::ffff:1.2.3.4")?.description == "::ffff:1.2.3.4")
    #expect(IPAddress("::ffff:0102:0304")?.description == "::ffff:1.2.3.4")
    #expect(IPAddress("::1")?.description == "::1")
    #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
    #expect(IPAddress("1:0:0:0:0:0:0:0")?.description == "1::")
  }

  @Test func decimalsPrintWithoutExponents() {
    // `String(1e20)` is "1e+20", which does not lex; the printer must write plain digits.
    assertParse("a > 100000000000000000000.0", tree: "(> a 100000000000000000000.0)")
    assertParse("a > .00001", tree: "(> a 0.00001)", printed: "a > 0.00001")
    assertParse("a > 0.000000000000000000000123", tree: "(> a 0.000000000000000000000123)")
  }

  @Test func spaceBeforeFieldArgument() {
    assertParse(
      "ps.envs 1️⃣[PATH] = 'x'",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.fieldArgumentNeedsNoSpace",
          message: "a field argument must follow the field name without a space"
        )
      ]
    )
  }

  @Test func emptyFieldArgument() {
    assertParse(
      "ps.envs[1️⃣] = 'x'",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.expectedFieldArgument",
          message: "expected a field argument (a name or an integer) after '['"
        )
      ]
    )
  }

  @Test(arguments: ["$x", "and", "1.5", ")"])
  func badFieldArgumentIsOneError(argument: String) {
    // The `]` after one bad token still closes the argument, so nothing else is reported.
    let diagnostics = parseDiagnostics("ps.envs[\(argument)] = 'x'")
    #expect(diagnostics.map(\.id.description) == ["syntax.expectedFieldArgument"])
    #expect(diagnostics.first?.range.lowerBound == 8)
  }

  @Test func emptyQuotedFieldArgumentIsConsumed() {
    // The checker decides what an empty name means; the parser must not lose track of `]`.
    assertParse("ps.envs[''] = 'x'", tree: "(= ps.envs[''] 'x')")
  }

  @Test func unclosedFieldArgument() {
    assertParse(
      "ps.envs[PATH 1️⃣= 'x'",
      diagnostics: [
        DiagnosticSpec(id: "syntax.expectedRightBracket", message: "expected ']' to end the field argument")
      ]
    )
  }

  @Test func spaceBeforeCallParenthesis() {
    // `lower (x)` is not a call (Fibratus: the `(` must touch the name); one error, not a cascade.
    assertParse(
      "lower 1️⃣(ps.name) = 'x'",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.expectedOperator",
          message: "expected operator, ')', ',' or '|' but found '('",
          notes: ["to call 'lower', remove the space before '('"]
        )
      ]
    )
  }

  @Test func rangeOutsideAList() {
    assertParse(
      "a = 11️⃣..5",
      diagnostics: [
        DiagnosticSpec(id: "syntax.rangeOutsideList", message: "a range 'low..high' is only allowed inside a list")
      ]
    )
  }
}
