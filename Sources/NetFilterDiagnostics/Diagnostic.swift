/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
  case error, warning, note, remark

  private var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .remark: 2
    case .note: 3
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A stable identifier for a kind of diagnostic, such as `syntax.expectedExpression`.
///
/// IDs are API: `--diagnostic-style json` prints them and tests assert on them. Never renumber or
/// rename one; add a new ID instead.
public struct DiagnosticID: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The stage that reports it: `syntax`, `sema`, `limits`, …
  public let domain: String
  /// The name of the diagnostic within its domain.
  public let name: String

  /// Creates an ID.
  public init(domain: String, name: String) {
    self.domain = domain
    self.name = name
  }

  public var description: String { "\(domain).\(name)" }
}

/// A follow-up to a diagnostic, such as "did you mean 'net.dport'?".
public struct Note: Sendable, Hashable {
  /// The note's text.
  public var message: String
  /// Where the note points, if somewhere other than the diagnostic itself.
  public var range: SourceRange?

  /// Creates a note.
  public init(_ message: String, at range: SourceRange? = nil) {
    self.message = message
    self.range = range
  }
}

/// A suggested edit that would fix a diagnostic. Describing it does not apply it.
public struct FixIt: Sendable, Hashable {
  /// A short imperative description, such as "replace 'aand' with 'and'".
  public var message: String
  /// The text to replace.
  public var range: SourceRange
  /// The replacement text.
  public var replacement: String

  /// Creates a fix-it.
  public init(_ message: String, replacing range: SourceRange, with replacement: String) {
    self.message = message
    self.range = range
    self.replacement = replacement
  }
}

/// A problem found in a filter: a value with an ID, a severity, a message and a source range.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
  /// The stable ID of this kind of problem.
  public var id: DiagnosticID
  /// How serious it is.
  public var severity: Severity
  /// The message: lowercase, no final period, code in single quotes.
  public var message: String
  /// The source the diagnostic points at; empty ranges mark missing syntax.
  public var range: SourceRange
  /// Follow-ups, such as suggestions.
  public var notes: [Note]
  /// Suggested edits.
  public var fixIts: [FixIt]

  /// Creates a diagnostic.
  public init(
    id: DiagnosticID,
    severity: Severity = .error,
    message: String,
    range: SourceRange,
    notes: [Note] = [],
    fixIts: [FixIt] = []
  ) {
    self.id = id
    self.severity = severity
    self.message = message
    self.range = range
    self.notes = notes
    self.fixIts = fixIts
  }

  public var description: String { "\(range.lowerBound): \(severity.rawValue): \(message) [\(id)]" }
}

extension Diagnostic {
  /// Whether the diagnostic says the input ended too early, rather than being wrong.
  ///
  /// A REPL shows a continuation prompt for such input instead of an error.
  public var isUnexpectedEnd: Bool { id == DiagnosticID(domain: "syntax", name: "unexpectedEndOfInput") }
}

/// The error thrown when a filter does not compile; it holds at least one error diagnostic.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
  /// Every diagnostic found, errors and warnings, in source order.
  public var diagnostics: [Diagnostic]
  /// The source they refer to.
  public var source: SourceText

  /// Creates the error.
  public init(diagnostics: [Diagnostic], source: SourceText) {
    self.diagnostics = diagnostics
    self.source = source
  }

  public var description: String {
    DiagnosticFormatter(style: .llvm).render(diagnostics, in: source)
  }
}

extension Diagnostic {
  /// The ID of the note that ends a capped list of diagnostics.
  public static let tooManyDiagnosticsID = DiagnosticID(domain: "limits", name: "tooManyDiagnostics")

  /// The note that stands for every diagnostic past the first `limit`, as cel-go's "too many
  /// errors": placed where the first one left out was.
  public static func tooManyDiagnostics(limit: Int, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      id: tooManyDiagnosticsID,
      severity: .note,
      message: "too many errors: only the first \(limit) are reported; stopping",
      range: range
    )
  }
}

extension Array where Element == Diagnostic {
  /// Appends `diagnostic` while fewer than `limit` are held; the first one past the limit becomes
  /// a ``Diagnostic/tooManyDiagnostics(limit:at:)`` note, and later ones are dropped.
  public mutating func append(_ diagnostic: Diagnostic, limit: Int) {
    if count < limit {
      append(diagnostic)
    } else if count == limit {
      append(.tooManyDiagnostics(limit: limit, at: diagnostic.range))
    }
  }

  /// At most `limit` diagnostics, in order, followed by one ``Diagnostic/tooManyDiagnostics(limit:at:)``
  /// note if any were left out (earlier such notes, as from merging capped lists, are folded into
  /// it).
  public func capped(at limit: Int) -> [Diagnostic] {
    let found = filter { $0.id != Diagnostic.tooManyDiagnosticsID }
    guard found.count > limit else { return self }
    return Array(found.prefix(limit)) + [.tooManyDiagnostics(limit: limit, at: found[limit].range)]
  }

  /// Whether any element is an error.
  public var containsErrors: Bool { contains { $0.severity == .error } }

  /// The diagnostics in source order, errors before warnings at the same position.
  public func sortedByPosition() -> [Diagnostic] {
    enumerated().sorted { a, b in
      if a.element.range.lowerBound != b.element.range.lowerBound {
        return a.element.range.lowerBound < b.element.range.lowerBound
      }
      return a.offset < b.offset
    }.map(\.element)
  }
}
