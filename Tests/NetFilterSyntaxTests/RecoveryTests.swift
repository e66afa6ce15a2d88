import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

/// Errors are values with ranges and stable IDs, and the parser recovers to report several.
@Suite struct RecoveryTests {
  @Test func misspelledOperatorSuggestsTheKeyword() {
    // Fibratus's own example in its error-reporting docs.
    assertParse(
      "ps.name = 'cmd.exe' 1️⃣aand2️⃣ ps.cmdline contains 'ss'",
      tree: "(and (= ps.name 'cmd.exe') (contains ps.cmdline 'ss'))",
      diagnostics: [
        DiagnosticSpec(
          endMarker: "2️⃣",
          id: "syntax.expectedOperator",
          message: "expected operator, ')', ',' or '|' but found 'aand'",
          notes: ["did you mean 'and'?"]
        )
      ]
    )
  }

  @Test func misspelledOperatorHasAFixIt() {
    let diagnostics = parseDiagnostics("a = 1 aand b = 2")
    #expect(
      diagnostics.first?.fixIts == [FixIt("replace 'aand' with 'and'", replacing: SourceRange(6, 10), with: "and")]
    )
  }

  @Test(arguments: [("a = 1 orr b", "or"), ("a containz 'x'", "contains"), ("a IMATCHEZ 'x'", "imatches")])
  func otherMisspellings(source: String, suggestion: String) {
    let diagnostics = parseDiagnostics(source)
    #expect(diagnostics.first?.notes.map(\.message) == ["did you mean '\(suggestion)'?"])
  }

  @Test func severalErrorsFromOneInput() {
    assertParse(
      "ps.name = 'a' 1️⃣aand net.dport = 2️⃣or (net.sport = 13️⃣",
      diagnostics: [
        DiagnosticSpec(locationMarker: "1️⃣", id: "syntax.expectedOperator", notes: ["did you mean 'and'?"]),
        DiagnosticSpec(
          locationMarker: "2️⃣",
          id: "syntax.expectedExpression",
          message: "expected field, string, number, IP address, list or function after '='"
        ),
        DiagnosticSpec(
          locationMarker: "3️⃣",
          id: "syntax.unexpectedEndOfInput",
          message: "expected ')' to end the parenthesized expression",
          notes: ["to match this '('"]
        ),
      ]
    )
  }

  @Test func lexicalAndSyntaxErrorsTogether() {
    assertParse(
      "ps.name = 'a1️⃣\\qb' and net.dip = 2️⃣172.317.1.2 and ps.exe 3️⃣# x",
      diagnostics: [
        DiagnosticSpec(locationMarker: "1️⃣", id: "syntax.invalidEscape"),
        DiagnosticSpec(locationMarker: "2️⃣", id: "syntax.invalidIPAddress"),
        DiagnosticSpec(locationMarker: "3️⃣", id: "syntax.unexpectedCharacter", notes: ["filters have no comments"]),
      ]
    )
  }

  @Test func strayLiteralIsReportedOnce() {
    // The second word is not an operator; it must not also be blamed for the end of input.
    assertParse(
      "ps.name = 'a' 1️⃣'b'",
      diagnostics: [
        DiagnosticSpec(id: "syntax.expectedOperator", message: "expected operator, ')', ',' or '|' but found ''b''")
      ]
    )
  }

  @Test func invalidCharacterWhereAnOperatorBelongs() {
    // One error for the character, none for what follows it.
    assertParse(
      "ps.name 1️⃣~ 'x'",
      diagnostics: [DiagnosticSpec(id: "syntax.unexpectedCharacter", notes: ["did you mean '~='?"])]
    )
    assertParse(
      "ps.name = 'x' 1️⃣& net.dport = 1",
      diagnostics: [DiagnosticSpec(id: "syntax.unexpectedCharacter", notes: ["did you mean '&&'?"])]
    )
    assertParse(
      "ps.name = 'ü' and n1️⃣ét = 1",
      diagnostics: [DiagnosticSpec(id: "syntax.unexpectedCharacter", message: "unexpected character 'é'")]
    )
  }

  @Test func unmatchedParentheses() {
    assertParse(
      "net.dport = 11️⃣)",
      diagnostics: [DiagnosticSpec(id: "syntax.unmatchedRightParen", message: "unexpected ')' without a matching '('")]
    )
    assertParse(
      "ℹ️(net.dport = 11️⃣",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedEndOfInput",
          message: "expected ')' to end the parenthesized expression",
          notes: ["to match this '('"]
        )
      ]
    )
  }

  @Test func noteOfAnUnclosedParenthesisPointsAtIt() {
    let (markers, source) = extractMarkers("a in ℹ️(1, 2")
    let diagnostic = parseDiagnostics(source).first
    #expect(diagnostic?.notes.first?.range == SourceRange(markers["ℹ️"]!, markers["ℹ️"]! + 1))
  }

  @Test func recoveryContinuesAfterAStrayParenthesis() {
    assertParse(
      "a = 1 1️⃣) or b = 2 or c = 2️⃣",
      diagnostics: [
        DiagnosticSpec(locationMarker: "1️⃣", id: "syntax.unmatchedRightParen"),
        DiagnosticSpec(locationMarker: "2️⃣", id: "syntax.unexpectedEndOfInput"),
      ]
    )
  }

  @Test func emptyList() {
    assertParse(
      "net.dport in 1️⃣()2️⃣",
      diagnostics: [
        DiagnosticSpec(endMarker: "2️⃣", id: "syntax.emptyList", message: "a list needs at least one item")
      ]
    )
  }

  @Test func trailingCommaInAList() {
    assertParse(
      "net.dport in (1, 1️⃣)",
      diagnostics: [DiagnosticSpec(id: "syntax.expectedListItem", message: "expected list item after ','")]
    )
  }

  @Test func unclosedList() {
    assertParse(
      "net.dport in ℹ️(1, 21️⃣",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedEndOfInput",
          message: "expected ')' to end the list",
          notes: ["to match this '('"]
        )
      ]
    )
  }

  @Test func unclosedCall() {
    assertParse(
      "lower(ps.name1️⃣",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedEndOfInput",
          message: "expected ')' to end the call to 'lower'",
          notes: ["to match this '('"]
        )
      ]
    )
  }

  /// Input that stops where more is needed is "incomplete", not wrong: the REPL continues it.
  @Test(arguments: [
    "net.dport =", "net.dport in (1,", "(net.dport = 1", "not", "a and", "a or", "a not", "lower(", "ps.envs[",
    "sequence", "sequence maxspan", "sequence |a", "sequence |a| by", "net_packet_tcp.data.dst_port=80,",
  ])
  func endOfInputErrors(source: String) {
    let diagnostics = parseDiagnostics(source)
    #expect(!diagnostics.isEmpty)
    #expect(diagnostics.allSatisfy { $0.id == .unexpectedEndOfInput && $0.isUnexpectedEnd }, "\(diagnostics)")
    #expect(diagnostics.allSatisfy { $0.range.lowerBound == source.utf8.count })
  }

  @Test(arguments: ["a = )", "a in (1, )", "(", ")", "a = 1 b = 2", "a ~ b"])
  func errorsBeforeTheEndAreNotEndOfInput(source: String) {
    let diagnostics = parseDiagnostics(source)
    #expect(!diagnostics.isEmpty)
    #expect(!diagnostics.contains { $0.range.lowerBound < source.utf8.count && $0.isUnexpectedEnd })
  }

  @Test func missingOperandInTheMiddle() {
    assertParse(
      "a = 1️⃣and b = 1",
      tree: "(and (= a <missing>) (= b 1))",
      diagnostics: [DiagnosticSpec(id: "syntax.expectedExpression")]
    )
  }

  @Test func emptyInput() {
    assertParse(
      "1️⃣",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedEndOfInput",
          message: "expected field, string, number, IP address, list or function"
        )
      ]
    )
    assertParse("   1️⃣", diagnostics: [DiagnosticSpec(id: "syntax.unexpectedEndOfInput")])
  }

  @Test func diagnosticsComeInSourceOrderWhenSorted() {
    let diagnostics = parseDiagnostics("a = 'x\\q' 9z and b = 300.1.1.1 and c")
    let offsets = diagnostics.map(\.range.lowerBound)
    #expect(offsets == offsets.sorted())
    #expect(diagnostics.count >= 3)
  }

  /// Malformed input is a diagnostic, never a crash (WasmKit's UntrustedTextTests).
  @Test(arguments: [
    "(((", ")))", "a in (((1, 2", "not not not", "!!!", "$", "$$$", "'", "\"", "a[", "a[[1]]", "a(((", "f(,)",
    "f(a,,b)",
    "a = = = 1", "|||", "sequence |||", "sequence || ||", "sequence |a| as",
    "sequence maxspan 99999999999999999999h |a|",
    "..", "1..", "..1", "a in (1..)", "a in (..2)", "a in (1..2..3)", "a = [1]", "@", "\u{0}", "a = 'é\\é'",
    "net_packet_tcp.data.x=,", "net_packet_tcp.data.x=(", "net_packet_tcp.data.x=)", "::", ":::", "1:2", "0x", "1e5",
    "ps.envs[a b]", "f(x) (y)", "a not not in (1)", "a in not (1)", "$e.", "a.b.", ".a", "a = .",
  ])
  func malformedInputIsADiagnosticNotACrash(source: String) {
    let result = Parser.parse(SourceText(source))
    if let syntax = result.syntax {
      _ = DebugTree.print(syntax)
      _ = Printer.print(syntax)
    }
    #expect(result.diagnostics.containsErrors || result.syntax != nil)
  }
}
