@_exported import NetFilterDiagnostics
@_exported import NetFilterEval
@_exported import NetFilterJSON
@_exported import NetFilterSema
@_exported import NetFilterSyntax

/// The entry point for embedding netfilter: a schema, limits and name resolution, and the
/// operations on filter text (`check`, `compile`).
///
/// ```swift
/// let env = Environment()
/// let result = env.check("net.dport in (53, 853) and net.dip = 8.8.8.8")
/// if result.isValid { print(result.normalized!) }
/// let filter = try env.compile("net.sip.names matches ('*.domain.')")
/// ```
public struct Environment: Sendable {
  /// The fields filters may name.
  public var schema: Schema
  /// Bounds on filter text.
  public var limits: Limits
  /// Macros and lists, if any.
  public var resolver: (any NameResolver)?

  /// Creates an environment.
  public init(schema: Schema = .network, limits: Limits = .default, resolver: (any NameResolver)? = nil) {
    self.schema = schema
    self.limits = limits
    self.resolver = resolver
  }

  /// Parses and type-checks `text`. Never throws: problems are in the result's diagnostics.
  public func check(_ text: String, name: String = "<expr>") -> CheckOutcome {
    let source = SourceText(text, name: name)
    let parsed = Parser.parse(source, limits: limits)
    guard let syntax = parsed.syntax else {
      return CheckOutcome(source: source, syntax: nil, checked: nil, diagnostics: parsed.diagnostics)
    }
    // The checker runs even after syntax errors (missing nodes are quiet), so one run reports
    // both kinds of mistakes.
    let checked = Checker.check(syntax, schema: schema, resolver: resolver, limits: limits)
    let failed = parsed.diagnostics.containsErrors
    let diagnostics = parsed.diagnostics + checked.diagnostics.filter { !failed || $0.severity == .error }
    return CheckOutcome(
      source: source,
      syntax: syntax,
      checked: failed ? nil : checked.filter,
      diagnostics: diagnostics.capped(at: limits.maxDiagnostics)
    )
  }

  /// Parses and type-checks `text`, throwing the diagnostics if there is any error.
  public func compile(_ text: String, name: String = "<expr>") throws(DiagnosticsError) -> Filter {
    let outcome = check(text, name: name)
    guard let checked = outcome.checked, let syntax = outcome.syntax else {
      throw DiagnosticsError(diagnostics: outcome.diagnostics.sortedByPosition(), source: outcome.source)
    }
    return Filter(
      source: outcome.source,
      syntax: syntax,
      checked: checked,
      warnings: outcome.diagnostics,
      schema: schema
    )
  }
}

/// What ``Environment/check(_:name:)`` found.
public struct CheckOutcome: Sendable {
  /// The checked source.
  public var source: SourceText
  /// The parse tree, if parsing got that far.
  public var syntax: FilterSyntax?
  /// The typed tree, when there were no errors.
  public var checked: CheckedFilter?
  /// Every diagnostic, errors and warnings.
  public var diagnostics: [Diagnostic]

  /// Whether the filter has no errors (warnings allowed).
  public var isValid: Bool { checked != nil && !diagnostics.containsErrors }

  /// The canonical text of a valid filter: parsing it gives the same tree.
  public var normalized: String? { isValid ? syntax.map(Printer.print) : nil }
}

/// A compiled filter: valid, typed, and ready to plan or evaluate.
public struct Filter: Sendable {
  /// The source text.
  public let source: SourceText
  /// The parse tree.
  public let syntax: FilterSyntax
  /// The typed tree.
  public let checked: CheckedFilter
  /// Warnings found while compiling.
  public let warnings: [Diagnostic]
  /// The schema the filter was checked against.
  public let schema: Schema

  /// The canonical text of the filter.
  public var canonicalSource: String { Printer.print(syntax) }

  /// The filter planned for events of type `E`; sequences are not evaluated yet.
  public func program<E: Event>(for type: E.Type = E.self) throws(PlanError) -> Program<E> {
    try Program<E>(checked, schema: schema)
  }

  /// A pipeline running this filter over `source` (``Pipeline``).
  public func pipeline(over source: EventSource) -> Pipeline {
    Pipeline(filter: checked, source: source, schema: schema)
  }
}
