import NetFilterDiagnostics

/// The catalog of syntax and limit diagnostics. Keep the cases sorted alphabetically; each case's
/// name is its stable ID within the `syntax` (or `limits`) domain.
public enum SyntaxMessage: Sendable, Hashable {
  case emptyList
  case expectedBoundVariableName
  case expectedDuration(after: String)
  case expectedExpression(after: String?)
  case expectedFieldArgument
  case expectedFieldAfterBy
  case expectedIdentifierAfterAs
  case expectedListItem(after: String)
  case expectedOperator(found: String)
  case expectedOperatorAfterNot
  case expectedPipe(context: String)
  case expectedRightBracket
  case expectedRightParen(context: String)
  case expectedTraceeValue
  case fieldArgumentNeedsNoSpace
  case integerTooLarge(String)
  case invalidCIDR(String, bits: Int)
  case invalidEscape(String)
  case invalidIPAddress(String)
  case invalidNumber(String)
  case invalidUTF8(InvalidUTF8)
  case negativeNumber(String)
  case negativePrefixLength(String, bits: Int)
  case rangeOutsideList
  case unexpectedCharacter(String)
  case unmatchedRightParen
  case unterminatedString
  // limits
  case expansionTooLarge(limit: Int)
  case inputTooLong(Int, limit: Int)
  case listTooLong(limit: Int)
  case nestingTooDeep(limit: Int)
  case tooManyArguments(String, limit: Int)

  /// The stable ID.
  public var id: DiagnosticID {
    let name =
      switch self {
      case .emptyList: "emptyList"
      case .expectedBoundVariableName: "expectedBoundVariableName"
      case .expectedDuration: "expectedDuration"
      case .expectedExpression: "expectedExpression"
      case .expectedFieldArgument: "expectedFieldArgument"
      case .expectedFieldAfterBy: "expectedFieldAfterBy"
      case .expectedIdentifierAfterAs: "expectedIdentifierAfterAs"
      case .expectedListItem: "expectedListItem"
      case .expectedOperator: "expectedOperator"
      case .expectedOperatorAfterNot: "expectedOperatorAfterNot"
      case .expectedPipe: "expectedPipe"
      case .expectedRightBracket: "expectedRightBracket"
      case .expectedRightParen: "expectedRightParen"
      case .expectedTraceeValue: "expectedTraceeValue"
      case .fieldArgumentNeedsNoSpace: "fieldArgumentNeedsNoSpace"
      case .integerTooLarge: "integerTooLarge"
      case .invalidCIDR: "invalidCIDR"
      case .invalidEscape: "invalidEscape"
      case .invalidIPAddress: "invalidIPAddress"
      case .invalidNumber: "invalidNumber"
      case .invalidUTF8: "invalidUTF8"
      case .negativeNumber: "negativeNumber"
      case .negativePrefixLength: "negativePrefixLength"
      case .rangeOutsideList: "rangeOutsideList"
      case .unexpectedCharacter: "unexpectedCharacter"
      case .unmatchedRightParen: "unmatchedRightParen"
      case .unterminatedString: "unterminatedString"
      case .expansionTooLarge: "expansionTooLarge"
      case .inputTooLong: "inputTooLong"
      case .listTooLong: "listTooLong"
      case .nestingTooDeep: "nestingTooDeep"
      case .tooManyArguments: "tooManyArguments"
      }
    switch self {
    case .expansionTooLarge, .inputTooLong, .listTooLong, .nestingTooDeep, .tooManyArguments:
      return DiagnosticID(domain: "limits", name: name)
    default:
      return DiagnosticID(domain: "syntax", name: name)
    }
  }

  /// The message text.
  public var message: String {
    switch self {
    case .emptyList: "a list needs at least one item"
    case .expectedBoundVariableName: "expected a name after '$'"
    case .expectedDuration(let after): "expected a duration such as '5s' after '\(echo(after))'"
    case .expectedExpression(let after):
      if let after {
        "expected field, string, number, IP address, list or function after '\(echo(after))'"
      } else {
        "expected field, string, number, IP address, list or function"
      }
    case .expectedFieldArgument: "expected a field argument (a name or an integer) after '['"
    case .expectedFieldAfterBy: "expected field after 'by'"
    case .expectedIdentifierAfterAs: "expected an alias name after 'as'"
    case .expectedListItem(let after): "expected list item after '\(echo(after))'"
    case .expectedOperator(let found): "expected operator, ')', ',' or '|' but found '\(echo(found))'"
    case .expectedOperatorAfterNot: "expected operator after infix 'not', such as 'not in' or 'not matches'"
    case .expectedPipe(let context): "expected '|' \(context)"
    case .expectedRightBracket: "expected ']' to end the field argument"
    case .expectedRightParen(let context): "expected ')' to end \(context)"
    case .expectedTraceeValue: "expected a value after the Tracee-style comparison"
    case .fieldArgumentNeedsNoSpace: "a field argument must follow the field name without a space"
    case .integerTooLarge(let text): "integer '\(echo(text))' does not fit in 64 bits"
    case .invalidCIDR(let text, let bits): "invalid CIDR '\(echo(text))': the prefix length must be 0 to \(bits)"
    case .invalidEscape(let text): "invalid escape sequence '\(echo(text))' in string"
    case .invalidIPAddress(let text): "invalid IP address '\(echo(text))'"
    case .invalidNumber(let text): "invalid number '\(echo(text))'"
    case .invalidUTF8(let problem): problem.description
    case .negativeNumber(let text):
      "negative number '\(echo(text))': ports, sizes and other numbers in filters are 0 or more"
    case .negativePrefixLength(let text, let bits):
      "invalid CIDR '\(echo(text))': the prefix length is negative; it must be 0 to \(bits)"
    case .rangeOutsideList: "a range 'low..high' is only allowed inside a list"
    case .unexpectedCharacter(let text):
      if text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first, MessageText.isInvisible(scalar) {
        "unexpected character \(MessageText.name(of: scalar))"
      } else {
        "unexpected character '\(echo(text))'"
      }
    case .unmatchedRightParen: "unexpected ')' without a matching '('"
    case .unterminatedString: "unterminated string"
    case .expansionTooLarge(let limit):
      "filter has more than \(limit) conditions and list items once macros are expanded"
    case .inputTooLong(let length, let limit): "filter is \(length) bytes long; the limit is \(limit)"
    case .listTooLong(let limit): "list has more than \(limit) items"
    case .nestingTooDeep(let limit): "expression is nested more than \(limit) levels deep"
    case .tooManyArguments(let name, let limit): "call to '\(echo(name))' has more than \(limit) arguments"
    }
  }

  /// Input text as the message quotes it.
  private func echo(_ text: String) -> String { MessageText.echo(text) }

  /// A diagnostic with this message at `range`.
  public func diagnostic(at range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
    Diagnostic(id: id, severity: .error, message: message, range: range, notes: notes, fixIts: fixIts)
  }
}

extension DiagnosticID {
  /// The input ended where more was expected: the REPL continues the line instead of failing.
  public static let unexpectedEndOfInput = DiagnosticID(domain: "syntax", name: "unexpectedEndOfInput")
}
