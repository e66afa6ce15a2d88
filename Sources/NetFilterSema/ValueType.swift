/// The type of a value in a filter.
///
/// Integer widths are kept so that literals can be range-checked against the field they meet
/// (`net.dport = 70000` is an error).
public enum ValueType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case bool
  case uint8
  case uint16
  case uint32
  case uint64
  /// A signed 64-bit integer: function results such as `length()` and `evt.time.ns`.
  case int
  case double
  case string
  case ip
  case cidr
  case duration
  /// A list of values, such as a list literal (element types are checked per item).
  case list
  /// The type of an expression that already had an error; it matches anything to stop cascades.
  case error

  /// Whether the type is one of the integer types.
  public var isInteger: Bool { [.uint8, .uint16, .uint32, .uint64, .int].contains(self) }

  /// Whether values of the type are ordered numbers.
  public var isNumeric: Bool { isInteger || self == .double }

  /// The largest value of an unsigned type (nil for others).
  public var maximum: UInt64? {
    switch self {
    case .uint8: UInt64(UInt8.max)
    case .uint16: UInt64(UInt16.max)
    case .uint32: UInt64(UInt32.max)
    case .uint64: UInt64.max
    case .int: UInt64(Int64.max)
    default: nil
    }
  }

  /// How the type is named in messages.
  public var description: String { rawValue }
}

/// The static type of an expression: a value type, and whether it holds several values.
public struct ExprType: Sendable, Hashable, CustomStringConvertible {
  /// The type of each value.
  public var value: ValueType
  /// Whether the expression yields any number of values (a field with several values, or `split()`);
  /// predicates on it hold when ANY value satisfies them.
  public var isMulti: Bool

  /// Creates a type.
  public init(_ value: ValueType, multi: Bool = false) {
    self.value = value
    self.isMulti = multi
  }

  /// The type of an expression that already had an error.
  public static let error = ExprType(.error)
  /// The boolean type.
  public static let bool = ExprType(.bool)

  public var description: String { isMulti ? "list of \(value)" : value.description }
}
