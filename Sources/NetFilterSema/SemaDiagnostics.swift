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
  case eventNameAsValue(String)
  case integerOutOfRange(value: String, type: String)
  case invalidCIDR(String)
  case invalidIPAddress(String, field: String)
  case invalidRange(String, mixedFamilies: Bool = false)
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
  case tooFewSequenceSteps
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
    case .argumentNotAllowed(let field): "field '\(echo(field))' takes no argument"
    case .argumentRequired(let field, let meaning):
      "field '\(echo(field))' needs an argument: \(echo(field))[\(meaning)]"
    case .badFunctionArgument(let function, let index, let expected, let found):
      "argument #\(index) of '\(echo(function))' must be \(echo(expected, limit: 200)), not \(echo(found, limit: 200))"
    case .badFunctionOption(let function, let value, let allowed):
      "'\(echo(value))' is not an option of '\(echo(function))'; use one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
    case .boundVariableUnknown(let name): "'$\(echo(name))' does not name an earlier sequence step"
    case .cannotCompare(let op, let lhs, let rhs):
      "cannot apply '\(op)' to \(echo(lhs, limit: 200)) and \(echo(rhs, limit: 200))"
    case .conditionExpected(let found): "expected a condition, but \(echo(found, limit: 200)) is not boolean"
    case .conditionNotValue: "expected a value, but found a condition"
    case .constantComparison: "comparison has no field or function on either side"
    case .duplicateAlias(let name): "alias '\(echo(name))' is already used by an earlier step"
    case .eventNameAsValue(let name): "'\(echo(name))' is an event name, not a value: write it quoted"
    case .integerOutOfRange(let value, let type): "integer \(echo(value)) does not fit in \(type)"
    case .invalidCIDR(let text): "invalid CIDR '\(echo(text))'"
    case .invalidIPAddress(let text, let field):
      "'\(echo(text))' is not an IP address, but '\(echo(field))' is an address field"
    case .invalidRange(let text, let mixedFamilies):
      mixedFamilies
        ? "range \(echo(text)) mixes an IPv4 and an IPv6 address; give both ends in one family"
        : "range \(echo(text)) is empty: its low end is above its high end"
    case .invalidRegex(let pattern, let message):
      "invalid regular expression '\(echo(pattern))': \(echo(message, limit: 200))"
    case .invalidValue(let value, let field): "'\(echo(value))' is not a value of '\(echo(field))'"
    case .listExpected(let op, let found):
      "'\(op)' needs a list on its right, such as ('a', 'b'), not \(echo(found, limit: 200))"
    case .listItemNotLiteral: "list items must be literal values"
    case .macroCycle(let name, let cycle): "macro '\(echo(name))' refers to itself: \(echo(cycle, limit: 200))"
    case .maxSpanTooLong(let text): "maximum span \(echo(text)) cannot be greater than 4h"
    case .mixedSequenceJoins: "sequence mixes a global 'by' with per-step 'by'"
    case .multiValuedRequired(let op, let field):
      "'\(op)' needs a field with several values, but '\(echo(field))' has one"
    case .notRequiresCondition(let found): "'not' needs a condition, but \(echo(found, limit: 200)) is not boolean"
    case .numericArgumentRequired(let field): "the argument of '\(echo(field))' must be a non-negative integer"
    case .sequenceJoinsIncomplete: "when one sequence step has 'by', every step needs it"
    case .tooFewSequenceSteps: "a sequence needs at least 2 steps"
    case .tooManySequenceSteps(let count): "sequence has \(count) steps; the limit is 5"
    case .unexpectedDuration: "a duration is only allowed after 'maxspan'"
    case .unknownEvent(let name): "unknown event '\(echo(name))'"
    case .unknownEventArgument(let event, let argument): "event '\(echo(event))' has no argument '\(echo(argument))'"
    case .unknownField(let name): "unknown field '\(echo(name))'"
    case .unknownFunction(let name): "unknown function '\(echo(name))'"
    case .wildcardOnNonString(let field): "wildcards need a string or address field, but '\(echo(field))' is a number"
    case .wrongArgumentCount(let function, let expected, let found):
      "'\(echo(function))' takes \(expected) argument\(expected == "1" ? "" : "s"), but \(found) \(found == 1 ? "was" : "were") given"
    case .structureNotValue(let path, let members):
      "'\(echo(path))' is a structure; name one of its members: \(members.joined(separator: ", "))"
    }
  }

  /// Input text as the message quotes it: at most `limit` scalars, every character visible.
  private func echo(_ text: String, limit: Int = MessageText.maxEchoedScalars) -> String {
    MessageText.echo(text, limit: limit)
  }

  /// A diagnostic with this message at `range`.
  public func diagnostic(at range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
    Diagnostic(id: id, severity: severity, message: message, range: range, notes: notes, fixIts: fixIts)
  }
}
