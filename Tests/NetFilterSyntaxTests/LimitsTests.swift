import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

/// Limits are diagnostics, never crashes (untrusted input).
@Suite struct LimitsTests {
  /// Parses `source`, expecting exactly one `limits.*` error (besides any syntax errors) and
  /// walking whatever tree comes back.
  private func assertLimit(
    _ source: String,
    id: String,
    limits: Limits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let result = Parser.parse(SourceText(source), limits: limits)
    let limitDiagnostics = result.diagnostics.filter { $0.id.domain == "limits" }
    #expect(limitDiagnostics.map(\.id.description) == [id], sourceLocation: sourceLocation)
    #expect(result.diagnostics.count <= 3, "\(result.diagnostics.count) diagnostics", sourceLocation: sourceLocation)
    if let syntax = result.syntax {
      _ = DebugTree.print(syntax)
      _ = Printer.print(syntax)
    }
  }

  @Test func fiveThousandNestedParentheses() {
    let depth = 5000
    let source = String(repeating: "(", count: depth) + "net.dport = 1" + String(repeating: ")", count: depth)
    assertLimit(source, id: "limits.nestingTooDeep")
    let diagnostic = parseDiagnostics(source).first
    #expect(diagnostic?.message == "expression is nested more than 256 levels deep")
  }

  @Test func nestingUpToTheLimitIsFine() {
    // The limit counts levels of nesting, so 200 parentheses (or nots, or calls) are fine.
    let parens = String(repeating: "(", count: 200) + "a = 1" + String(repeating: ")", count: 200)
    assertParse(parens, tree: "(= a 1)", printed: "a = 1")
    let lists = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
    assertParse("a in " + lists, tree: "(in a (list 1))")
    let nots = String(repeating: "not ", count: 200) + "a"
    assertParse(nots)
    let calls = String(repeating: "f(", count: 200) + "a" + String(repeating: ")", count: 200)
    assertParse(calls)
  }

  @Test func realisticNestingIsFarFromTheLimit() {
    // Each level here costs a few levels of the parser's count; 60 of them must still parse.
    let source =
      String(repeating: "(net.dport = 1 and not ", count: 60) + "ps.name = 'x'" + String(repeating: ")", count: 60)
    #expect(parseDiagnostics(source).isEmpty)
  }

  @Test func fiveThousandNestedNots() {
    assertLimit(String(repeating: "not ", count: 5000) + "net.dport = 1", id: "limits.nestingTooDeep")
    assertLimit(String(repeating: "!", count: 5000) + "a", id: "limits.nestingTooDeep")
  }

  @Test func fiveThousandNestedCalls() {
    let source = String(repeating: "lower(", count: 5000) + "ps.name" + String(repeating: ")", count: 5000) + " = 'x'"
    assertLimit(source, id: "limits.nestingTooDeep")
  }

  @Test func fiveThousandNestedLists() {
    let source = "a in " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
    assertLimit(source, id: "limits.nestingTooDeep")
  }

  @Test func longChainsOfComparisonsAreNestingToo() {
    // `a = 1 = 1 = …` nests to the left; 30,000 levels would overflow the stack of any walk.
    assertLimit("a" + String(repeating: "=1", count: 30_000), id: "limits.nestingTooDeep")
    assertLimit("a" + String(repeating: " not in(1)", count: 8_000), id: "limits.nestingTooDeep")
  }

  @Test func longChainsOfRangesDoNotCrash() {
    // `1..1..1..…` used to recurse once per `..` without a limit.
    let source = "net.dport in (" + String(repeating: "1..", count: 30_000) + "2)"
    let result = Parser.parse(SourceText(source))
    #expect(result.diagnostics.containsErrors)
    #expect(result.diagnostics.count < 300)
  }

  @Test func longFlatChainsAreFine() {
    // `or` and `and` chains are flat, so their length is only bounded by the input size.
    let source = (0..<5000).map { "a = \($0)" }.joined(separator: " or ")
    let result = Parser.parse(SourceText(source))
    #expect(result.diagnostics.isEmpty)
    if case .expression(let expr) = result.syntax, case .logical(.or, let operands) = expr.kind {
      #expect(operands.count == 5000)
    } else {
      Issue.record("expected one flat 'or'")
    }
  }

  @Test func inputLongerThanTheLimit() {
    let source = "ps.name = '" + String(repeating: "a", count: 100_000) + "'"
    let result = Parser.parse(SourceText(source))
    #expect(result.syntax == nil)
    #expect(result.diagnostics.map(\.id.description) == ["limits.inputTooLong"])
    #expect(result.diagnostics.first?.message == "filter is 100012 bytes long; the limit is 100000")
    #expect(result.diagnostics.first?.range == SourceRange(100_000, 100_012))
  }

  @Test func inputAtTheLimitIsAccepted() {
    let prefix = "ps.name = '"
    let source = prefix + String(repeating: "a", count: 100_000 - prefix.utf8.count - 1) + "'"
    #expect(source.utf8.count == 100_000)
    #expect(Parser.parse(SourceText(source)).diagnostics.isEmpty)
  }

  @Test func listOfTwentyThousandItems() {
    let source = "net.dport in (" + Array(repeating: "1", count: 20_000).joined(separator: ",") + ")"
    #expect(source.utf8.count < 100_000)
    assertLimit(source, id: "limits.listTooLong")
    #expect(parseDiagnostics(source).first?.message == "list has more than 16384 items")
  }

  @Test func listAtTheLimitIsAccepted() {
    let source = "net.dport in (" + Array(repeating: "1", count: 16_384).joined(separator: ",") + ")"
    #expect(parseDiagnostics(source).isEmpty)
  }

  @Test func tooManyArguments() {
    let source = "concat(" + Array(repeating: "'a'", count: 40).joined(separator: ", ") + ") = 'x'"
    assertLimit(source, id: "limits.tooManyArguments")
    #expect(parseDiagnostics(source).first?.message == "call to 'concat' has more than 32 arguments")
  }

  @Test func traceeValueListsAreBoundedToo() {
    let source = "net_packet_tcp.data.dst_port=" + Array(repeating: "1", count: 20_000).joined(separator: ",")
    assertLimit(source, id: "limits.listTooLong")
  }

  @Test func customLimits() {
    let small = Limits(maxInputLength: 20, maxNestingDepth: 4, maxListItems: 2, maxArguments: 1)
    assertLimit("a = 1 or b = 2 or c = 3", id: "limits.inputTooLong", limits: small)
    assertLimit("((((a))))", id: "limits.nestingTooDeep", limits: small)
    assertLimit("a in (1, 2, 3)", id: "limits.listTooLong", limits: small)
    assertLimit("f(a, b)", id: "limits.tooManyArguments", limits: small)
  }
}
