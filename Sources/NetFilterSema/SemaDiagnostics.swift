import NetFilterDiagnostics

/// The catalog of type-checking diagnostics (domain `sema`). Keep the cases sorted alphabetically;
/// each case's name is its stable ID.
public enum SemaMessage: Sendable, Hashable {
  case alwaysConstant(Bool)
  case argumentNotAllowed(field: String)
  case argumentRequired(field: String, meaning: String)
  case badFunctionArgument(function: String, index: Int, expected: String, found: String)
  case badFunctionOption(function: String, value: String, allowed: [String])
  case boundVariableUnknown(String)
  case cannotCompare(op: String, lhs: String, rhs: String)
  case conditionExpected(found: String)
  case conditionNotValue
  case constantComparison
  case duplicateAlias(String)
  case integerOutOfRange(value: String, type: String)
  case invalidCIDR(String)
  case invalidIPAddress(String, field: String)
  case invalidRange(String)
  case invalidRegex(pattern: String, message: String)
  case invalidValue(value: String, field: String)
  case listExpected(op: String, found: String)
  case listItemNotLiteral
  case macroCycle(name: String, cycle: String)
  case maxSpanTooLong(String)
  case mixedSequenceJoins
  case multiValuedRequired(op: String, field: String)
  case notRequiresCondition(found: String)
  case numericArgumentRequired(field: String)
  case sequenceJoinsIncomplete
  case tooManySequenceSteps(Int)
  case unexpectedDuration
  case unknownEvent(String)
  case unknownEventArgument(event: String, argument: String)
  case unknownField(String)
  case unknownFunction(String)
  case wildcardOnNonString(field: String)
  case wrongArgumentCount(function: String, expected: String, found: Int)
  case structureNotValue(path: String, members: [String])

  /// The stable ID: `sema.<case name>`.
  public var id: DiagnosticID {
    let label = String(describing: self).prefix { $0 != "(" }
    return DiagnosticID(domain: "sema", name: String(label))
  }

  /// Warnings do not stop compilation.
  public var severity: Severity {
    switch self {
    case .alwaysConstant: .warning
    default: .error
    }
  }

  /// The message text.
  public var message: String {
    switch self {
    case .alwaysConstant(let value): "filter is always \(value)"
    case .argumentNotAllowed(let field): "field '\(field)' takes no argument"
    case .argumentRequired(let field, let meaning): "field '\(field)' needs an argument: \(field)[\(meaning)]"
    case .badFunctionArgument(let function, let index, let expected, let found):
      "argument #\(index) of '\(function)' must be \(expected), not \(found)"
    case .badFunctionOption(let function, let value, let allowed):
      "'\(value)' is not an option of '\(function)'; use one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
    case .boundVariableUnknown(let name): "'$\(name)' does not name an earlier sequence step"
    case .cannotCompare(let op, let lhs, let rhs): "cannot apply '\(op)' to \(lhs) and \(rhs)"
    case .conditionExpected(let found): "expected a condition, but \(found) is not boolean"
    case .conditionNotValue: "expected a value, but found a condition"
    case .constantComparison: "comparison has no field or function on either side"
    case .duplicateAlias(let name): "alias '\(name)' is already used by an earlier step"
    case .integerOutOfRange(let value, let type): "integer \(value) does not fit in \(type)"
    case .invalidCIDR(let text): "invalid CIDR '\(text)'"
    case .invalidIPAddress(let text, let field): "'\(text)' is not an IP address, but '\(field)' is an address field"
    case .invalidRange(let text): "range \(text) is empty: its low end is above its high end"
    case .invalidRegex(let pattern, let message): "invalid regular expression '\(pattern)': \(message)"
    case .invalidValue(let value, let field): "'\(value)' is not a value of '\(field)'"
    case .listExpected(let op, let found): "'\(op)' needs a list on its right, such as ('a', 'b'), not \(found)"
    case .listItemNotLiteral: "list items must be literal values"
    case .macroCycle(let name, let cycle): "macro '\(name)' refers to itself: \(cycle)"
    case .maxSpanTooLong(let text): "maximum span \(text) cannot be greater than 4h"
    case .mixedSequenceJoins: "sequence mixes a global 'by' with per-step 'by'"
    case .multiValuedRequired(let op, let field): "'\(op)' needs a field with several values, but '\(field)' has one"
    case .notRequiresCondition(let found): "'not' needs a condition, but \(found) is not boolean"
    case .numericArgumentRequired(let field): "the argument of '\(field)' must be a non-negative integer"
    case .sequenceJoinsIncomplete: "when one sequence step has 'by', every step needs it"
    case .tooManySequenceSteps(let count): "sequence has \(count) steps; the limit is 5"
    case .unexpectedDuration: "a duration is only allowed after 'maxspan'"
    case .unknownEvent(let name): "unknown event '\(name)'"
    case .unknownEventArgument(let event, let argument): "event '\(event)' has no argument '\(argument)'"
    case .unknownField(let name): "unknown field '\(name)'"
    case .unknownFunction(let name): "unknown function '\(name)'"
    case .wildcardOnNonString(let field): "wildcards need a string or address field, but '\(field)' is a number"
    case .wrongArgumentCount(let function, let expected, let found):
      "'\(function)' takes \(expected) argument\(expected == "1" ? "" : "s"), but \(found) \(found == 1 ? "was" : "were") given"
    case .structureNotValue(let path, let members):
      "'\(path)' is a structure; name one of its members: \(members.joined(separator: ", "))"
    }
  }

  /// A diagnostic with this message at `range`.
  public func diagnostic(at range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
    Diagnostic(id: id, severity: severity, message: message, range: range, notes: notes, fixIts: fixIts)
  }
}
