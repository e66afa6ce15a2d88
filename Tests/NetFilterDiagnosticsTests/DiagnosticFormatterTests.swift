import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

/// Golden renderings in each style. The text styles copy `swiftc -diagnostic-style swift|llvm`.
@Suite struct DiagnosticFormatterTests {
  private static let unknownField = DiagnosticID(domain: "sema", name: "unknownField")

  /// `ps.name = 'x' and net.dprot = 1` with one error and a note with a fix-it.
  private func unknownFieldExample(name: String = "<expr>") -> (SourceText, [Diagnostic]) {
    let source = SourceText("ps.name = 'x' and net.dprot = 1", name: name)
    let diagnostic = Diagnostic(
      id: Self.unknownField,
      message: "unknown field 'net.dprot'",
      range: SourceRange(18, 27),
      notes: [Note("did you mean 'net.dport'?")],
      fixIts: [FixIt("replace with 'net.dport'", replacing: SourceRange(18, 27), with: "net.dport")]
    )
    return (source, [diagnostic])
  }

  // MARK: swift

  @Test func swiftStyle() {
    let (source, diagnostics) = unknownFieldExample()
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .swift).render(diagnostics, in: source),
      """
      <expr>:1:19: error: unknown field 'net.dprot'
      1 | ps.name = 'x' and net.dprot = 1
        |                   |- error: unknown field 'net.dprot'
        |                   `- note: did you mean 'net.dport'?

      """
    )
  }

  /// After a byte order mark, every style shows line 1 and its columns as without it.
  @Test func aByteOrderMarkChangesNoStyle() {
    let (plain, diagnostics) = unknownFieldExample()
    let marked = SourceText("\u{FEFF}" + plain.text)
    let shifted = diagnostics.map { diagnostic in
      Diagnostic(
        id: diagnostic.id,
        message: diagnostic.message,
        range: SourceRange(diagnostic.range.lowerBound + 3, diagnostic.range.upperBound + 3),
        notes: diagnostic.notes
      )
    }
    for style in [DiagnosticFormatter.Style.swift, .llvm] {
      let formatter = DiagnosticFormatter(style: style)
      #expect(formatter.render(shifted, in: marked) == formatter.render(diagnostics, in: plain))
    }
    #expect(DiagnosticFormatter(style: .json).render(shifted, in: marked).contains(#""line":1,"column":19,"#))
  }

  @Test func swiftStyleIsTheDefault() {
    let (source, diagnostics) = unknownFieldExample()
    #expect(
      DiagnosticFormatter().render(diagnostics, in: source)
        == DiagnosticFormatter(style: .swift).render(diagnostics, in: source)
    )
  }

  @Test func swiftStyleMultiLineWithWideGutter() {
    // Line 10: the gutter is as wide as the line number.
    let text = String(repeating: "a = 1 or\n", count: 9) + "\tb == 2 or c = 'é' or nét = 1"
    let source = SourceText(text, name: "rule.nf")
    let diagnostics = [
      Diagnostic(
        id: DiagnosticID(domain: "syntax", name: "unexpectedCharacter"),
        message: "unexpected character 'é'",
        range: SourceRange(text.utf8.count - 7, text.utf8.count - 5)
      ),
      Diagnostic(
        id: DiagnosticID(domain: "sema", name: "unknownField"),
        severity: .warning,
        message: "field 'b' is deprecated",
        range: SourceRange(82, 83)
      ),
    ]
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .swift).render(diagnostics, in: source),
      """
      rule.nf:10:2: warning: field 'b' is deprecated
      10 | \tb == 2 or c = 'é' or nét = 1
         | \t`- warning: field 'b' is deprecated
      rule.nf:10:24: error: unexpected character 'é'
      10 | \tb == 2 or c = 'é' or nét = 1
         | \t                      `- error: unexpected character 'é'

      """
    )
  }

  // MARK: llvm

  @Test func llvmStyle() {
    let (source, diagnostics) = unknownFieldExample()
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .llvm).render(diagnostics, in: source),
      """
      <expr>:1:19: error: unknown field 'net.dprot'
      ps.name = 'x' and net.dprot = 1
                        ^~~~~~~~~
      <expr>:1:19: note: did you mean 'net.dport'?

      """
    )
  }

  @Test func llvmStyleEmptyRangeAndNoteElsewhere() {
    // A missing token has an empty range: a lone caret. A note with its own range points there.
    let source = SourceText("sequence\n  |(a = 1|", name: "seq.nf")
    let diagnostic = Diagnostic(
      id: DiagnosticID(domain: "syntax", name: "expectedRightParen"),
      message: "expected ')' to end the parenthesized expression",
      range: .at(18),
      notes: [Note("to match this '('", at: SourceRange(12, 13))]
    )
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .llvm).render([diagnostic], in: source),
      """
      seq.nf:2:10: error: expected ')' to end the parenthesized expression
        |(a = 1|
               ^
      seq.nf:2:4: note: to match this '('

      """
    )
  }

  @Test func llvmStyleRangeAcrossLinesUnderlinesOneColumn() {
    let source = SourceText("a = 'x' and\nb = 1")
    let diagnostic = Diagnostic(id: Self.unknownField, message: "m", range: SourceRange(4, 15))
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .llvm).render([diagnostic], in: source),
      """
      <expr>:1:5: error: m
      a = 'x' and
          ^

      """
    )
  }

  @Test func llvmStyleNonASCIIAndTabs() {
    // Columns count scalars; the caret line keeps the tabs of the source line so it lines up.
    let text = "\tps.name = 'é' and\tnét = 1"
    let source = SourceText(text)
    let diagnostic = Diagnostic(
      id: DiagnosticID(domain: "syntax", name: "unexpectedCharacter"),
      message: "unexpected character 'é'",
      range: SourceRange(21, 23)
    )
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .llvm).render([diagnostic], in: source),
      """
      <expr>:1:21: error: unexpected character 'é'
      \tps.name = 'é' and\tnét = 1
      \t                 \t ^

      """
    )
  }

  // MARK: json

  @Test func jsonStyle() {
    let (source, diagnostics) = unknownFieldExample()
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .json).render(diagnostics, in: source),
      """
      [{"id":"sema.unknownField","severity":"error","message":"unknown field 'net.dprot'",\
      "line":1,"column":19,"endLine":1,"endColumn":28,"offset":18,"length":9,\
      "notes":[{"message":"did you mean 'net.dport'?","line":1,"column":19,"endLine":1,"endColumn":28,"offset":18,"length":9}],\
      "fixIts":[{"message":"replace with 'net.dport'","replacement":"net.dport",\
      "line":1,"column":19,"endLine":1,"endColumn":28,"offset":18,"length":9}]}]

      """
    )
  }

  @Test func jsonEscapesStrings() {
    let source = SourceText("a = 'x'\nb")
    let diagnostic = Diagnostic(
      id: Self.unknownField,
      severity: .warning,
      message: "quote \" backslash \\ newline \n tab \t bell \u{7} é 😀",
      range: SourceRange(8, 9)
    )
    assertStringsEqualWithDiff(
      DiagnosticFormatter(style: .json).render([diagnostic], in: source),
      #"[{"id":"sema.unknownField","severity":"warning","message":"quote \" backslash \\ newline \n tab \t bell \u0007 é 😀","line":2,"column":1,"endLine":2,"endColumn":2,"offset":8,"length":1,"notes":[],"fixIts":[]}]"#
        + "\n"
    )
  }

  @Test func jsonIsNeverColored() {
    let (source, diagnostics) = unknownFieldExample()
    let colored = DiagnosticFormatter(style: .json, colored: true).render(diagnostics, in: source)
    #expect(!colored.contains("\u{1B}["))
  }

  @Test func nothingToRender() {
    let source = SourceText("a = 1")
    #expect(DiagnosticFormatter(style: .swift).render([], in: source) == "")
    #expect(DiagnosticFormatter(style: .llvm).render([], in: source) == "")
    #expect(DiagnosticFormatter(style: .json).render([], in: source) == "[]\n")
  }

  // MARK: Order, colour, truncation

  @Test func diagnosticsAreRenderedInSourceOrder() {
    let source = SourceText("a b c")
    let diagnostics = [SourceRange(4, 5), SourceRange(0, 1), SourceRange(2, 3)].map {
      Diagnostic(id: Self.unknownField, message: "at \($0.lowerBound)", range: $0)
    }
    let rendered = DiagnosticFormatter(style: .llvm).render(diagnostics, in: source)
    let headers = rendered.split(separator: "\n").filter { $0.hasPrefix("<expr>") }
    #expect(headers == ["<expr>:1:1: error: at 0", "<expr>:1:3: error: at 2", "<expr>:1:5: error: at 4"])
  }

  @Test func coloredOutputUsesANSIEscapes() {
    let (source, diagnostics) = unknownFieldExample()
    let rendered = DiagnosticFormatter(style: .swift, colored: true).render(diagnostics, in: source)
    #expect(rendered.contains("\u{1B}[1;31merror:\u{1B}[0m"))
    #expect(rendered.contains("\u{1B}[1;36mnote:\u{1B}[0m"))
    #expect(rendered.contains("\u{1B}[1m<expr>:1:19:\u{1B}[0m"))
    let llvm = DiagnosticFormatter(style: .llvm, colored: true).render(diagnostics, in: source)
    #expect(llvm.contains("\u{1B}[32m^~~~~~~~~\u{1B}[0m"))
    let plain = DiagnosticFormatter(style: .swift, colored: false).render(diagnostics, in: source)
    #expect(!plain.contains("\u{1B}["))
  }

  @Test(arguments: [DiagnosticFormatter.Style.swift, .llvm])
  func truncatesAfterOneHundredDiagnostics(style: DiagnosticFormatter.Style) {
    let text = String(repeating: "x ", count: 150)
    let source = SourceText(text)
    let diagnostics = (0..<150).map {
      Diagnostic(id: Self.unknownField, message: "number \($0)", range: SourceRange(2 * $0, 2 * $0 + 1))
    }
    let rendered = DiagnosticFormatter(style: style).render(diagnostics.reversed(), in: source)
    #expect(rendered.hasSuffix("50 more diagnostics were truncated\n"))
    let headers = rendered.split(separator: "\n").filter { $0.hasPrefix("<expr>:") }
    #expect(headers.count == 100)
    // The first 100 in source order are kept.
    #expect(headers.first == "<expr>:1:1: error: number 0")
    #expect(headers.last == "<expr>:1:199: error: number 99")
  }

  @Test func exactlyOneHundredIsNotTruncated() {
    let source = SourceText(String(repeating: "x ", count: 100))
    let diagnostics = (0..<100).map { Diagnostic(id: Self.unknownField, message: "n", range: .at(2 * $0)) }
    #expect(!DiagnosticFormatter(style: .llvm).render(diagnostics, in: source).contains("truncated"))
  }

  @Test func jsonKeepsTheFirstHundred() {
    let source = SourceText(String(repeating: "x ", count: 150))
    let diagnostics = (0..<150).map { Diagnostic(id: Self.unknownField, message: "n\($0)", range: .at(2 * $0)) }
    let rendered = DiagnosticFormatter(style: .json).render(diagnostics, in: source)
    #expect(rendered.components(separatedBy: "\"id\":").count - 1 == 100)
    #expect(rendered.contains("\"n99\""))
    #expect(!rendered.contains("\"n100\""))
  }

  @Test func customLimit() {
    let source = SourceText("a b c")
    let diagnostics = (0..<3).map { Diagnostic(id: Self.unknownField, message: "n", range: .at(2 * $0)) }
    let rendered = DiagnosticFormatter(style: .llvm, limit: 1).render(diagnostics, in: source)
    #expect(rendered.hasSuffix("2 more diagnostics were truncated\n"))
  }

  // MARK: Hostile input

  /// A hundred diagnostics on one 99 kB line printed the line a hundred times (10 MB).
  @Test(arguments: [DiagnosticFormatter.Style.swift, .llvm])
  func longLinesAreShownAsExcerpts(style: DiagnosticFormatter.Style) {
    let text = String(repeating: "x ", count: 49_500)
    let source = SourceText(text)
    let diagnostics = (0..<100).map { index in
      Diagnostic(id: Self.unknownField, message: "m\(index)", range: SourceRange(index * 990, index * 990 + 1))
    }
    let rendered = DiagnosticFormatter(style: style).render(diagnostics, in: source)
    #expect(rendered.utf8.count < 100 * 700, "\(rendered.utf8.count) bytes")
    // The marker still sits under the character it points at.
    let lines = DiagnosticFormatter(style: style).render([diagnostics[50]], in: source).split(separator: "\n")
    let gutter = style == .swift ? 4 : 0  // `1 | ` and `  | `
    let shown = Array(lines[1].dropFirst(gutter))
    let marker = Array(lines[2].dropFirst(gutter))
    let column = marker.firstIndex { $0 == "`" || $0 == "^" } ?? 0
    #expect(shown.first == "…")
    #expect(shown[column] == "x", "\(String(shown)) / \(String(marker))")
  }

  @Test func controlCharactersInTheLineAreNotPrinted() {
    let source = SourceText("ps.name = 1 \u{1B}[31m")
    let diagnostic = Diagnostic(id: Self.unknownField, message: "m", range: SourceRange(12, 13))
    for style in [DiagnosticFormatter.Style.swift, .llvm] {
      let rendered = DiagnosticFormatter(style: style).render([diagnostic], in: source)
      #expect(!rendered.unicodeScalars.contains("\u{1B}"))
      #expect(rendered.contains("ps.name = 1 \u{FFFD}[31m"))
    }
  }

  @Test func cappedListsEndWithOneNote() {
    let many = (0..<150).map { Diagnostic(id: Self.unknownField, message: "m\($0)", range: .at($0)) }
    let capped = many.capped(at: 100)
    #expect(capped.count == 101)
    #expect(capped.last?.id == Diagnostic.tooManyDiagnosticsID)
    #expect(capped.last?.range == .at(100))
    #expect((capped + many.prefix(3)).capped(at: 100).count == 101)
    #expect(Array(many.prefix(7)).capped(at: 100).count == 7)
  }
}
