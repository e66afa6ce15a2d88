import NetFilterDiagnostics
import NetFilterSyntax

/// A typed constant.
public enum Value: Sendable, Hashable, CustomStringConvertible {
  case bool(Bool)
  /// Any unsigned integer; the field it meets says the width.
  case uint(UInt64)
  /// A signed integer (function results, `evt.time.ns`).
  case int(Int64)
  case double(Double)
  case string(String)
  case ip(IPAddress)
  case cidr(CIDR)
  /// A glob pattern (for `matches` and Tracee wildcards); escaped wildcards are literal.
  case pattern(StringLiteral)
  case duration(UInt64)

  public var description: String {
    switch self {
    case .bool(let value): value ? "true" : "false"
    case .uint(let value): String(value)
    case .int(let value): String(value)
    case .double(let value): String(value)
    case .string(let value): Printer.quote(StringLiteral(value))
    case .ip(let value): value.description
    case .cidr(let value): value.description
    case .pattern(let value): Printer.quote(value)
    case .duration(let value): "\(value)ns"
    }
  }
}

/// One item of a checked list: a value, or an inclusive range of integers or addresses.
public enum ListItem: Sendable, Hashable, CustomStringConvertible {
  case value(Value)
  case range(Value, Value)

  public var description: String {
    switch self {
    case .value(let value): value.description
    case .range(let low, let high): "\(low)..\(high)"
    }
  }
}

/// A field bound to the schema, with its argument.
public struct FieldBinding: Sendable, Hashable, CustomStringConvertible {
  /// The schema entry.
  public var descriptor: FieldDescriptor
  /// The argument in `[ ]`, if any.
  public var argument: String?

  /// Creates a binding.
  public init(_ descriptor: FieldDescriptor, argument: String? = nil) {
    self.descriptor = descriptor
    self.argument = argument
  }

  /// The static type of the field as referenced (an argument can select one value of many).
  public var type: ExprType {
    var type = descriptor.exprType
    if argument != nil, descriptor.name == "ps.ancestor" || descriptor.name == "ps.envs" { type.isMulti = false }
    return type
  }

  public var description: String { argument.map { "\(descriptor.name)[\($0)]" } ?? descriptor.name }
}

/// An operand of a comparison, typed.
public indirect enum Operand: Sendable, Hashable {
  case field(FieldBinding)
  /// A field of the event matched by an earlier sequence step: `$e1.ps.name`.
  case boundField(alias: String, FieldBinding)
  case value(Value)
  case list([ListItem])
  case call(FunctionDescriptor.Name, [Operand])

  /// The operand's static type.
  public var type: ExprType {
    switch self {
    case .field(let field), .boundField(_, let field): field.type
    case .value(let value): ExprType(value.valueType)
    case .list: ExprType(.list)
    case .call(let name, let arguments): FunctionTable.returnType(name, arguments.map(\.type))
    }
  }
}

extension Value {
  /// The type of the constant.
  public var valueType: ValueType {
    switch self {
    case .bool: .bool
    case .uint: .uint64
    case .int: .int
    case .double: .double
    case .string, .pattern: .string
    case .ip: .ip
    case .cidr: .cidr
    case .duration: .duration
    }
  }
}

/// A type-checked comparison.
public struct Comparison: Sendable, Hashable {
  /// The operator.
  public var op: ComparisonOperator
  /// Whether the result is negated (`!=`, `not in`, …).
  public var negated: Bool
  /// The left side: a field, bound field or call.
  public var lhs: Operand
  /// The right side: a constant, list, field or call.
  public var rhs: Operand
  /// Where the comparison is in the source.
  public var range: SourceRange

  /// Creates a comparison.
  public init(op: ComparisonOperator, negated: Bool, lhs: Operand, rhs: Operand, range: SourceRange) {
    self.op = op
    self.negated = negated
    self.lhs = lhs
    self.rhs = rhs
    self.range = range
  }
}

/// A type-checked boolean expression: what the planner and the lowering consume.
public indirect enum CheckedExpr: Sendable, Hashable {
  case constant(Bool)
  case and([CheckedExpr])
  case or([CheckedExpr])
  case not(CheckedExpr)
  case comparison(Comparison)
  /// The event is of kind `name` (a bare event name such as `net_packet_dns`).
  case event(String)
  /// A boolean field or function used as a condition.
  case truth(Operand)
}

/// A type-checked `sequence` rule.
public struct CheckedSequence: Sendable, Hashable {
  /// The longest time between the first and last step, in nanoseconds.
  public var maxSpan: UInt64?
  /// Join keys shared by every step.
  public var by: [FieldBinding]
  /// The steps.
  public var steps: [CheckedStep]
}

/// A type-checked sequence step.
public struct CheckedStep: Sendable, Hashable {
  /// The step's condition.
  public var condition: CheckedExpr
  /// The step's own join keys.
  public var by: [FieldBinding]
  /// The alias later steps use to refer to this step's event.
  public var alias: String?
}

/// A type-checked filter.
public enum CheckedFilter: Sendable, Hashable {
  case expression(CheckedExpr)
  case sequence(CheckedSequence)
}
