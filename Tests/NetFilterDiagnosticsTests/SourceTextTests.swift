import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@Suite struct SourceTextTests {
  @Test func singleLinePositions() {
    let source = SourceText("net.dport = 80")
    #expect(source.lineColumn(of: 0) == LineColumn(line: 1, column: 1))
    #expect(source.lineColumn(of: 10) == LineColumn(line: 1, column: 11))
    // One past the end is where end-of-input errors point.
    #expect(source.lineColumn(of: 14) == LineColumn(line: 1, column: 15))
  }

  @Test func multiLinePositions() {
    let (markers, text) = extractMarkers("1️⃣sequence\n2️⃣maxspan 5s\n  3️⃣|a|\n4️⃣")
    let source = SourceText(text)
    #expect(source.lineStarts == [0, 9, 20, 26])
    #expect(source.lineColumn(of: markers["1️⃣"]!) == LineColumn(line: 1, column: 1))
    #expect(source.lineColumn(of: markers["2️⃣"]!) == LineColumn(line: 2, column: 1))
    #expect(source.lineColumn(of: markers["3️⃣"]!) == LineColumn(line: 3, column: 3))
    #expect(source.lineColumn(of: markers["4️⃣"]!) == LineColumn(line: 4, column: 1))
    // The newline itself belongs to the line it ends.
    #expect(source.lineColumn(of: 8) == LineColumn(line: 1, column: 9))
  }

  @Test func columnsCountUnicodeScalarsNotBytes() {
    let (markers, text) = extractMarkers("ps.name = 'é😀' and 1️⃣nét = 1\n'ü' 2️⃣x")
    let source = SourceText(text)
    // 'é' is 2 bytes and '😀' 4, but one column each.
    #expect(markers["1️⃣"] == 23)
    #expect(source.lineColumn(of: markers["1️⃣"]!) == LineColumn(line: 1, column: 20))
    #expect(source.lineColumn(of: markers["2️⃣"]!) == LineColumn(line: 2, column: 5))
  }

  @Test func offsetsOutsideTheTextAreClamped() {
    let source = SourceText("ab\ncd")
    #expect(source.lineColumn(of: -5) == LineColumn(line: 1, column: 1))
    #expect(source.lineColumn(of: 99) == LineColumn(line: 2, column: 3))
  }

  @Test func lineTexts() {
    let source = SourceText("first\r\nsecond\n\nlast")
    #expect(source.lineText(1) == "first")  // without its \r
    #expect(source.lineText(2) == "second")
    #expect(source.lineText(3) == "")
    #expect(source.lineText(4) == "last")
    #expect(source.lineText(0) == "")
    #expect(source.lineText(5) == "")
  }

  @Test func trailingNewlineMakesAnEmptyLastLine() {
    let source = SourceText("a = 1\n")
    #expect(source.lineStarts == [0, 6])
    #expect(source.lineColumn(of: 6) == LineColumn(line: 2, column: 1))
    #expect(source.lineText(2) == "")
  }

  @Test func slices() {
    let source = SourceText("ps.name = 'é'")
    #expect(source.slice(SourceRange(0, 7)) == "ps.name")
    #expect(source.slice(SourceRange(10, 14)) == "'é'")
    #expect(source.slice(SourceRange(10, 99)) == "'é'")
    #expect(source.slice(.at(3)) == "")
  }

  /// A byte order mark at the start belongs to no line: columns on line 1, and its text, are the
  /// same as without it, while offsets stay the text's own.
  @Test func aByteOrderMarkIsNotPartOfLineOne() {
    let plain = SourceText("net.dport = = 1\nx")
    let marked = SourceText("\u{FEFF}net.dport = = 1\nx")
    #expect(marked.lineStarts == [3, 19])
    #expect(marked.lineColumn(of: 15) == plain.lineColumn(of: 12))
    #expect(marked.lineColumn(of: 15) == LineColumn(line: 1, column: 13))
    #expect(marked.lineColumn(of: 0) == LineColumn(line: 1, column: 1))
    #expect(marked.lineColumn(of: 19) == LineColumn(line: 2, column: 1))
    #expect(marked.lineText(1) == "net.dport = = 1")
    #expect(SourceText("\u{FEFF}").lineText(1) == "")
    // Only at the start: elsewhere it is a character like any other.
    #expect(SourceText("a\u{FEFF}b").lineColumn(of: 4) == LineColumn(line: 1, column: 3))
  }

  @Test func emptySource() {
    let source = SourceText("")
    #expect(source.lineStarts == [0])
    #expect(source.lineColumn(of: 0) == LineColumn(line: 1, column: 1))
    #expect(source.lineText(1) == "")
  }

  @Test func names() {
    #expect(SourceText("a").name == "<expr>")
    #expect(SourceText("a", name: "rules/x.nf").name == "rules/x.nf")
  }
}

@Suite struct SourceRangeTests {
  @Test func construction() {
    #expect(SourceRange(3, 7).length == 4)
    #expect(SourceRange(7, 3) == SourceRange(7, 7))  // the upper bound is raised
    #expect(SourceRange.at(5) == SourceRange(5, 5))
    #expect(SourceRange.at(5).length == 0)
    #expect(SourceRange(3, 7).description == "3..<7")
  }

