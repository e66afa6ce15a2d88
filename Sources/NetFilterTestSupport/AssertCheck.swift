import NetFilter
import NetFilterDiagnostics
import NetFilterSema
import NetFilterSyntax
import Testing

/// Parses and type-checks `markedSource` with an ``Environment`` and checks the result.
///
/// - `typed`: the expected ``TypedTree`` S-expression (the filter must be valid).
/// - `normalized`: the expected canonical text of a valid filter.
/// - `diagnostics`: every expected diagnostic, parse and check, in source order (none by default:
///   a filter that should check clean must not even warn).
///
/// For a valid filter, its normalized text must check to the same typed tree.
@discardableResult
public func assertCheck(
  _ markedSource: String,
  typed expectedTyped: String? = nil,
  normalized expectedNormalized: String? = nil,
  diagnostics expected: [DiagnosticSpec] = [],
  environment: Environment = Environment(),
  sourceLocation: SourceLocation = #_sourceLocation
) -> CheckOutcome {
  let (markers, source) = extractMarkers(markedSource)
  let outcome = environment.check(source)
  assertDiagnostics(
    outcome.diagnostics,
    match: expected,
    markers: markers,
    source: source,
    sourceLocation: sourceLocation
  )
  guard let checked = outcome.checked, outcome.isValid else {
    if expectedTyped != nil || expectedNormalized != nil {
      Issue.record("'\(source)' did not check, so it has no typed tree", sourceLocation: sourceLocation)
    }
    return outcome
  }
  let typed = TypedTree.print(checked)
  if let expectedTyped {
    assertStringsEqualWithDiff(typed, expectedTyped, "Typed tree differs:", sourceLocation: sourceLocation)
  }
  if let normalized = outcome.normalized {
    if let expectedNormalized {
      assertStringsEqualWithDiff(
        normalized,
        expectedNormalized,
        "Normalized text differs:",
        sourceLocation: sourceLocation
      )
    }
    let again = environment.check(normalized)
    if let rechecked = again.checked {
      assertStringsEqualWithDiff(
        TypedTree.print(rechecked),
        typed,
        "The normalized text '\(normalized)' checks differently:",
        sourceLocation: sourceLocation
      )
    } else {
      Issue.record("The normalized text '\(normalized)' does not check", sourceLocation: sourceLocation)
    }
  }
  return outcome
}
