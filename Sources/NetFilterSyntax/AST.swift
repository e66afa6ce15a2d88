import NetFilterDiagnostics

/// A parsed filter: either an expression or a `sequence` rule.
public enum FilterSyntax: Sendable, Hashable {
  case expression(Expr)
  case sequence(SequenceSyntax)
}

/// An expression node with its source range.
///
/// Parentheses leave no node (the printer puts back the ones precedence needs), and chains of the
/// same logical operator are flattened: `a or (b or c)` is one `or` with three operands.
public struct Expr: Sendable, Hashable {
  /// The node kinds.
  public indirect enum Kind: Sendable, Hashable {
    /// A field path, function-free: `net.dport`, `ps.envs[PATH]`, `net_packet_dns.data.src`.
    /// It may also name a macro or an event; the checker decides.
    case field(FieldReference)
    /// `$alias` or `$alias.field.path` inside a sequence step.
    case boundVariable(name: String, path: String?)
    /// A literal value.
    case literal(Literal)
    /// `( item, … )`.
    case list([Expr])
    /// `low..high`, only as a list item.
    case range(Expr, Expr)
    /// `name(arguments…)`.
    case call(name: String, arguments: [Expr])
    /// Prefix `not` / `!`.
    case not(Expr)
    /// `and` / `or` over two or more operands.
    case logical(LogicalOperator, [Expr])
    /// `lhs op rhs`; `negated` for `!=`, `<>` and infix `not op`.
    case comparison(ComparisonOperator, negated: Bool, Expr, Expr)
    /// `EVENT.data.ARG=v1,v2`: Tracee's form, with unquoted values; several values mean OR
    /// (for `!=`: none of them).
    case tracee(TraceeComparison)
    /// Syntax that was missing or wrong; a diagnostic was reported.
    case missing
  }

  /// The node.
  public var kind: Kind
  /// Where it is in the source.
  public var range: SourceRange

  /// Creates a node.
  public init(_ kind: Kind, range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}

/// A field name with an optional `[argument]`.
public struct FieldReference: Sendable, Hashable {
  /// The dotted name as written.
  public var name: String
  /// The argument inside `[ ]`, if any.
  public var argument: String?

  /// Creates a reference.
  public init(name: String, argument: String? = nil) {
    self.name = name
    self.argument = argument
  }

  /// The text as it would be written.
  public var text: String { argument.map { "\(name)[\($0)]" } ?? name }
}

/// A literal value as written.
public enum Literal: Sendable, Hashable {
  case string(StringLiteral)
  case integer(UInt64)
  case decimal(Double)
  case bool(Bool)
  case ip(IPAddress)
  case cidr(CIDR)
  case duration(Duration)
  /// An unquoted Tracee value, typed later by the field it meets.
  case bareWord(String)
}

/// `field op value,value,…` in Tracee's syntax.
public struct TraceeComparison: Sendable, Hashable {
  /// The field (an `EVENT.data.ARG…` path).
  public var field: FieldReference
  /// The field's range.
  public var fieldRange: SourceRange
  /// The operator (`=`, `<`, …).
  public var op: ComparisonOperator
  /// Whether the operator was `!=`.
  public var negated: Bool
  /// The values, each a ``Literal`` expression (bare words or quoted strings).
  public var values: [Expr]

  /// Creates a Tracee comparison.
  public init(field: FieldReference, fieldRange: SourceRange, op: ComparisonOperator, negated: Bool, values: [Expr]) {
    self.field = field
    self.fieldRange = fieldRange
    self.op = op
    self.negated = negated
    self.values = values
  }
}

/// `sequence [maxspan D] [by f, …] |step| [by f, … | as alias] …`.
public struct SequenceSyntax: Sendable, Hashable {
  /// The `maxspan` duration, if given.
  public var maxSpan: Duration?
  /// The range of the `maxspan` value.
  public var maxSpanRange: SourceRange?
  /// Join keys shared by every step.
  public var by: [Expr]
  /// The steps, in order.
  public var steps: [SequenceStep]
  /// The whole rule's range.
  public var range: SourceRange

  /// Creates a sequence.
  public init(maxSpan: Duration?, maxSpanRange: SourceRange?, by: [Expr], steps: [SequenceStep], range: SourceRange) {
    self.maxSpan = maxSpan
    self.maxSpanRange = maxSpanRange
    self.by = by
    self.steps = steps
    self.range = range
  }
}

/// One `|expr|` of a sequence, with its join keys or alias.
public struct SequenceStep: Sendable, Hashable {
  /// The step's condition.
  public var expression: Expr
  /// Per-step join keys.
  public var by: [Expr]
  /// The alias given with `as`.
  public var alias: String?
  /// The step's range, pipes included.
  public var range: SourceRange

  /// Creates a step.
  public init(expression: Expr, by: [Expr], alias: String?, range: SourceRange) {
    self.expression = expression
    self.by = by
    self.alias = alias
    self.range = range
  }
}