  @Test func union() {
    #expect(SourceRange(3, 5).union(SourceRange(8, 9)) == SourceRange(3, 9))
    #expect(SourceRange(8, 9).union(SourceRange(3, 5)) == SourceRange(3, 9))
    #expect(SourceRange(2, 10).union(.at(4)) == SourceRange(2, 10))
  }
}

@Suite struct DiagnosticModelTests {
  private func diagnostic(_ offset: Int, _ name: String, _ severity: Severity = .error) -> Diagnostic {
    Diagnostic(id: DiagnosticID(domain: "test", name: name), severity: severity, message: name, range: .at(offset))
  }

  @Test func idsPrintAsDomainDotName() {
    #expect(DiagnosticID(domain: "sema", name: "unknownField").description == "sema.unknownField")
    #expect(DiagnosticID.unexpectedEndOfInput.description == "syntax.unexpectedEndOfInput")
  }

  @Test func severityOrder() {
    #expect(Severity.error < .warning)
    #expect(Severity.warning < .remark)
    #expect(Severity.remark < .note)
    #expect(Severity.allCasesInOrder == [.error, .warning, .remark, .note])
  }

  @Test func sortingIsByPositionAndStable() {
    let diagnostics = [
      diagnostic(9, "c"), diagnostic(2, "a"), diagnostic(9, "d"), diagnostic(2, "b"), diagnostic(0, "z"),
    ]
    #expect(diagnostics.sortedByPosition().map(\.message) == ["z", "a", "b", "c", "d"])
  }

  @Test func containsErrors() {
    #expect(![diagnostic(0, "w", .warning), diagnostic(0, "n", .note)].containsErrors)
    #expect([diagnostic(0, "w", .warning), diagnostic(1, "e")].containsErrors)
    #expect(![Diagnostic]().containsErrors)
  }

  @Test func unexpectedEnd() {
    var end = diagnostic(0, "x")
    #expect(!end.isUnexpectedEnd)
    end.id = .unexpectedEndOfInput
    #expect(end.isUnexpectedEnd)
  }

  @Test func description() {
    let diagnostic = Diagnostic(
      id: DiagnosticID(domain: "sema", name: "unknownField"),
      message: "unknown field 'x'",
      range: SourceRange(4, 5)
    )
    #expect(diagnostic.description == "4: error: unknown field 'x' [sema.unknownField]")
  }

  @Test func errorDescribesItselfInLLVMStyle() {
    let source = SourceText("a = x")
    let error = DiagnosticsError(
      diagnostics: [
        Diagnostic(
          id: DiagnosticID(domain: "sema", name: "unknownField"),
          message: "unknown field 'x'",
          range: SourceRange(4, 5)
        )
      ],
      source: source
    )
    assertStringsEqualWithDiff(
      error.description,
      """
      <expr>:1:5: error: unknown field 'x'
      a = x
          ^

      """
    )
  }
}

extension Severity {
  static var allCasesInOrder: [Severity] { [Severity.note, .error, .remark, .warning].sorted() }
}

@Suite struct InvalidUTF8Tests {
  /// The first ill-formed sequence, at the offset of its first byte; well-formed text of every
  /// sequence length has none.
  @Test(
    arguments: [
      ([0x61, 0xFF], InvalidUTF8(offset: 1, byte: 0xFF)),
      ([0xC3, 0xA9, 0x80], InvalidUTF8(offset: 2, byte: 0x80)),  // a stray continuation byte
      ([0xC1, 0xBF], InvalidUTF8(offset: 0, byte: 0xC1)),  // overlong
      ([0xE0, 0x9F, 0xBF], InvalidUTF8(offset: 0, byte: 0xE0)),  // overlong
      ([0xED, 0xBF, 0xBF], InvalidUTF8(offset: 0, byte: 0xED)),  // a surrogate
      ([0xF0, 0x8F, 0xBF, 0xBF], InvalidUTF8(offset: 0, byte: 0xF0)),  // overlong
      ([0xF4, 0x90, 0x80, 0x80], InvalidUTF8(offset: 0, byte: 0xF4)),  // above U+10FFFF
      ([0x61, 0xE2, 0x82], InvalidUTF8(offset: 1, byte: 0xE2)),  // cut short by the end
      ([0xE2, 0x82, 0x61], InvalidUTF8(offset: 0, byte: 0xE2)),  // cut short by ASCII
    ] as [([UInt8], InvalidUTF8)]
  )
  func theFirstBadByteIsFound(_ bytes: [UInt8], _ expected: InvalidUTF8) {
    #expect(InvalidUTF8.first(in: bytes) == expected)
    #expect(throws: expected) { try String(validatingUTF8Bytes: bytes) }
  }

  @Test func wellFormedTextPasses() throws {
    let text = "a é € 😀 \u{10FFFF} \u{D7FF} \u{E000}"
    #expect(InvalidUTF8.first(in: Array(text.utf8)) == nil)
    #expect(try String(validatingUTF8Bytes: Array(text.utf8)) == text)
    #expect(InvalidUTF8(offset: 12, byte: 0x0A).description == "invalid UTF-8 byte 0x0A at offset 12")
  }
}
