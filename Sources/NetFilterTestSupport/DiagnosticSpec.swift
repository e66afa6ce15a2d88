import NetFilterDiagnostics
import Testing

/// What a test expects of one diagnostic, swift-syntax style.
///
/// The diagnostic must start at `locationMarker` (and end at `endMarker`, if given). `id` is the
/// stable ID (`"sema.unknownField"`), `message` the full message and `contains` a substring of it;
/// each is checked only when given. `notes` are the notes' messages, compared in order and in
/// full, except that a spec ending in `…` only has to be a prefix.
public struct DiagnosticSpec: Sendable {
  /// The marker where the diagnostic's range starts.
  public var locationMarker: String
  /// The marker where the range ends, if the test checks it.
  public var endMarker: String?
  /// The expected ID, such as `syntax.expectedOperator`.
  public var id: String?
  /// The expected full message.
  public var message: String?
  /// A substring the message must contain.
  public var contains: String?
  /// The expected notes.
  public var notes: [String]
  /// The expected severity.
  public var severity: Severity
  /// Where the spec was written, so that a failure points at it.
  public var sourceLocation: SourceLocation

  /// Creates a spec.
  public init(
    locationMarker: String = "1️⃣",
    endMarker: String? = nil,
    id: String? = nil,
    message: String? = nil,
    contains: String? = nil,
    notes: [String] = [],
    severity: Severity = .error,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    self.locationMarker = locationMarker
    self.endMarker = endMarker
    self.id = id
    self.message = message
    self.contains = contains
    self.notes = notes
    self.severity = severity
    self.sourceLocation = sourceLocation
  }
}

/// Checks `diagnostics` (in source order) against `specs`, one to one.
public func assertDiagnostics(
  _ diagnostics: [Diagnostic],
  match specs: [DiagnosticSpec],
  markers: [String: Int],
  source: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let sorted = diagnostics.sortedByPosition()
  if sorted.count != specs.count {
    let listing = sorted.map { "  \(describe($0, in: source))" }.joined(separator: "\n")
    Issue.record(
      "Expected \(specs.count) diagnostic(s) but got \(sorted.count):\n\(listing)",
      sourceLocation: sourceLocation
    )
  }
  for (diagnostic, spec) in zip(sorted, specs) {
    assertDiagnostic(diagnostic, matches: spec, markers: markers, source: source)
  }
}

/// Checks one diagnostic against one spec; failures point at the spec.
public func assertDiagnostic(
  _ diagnostic: Diagnostic,
  matches spec: DiagnosticSpec,
  markers: [String: Int],
  source: String
) {
  let where_ = spec.sourceLocation
  let shown = describe(diagnostic, in: source)
  if let id = spec.id, diagnostic.id.description != id {
    Issue.record("ID \(diagnostic.id) is not \(id): \(shown)", sourceLocation: where_)
  }
  if let message = spec.message, diagnostic.message != message {
    Issue.record("Message differs.\n  actual:   \(diagnostic.message)\n  expected: \(message)", sourceLocation: where_)
  }
  if let part = spec.contains, !diagnostic.message.contains(part) {
    Issue.record("Message does not contain '\(part)': \(shown)", sourceLocation: where_)
  }
  if diagnostic.severity != spec.severity {
    Issue.record("Severity \(diagnostic.severity) is not \(spec.severity): \(shown)", sourceLocation: where_)
  }
  if let offset = markers[spec.locationMarker] {
    if diagnostic.range.lowerBound != offset {
      Issue.record(
        "Diagnostic starts at offset \(diagnostic.range.lowerBound), not at \(spec.locationMarker) (\(offset)): \(shown)",
        sourceLocation: where_
      )
    }
  } else {
    Issue.record("Marker \(spec.locationMarker) is not in the source", sourceLocation: where_)
  }
  if let end = spec.endMarker {
    if let offset = markers[end] {
      if diagnostic.range.upperBound != offset {
        Issue.record(
          "Diagnostic ends at offset \(diagnostic.range.upperBound), not at \(end) (\(offset)): \(shown)",
          sourceLocation: where_
        )
      }
    } else {
      Issue.record("Marker \(end) is not in the source", sourceLocation: where_)
    }
  }
  let actualNotes = diagnostic.notes.map(\.message)
  let notesMatch =
    actualNotes.count == spec.notes.count
    && zip(actualNotes, spec.notes).allSatisfy { actual, expected in
      expected.hasSuffix("…") ? actual.hasPrefix(String(expected.dropLast())) : actual == expected
    }
  if !notesMatch {
    Issue.record("Notes differ.\n  actual:   \(actualNotes)\n  expected: \(spec.notes)", sourceLocation: where_)
  }
}

/// `offset 4..<9 'dprot' error [sema.unknownField]: unknown field 'net.dprot'`, for failure messages.
func describe(_ diagnostic: Diagnostic, in source: String) -> String {
  let text = SourceText(source).slice(diagnostic.range)
  let notes = diagnostic.notes.isEmpty ? "" : " notes: \(diagnostic.notes.map(\.message))"
  return "offset \(diagnostic.range) '\(text)' \(diagnostic.severity) [\(diagnostic.id)]: \(diagnostic.message)\(notes)"
}
