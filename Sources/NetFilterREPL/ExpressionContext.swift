import NetFilter

/// Where in an expression the cursor is, from the tokens before the word being completed.
enum ExpressionContext: Equatable {
  /// Where an operand starts: a field, macro, function, event name or `not`.
  case operand
  /// After a field: an operator.
  case `operator`(FieldDescriptor)
  /// After a field and an operator (or inside its list): a value.
  case value(FieldDescriptor, ComparisonOperator?)
  /// After a complete comparison: `and`, `or`.
  case connective
  /// Nothing sensible to offer (inside a function's arguments after a literal, say).
  case none

  /// The context at the end of `before` (the text before the word).
  static func of(_ before: String, schema: Schema) -> ExpressionContext {
    let tokens = Self.tokens(before)
    // Lists opened after an operator: values of their field.
    var lists: [(depth: Int, field: FieldDescriptor?, op: ComparisonOperator?)] = []
    var depth = 0
    for (index, token) in tokens.enumerated() {
      switch token.kind {
      case .punctuation(.leftParen):
        depth += 1
        if index >= 2, let op = comparison(tokens[index - 1].kind) {
          lists.append((depth, field(tokens[index - 2].kind, schema), op))
        }
      case .punctuation(.rightParen):
        if lists.last?.depth == depth { lists.removeLast() }
        depth = max(0, depth - 1)
      default: break
      }
    }
    guard let last = tokens.last else { return .operand }
    if let list = lists.last, list.depth == depth {
      if case .punctuation(.leftParen) = last.kind { return list.field.map { .value($0, list.op) } ?? .none }
      if case .punctuation(.comma) = last.kind { return list.field.map { .value($0, list.op) } ?? .none }
      return .none
    }
    return after(last, tokens, schema)
  }

  private static func after(_ last: Token, _ tokens: [Token], _ schema: Schema) -> ExpressionContext {
    switch last.kind {
    case .keyword(.and), .keyword(.or), .keyword(.not), .punctuation(.leftParen), .punctuation(.ampAmp),
      .punctuation(.pipePipe), .punctuation(.bang):
      // `field not` expects an operator (`not in`); otherwise `not` starts an operand.
      if case .keyword(.not) = last.kind, tokens.count >= 2, let field = field(tokens[tokens.count - 2].kind, schema) {
        return .operator(field)
      }
      return .operand
    case .punctuation(.comma):
      return .operand
    case .identifier(let name):
      if let field = schema.field(named: name) { return .operator(field) }
      return .connective
    case .punctuation(.rightBracket):
      if tokens.count >= 4, let field = field(tokens[tokens.count - 4].kind, schema) { return .operator(field) }
      return .none
    case .string, .integer, .decimal, .ip, .cidr, .bareWord, .keyword(.true), .keyword(.false),
      .punctuation(.rightParen), .duration:
      return .connective
    default:
      if let op = comparison(last.kind), tokens.count >= 2 {
        let previous = tokens[tokens.count - 2].kind
        if let field = field(previous, schema) { return .value(field, op) }
        if case .punctuation(.rightBracket) = previous, tokens.count >= 5,
          let field = field(tokens[tokens.count - 5].kind, schema)
        {
          return .value(field, op)
        }
        if case .keyword(.not) = previous, tokens.count >= 3, let field = field(tokens[tokens.count - 3].kind, schema) {
          return .value(field, op)
        }
        return .none
      }
      return .none
    }
  }

  /// The tokens of `text`, up to the end or the first invalid token; bounded.
  static func tokens(_ text: String) -> [Token] {
    var lexer = Lexer(SourceText(text), diagnosticLimit: 1)
    var tokens: [Token] = []
    var traceeValue = false
    while tokens.count < 10_000 {
      let token = lexer.next(mode: traceeValue ? .traceeValue : .normal)
      if case .endOfInput = token.kind { break }
      if case .invalid = token.kind { break }
      tokens.append(token)
      traceeValue = isTraceeOperator(tokens)
    }
    return tokens
  }

  /// Whether the last token is `=` or `!=` right after a Tracee path (values then are bare words).
  private static func isTraceeOperator(_ tokens: [Token]) -> Bool {
    guard tokens.count >= 2, case .identifier(let name) = tokens[tokens.count - 2].kind else { return false }
    switch tokens[tokens.count - 1].kind {
    case .punctuation(.equal), .punctuation(.bangEqual):
      return name.contains(".data.") || name.contains(".args.")
    default: return false
    }
  }

  private static func field(_ kind: Token.Kind, _ schema: Schema) -> FieldDescriptor? {
    guard case .identifier(let name) = kind else { return nil }
    return schema.field(named: name)
  }

  /// The comparison operator a token spells, if any.
  static func comparison(_ kind: Token.Kind) -> ComparisonOperator? {
    switch kind {
    case .punctuation(.equal), .punctuation(.equalEqual), .punctuation(.bangEqual), .punctuation(.lessGreater):
      return .equal
    case .punctuation(.tildeEqual): return .iequal
    case .punctuation(.less): return .less
    case .punctuation(.lessEqual): return .lessEqual
    case .punctuation(.greater): return .greater
    case .punctuation(.greaterEqual): return .greaterEqual
    case .keyword(let keyword): return ComparisonOperator(rawValue: keyword.rawValue)
    default: return nil
    }
  }
}
