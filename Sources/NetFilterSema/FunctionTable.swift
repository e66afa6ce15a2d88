/// What a function parameter accepts.
public enum ParameterKind: Sendable, Hashable {
  /// Any string expression: a field, literal or call.
  case string
  /// A string or a list of strings (a field with several values, or a call returning a list).
  case stringOrList
  /// A string literal (the value must be known when the filter is compiled).
  case stringLiteral
  /// An IP address expression.
  case ip
  /// A CIDR, written as a CIDR literal or a string literal.
  case cidr
  /// An integer expression.
  case integer
  /// A boolean literal.
  case bool
  /// Any single value, turned into text.
  case scalar

  /// How the kind is named in messages.
  var description: String {
    switch self {
    case .string: "a string"
    case .stringOrList: "a string or a list of strings"
    case .stringLiteral: "a string literal"
    case .ip: "an IP address"
    case .cidr: "a CIDR such as '10.0.0.0/8'"
    case .integer: "an integer"
    case .bool: "true or false"
    case .scalar: "a single value"
    }
  }
}

/// A function of the language: its parameters and result type.
public struct FunctionDescriptor: Sendable, Hashable {
  /// The functions, by name.
  public enum Name: String, Sendable, Hashable, CaseIterable {
    case base, cidr_contains, concat, count, dir, entropy, ext, glob, indexof, is_abs, length, lower, ltrim
    case md5, regex, replace, rtrim, split, substr, upper
  }

  /// The name.
  public var name: Name
  /// The fixed parameters, in order.
  public var parameters: [ParameterKind]
  /// How many of the fixed parameters are required.
  public var required: Int
  /// A parameter that may repeat after the fixed ones, up to `maximum` arguments in all.
  public var variadic: ParameterKind?
  /// The most arguments accepted.
  public var maximum: Int
  /// Allowed values of a trailing option string (`indexof` order, `entropy` algorithm).
  public var options: [String]?
  /// A one-line description.
  public var summary: String
}

/// The function table: one row per function.
public enum FunctionTable {
  /// Every function, by name.
  public static let all: [FunctionDescriptor.Name: FunctionDescriptor] = {
    var table: [FunctionDescriptor.Name: FunctionDescriptor] = [:]
    for row in rows { table[row.name] = row }
    return table
  }()

  private static func row(
    _ name: FunctionDescriptor.Name,
    _ parameters: [ParameterKind],
    required: Int? = nil,
    variadic: ParameterKind? = nil,
    maximum: Int? = nil,
    options: [String]? = nil,
    _ summary: String
  ) -> FunctionDescriptor {
    FunctionDescriptor(
      name: name,
      parameters: parameters,
      required: required ?? parameters.count,
      variadic: variadic,
      maximum: maximum ?? parameters.count,
      options: options,
      summary: summary
    )
  }

  static let rows: [FunctionDescriptor] = [
    row(.base, [.stringOrList, .bool], required: 1, "last path element; false as 2nd argument drops the extension"),
    row(.cidr_contains, [.ip, .cidr], variadic: .cidr, maximum: 32, "whether the address is in any of the CIDRs"),
    row(.concat, [.scalar, .scalar], variadic: .scalar, maximum: 32, "the arguments joined as text"),
    row(.count, [.stringOrList, .stringLiteral, .bool], required: 2, "number of elements or words matching a glob"),
    row(.dir, [.stringOrList], "the path without its last element"),
    row(.entropy, [.string, .stringLiteral], required: 1, options: ["shannon"], "Shannon entropy times length"),
    row(.ext, [.string, .bool], required: 1, "the file extension; false as 2nd argument drops the dot"),
    row(.glob, [.stringLiteral], "files matching a glob pattern"),
    row(
      .indexof,
      [.string, .string, .stringLiteral],
      required: 2,
      options: ["first", "any", "last", "lastany"],
      "position of a substring, or -1"
    ),
    row(.is_abs, [.string], "whether the path is absolute"),
    row(.length, [.stringOrList], "characters in a string, or elements in a list"),
    row(.lower, [.stringOrList], "lowercase"),
    row(.ltrim, [.string, .string], "the string without a prefix"),
    row(.md5, [.string], "MD5 digest as hex"),
    row(.regex, [.string, .stringLiteral], variadic: .stringLiteral, maximum: 32, "whether any PCRE2 pattern matches"),
    row(.replace, [.string, .string, .string], variadic: .string, maximum: 31, "replaces old/new pairs in order"),
    row(.rtrim, [.string, .string], "the string without a suffix"),
    row(.split, [.string, .stringLiteral], "the parts between separators"),
    row(.substr, [.string, .integer, .integer], required: 2, "bytes from start up to end"),
    row(.upper, [.stringOrList], "uppercase"),
  ]

  /// The result type of a call, given its arguments' types.
  public static func returnType(_ name: FunctionDescriptor.Name, _ arguments: [ExprType]) -> ExprType {
    let first = arguments.first ?? ExprType(.string)
    switch name {
    case .cidr_contains, .is_abs, .regex: return .bool
    case .count, .entropy, .indexof, .length: return ExprType(.int)
    case .glob, .split: return ExprType(.string, multi: true)
    case .base, .dir, .lower, .upper: return ExprType(.string, multi: first.isMulti)
    case .concat, .ext, .ltrim, .md5, .replace, .rtrim, .substr: return ExprType(.string)
    }
  }
}
