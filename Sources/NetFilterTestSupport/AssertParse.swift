import NetFilterDiagnostics
import NetFilterSyntax
import Testing

/// Parses `markedSource` (with its location markers removed) and checks the result.
///
/// - `tree`: the expected ``DebugTree`` S-expression.
/// - `printed`: the expected canonical text (``Printer``).
/// - `diagnostics`: every expected diagnostic, in source order (none by default).
///
/// Whenever the input has no errors, the round trip is checked too: the printed tree parses
/// without diagnostics to the same tree, and printing that gives the same text again.
@discardableResult
public func assertParse(
  _ markedSource: String,
  tree expectedTree: String? = nil,
  printed expectedPrinted: String? = nil,
  diagnostics expected: [DiagnosticSpec] = [],
  limits: Limits = .default,
  sourceLocation: SourceLocation = #_sourceLocation
) -> ParseResult {
  let (markers, source) = extractMarkers(markedSource)
  let result = Parser.parse(SourceText(source), limits: limits)
  assertDiagnostics(
    result.diagnostics,
    match: expected,
    markers: markers,
    source: source,
    sourceLocation: sourceLocation
  )
  guard let syntax = result.syntax else {
    if expectedTree != nil || expectedPrinted != nil {
      Issue.record("The parser produced no tree", sourceLocation: sourceLocation)
    }
    return result
  }
  if let expectedTree {
    assertStringsEqualWithDiff(DebugTree.print(syntax), expectedTree, "Tree differs:", sourceLocation: sourceLocation)
  }
  let printed = Printer.print(syntax)
  if let expectedPrinted {
    assertStringsEqualWithDiff(printed, expectedPrinted, "Printed text differs:", sourceLocation: sourceLocation)
  }
  if !result.diagnostics.containsErrors {
    assertRoundTrip(syntax, sourceLocation: sourceLocation)
  }
  return result
}

/// Checks that `syntax` prints to text that parses, without diagnostics, to the same tree, and
/// that printing is stable.
public func assertRoundTrip(_ syntax: FilterSyntax, sourceLocation: SourceLocation = #_sourceLocation) {
  let printed = Printer.print(syntax)
  let reparsed = Parser.parse(SourceText(printed))
  if !reparsed.diagnostics.isEmpty {
    let listing = reparsed.diagnostics.map { describe($0, in: printed) }.joined(separator: "\n  ")
    Issue.record("Printed text '\(printed)' does not parse cleanly:\n  \(listing)", sourceLocation: sourceLocation)
    return
  }
  guard let again = reparsed.syntax else {
    Issue.record("Printed text '\(printed)' gave no tree", sourceLocation: sourceLocation)
    return
  }
  assertStringsEqualWithDiff(
    DebugTree.print(again),
    DebugTree.print(syntax),
    "Round trip through '\(printed)' changed the tree:",
    sourceLocation: sourceLocation
  )
  assertStringsEqualWithDiff(
    Printer.print(again),
    printed,
    "Printing is not stable:",
    sourceLocation: sourceLocation
  )
}

/// Every parse diagnostic of `source`, in source order.
public func parseDiagnostics(_ source: String, limits: Limits = .default) -> [Diagnostic] {
  Parser.parse(SourceText(source), limits: limits).diagnostics.sortedByPosition()
}
