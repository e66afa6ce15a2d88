import NetFilterDiagnostics

extension Parser {
  /// An operand: a field, literal, list, call, bound variable, parenthesized expression or `not`.
  mutating func parsePrefix() -> Expr {
    let start = token
    switch token.kind {
    case .identifier(let name):
      advance()
      if at(.punctuation(.leftParen)), !token.hasLeadingSpace { return parseCall(name: name, start: start) }
      return parseField(name: name, start: start)
    case .boundVariable(let text):
      advance()
      let parts = text.split(separator: ".", maxSplits: 1)
      let path = parts.count > 1 ? String(parts[1]) : nil
      return Expr(.boundVariable(name: String(parts[0]), path: path), range: start.range)
    case .keyword(.not), .punctuation(.bang):
      advance()
      let operand = parseExpression(above: Precedence.not)
      return Expr(.not(operand), range: start.range.union(operand.range))
    case .punctuation(.leftParen):
      return parseParenthesized()
    case .invalid:
      advance()
      return Expr(.missing, range: start.range)
    default:
      if let literal = Self.literal(token.kind) {
        advance()
        let expr = Expr(.literal(literal), range: start.range)
        guard at(.punctuation(.dotDot)) else { return expr }
        report(.rangeOutsideList, token.range)
        return parseRange(low: expr)
      }
      report(.expectedExpression(after: previousText), SourceRange.at(token.range.lowerBound))
      return Expr(.missing, range: .at(token.range.lowerBound))
    }
  }

  static func literal(_ kind: Token.Kind) -> Literal? {
    switch kind {
    case .string(let value): .string(value)
    case .integer(let value): .integer(value)
    case .decimal(let value): .decimal(value)
    case .ip(let value): .ip(value)
    case .cidr(let value): .cidr(value)
    case .duration(let value): .duration(value)
    case .keyword(.true): .bool(true)
    case .keyword(.false): .bool(false)
    default: nil
    }
  }

  /// `name` or `name[argument]`; the name was consumed.
  mutating func parseField(name: String, start: Token) -> Expr {
    guard at(.punctuation(.leftBracket)) else { return Expr(.field(FieldReference(name: name)), range: start.range) }
    if token.hasLeadingSpace { report(.fieldArgumentNeedsNoSpace, token.range) }
    advance()
    var argument: String?
    switch token.kind {
    case .identifier(let text): argument = text
    case .integer: argument = source.slice(token.range)
    case .string(let string): argument = string.value
    default:
      report(.expectedFieldArgument, token.range)
      // Skip one bad token (`ps.envs[$x]`), so that its `]` still closes the argument.
      if !at(.punctuation(.rightBracket)), peek().kind == .punctuation(.rightBracket) { advance() }
    }
    if argument != nil { advance() }
    if !eat(.punctuation(.rightBracket)) { report(.expectedRightBracket, .at(token.range.lowerBound)) }
    let reference = FieldReference(name: name, argument: argument ?? "")
    return Expr(.field(reference), range: start.range.union(previous.range))
  }

  /// `name(arguments…)`; the name was consumed and the current token is `(`.
  mutating func parseCall(name: String, start: Token) -> Expr {
    let open = token
    let inStep = inSequenceStep
    inSequenceStep = false
    defer { inSequenceStep = inStep }
    advance()
    var arguments: [Expr] = []
    if !at(.punctuation(.rightParen)) {
      repeat {
        if arguments.count == limits.maxArguments {
          report(.tooManyArguments(name, limit: limits.maxArguments), token.range)
          aborted = true
          break
        }
        arguments.append(parseExpression())
      } while !aborted && eat(.punctuation(.comma))
    }
    expectClosingParen(context: "the call to '\(name)'", open: open)
    return Expr(.call(name: name.lowercased(), arguments: arguments), range: start.range.union(previous.range))
  }

  /// `( expr )` or a list `( item, … )`. A single literal in parentheses is a one-item list.
  mutating func parseParenthesized() -> Expr {
    // Nesting is counted by `parseExpression`, which every item goes through.
    let open = token
    // Inside parentheses, `||` means `or` even in a sequence step.
    let inStep = inSequenceStep
    inSequenceStep = false
    defer { inSequenceStep = inStep }
    advance()
    if at(.punctuation(.rightParen)) {
      report(.emptyList, SourceRange(open.range.lowerBound, token.range.upperBound))
      advance()
      return Expr(.list([]), range: open.range.union(previous.range))
    }
    let first = parseListItem()
    if at(.punctuation(.comma)) { return parseListRest(first: first, open: open) }
    expectClosingParen(context: "the parenthesized expression", open: open)
    switch first.kind {
    case .literal, .range:
      return Expr(.list([first]), range: open.range.union(previous.range))
    default:
      return Expr(first.kind, range: open.range.union(previous.range))
    }
  }

  /// The items after the first comma of a list.
  mutating func parseListRest(first: Expr, open: Token) -> Expr {
    var items = [first]
    while !aborted, eat(.punctuation(.comma)) {
      if at(.punctuation(.rightParen)) || at(.endOfInput) {
        report(.expectedListItem(after: ","), .at(token.range.lowerBound))
        break
      }
      if items.count == limits.maxListItems {
        report(.listTooLong(limit: limits.maxListItems), token.range)
        aborted = true
        break
      }
      items.append(parseListItem())
    }
    expectClosingParen(context: "the list", open: open)
    return Expr(.list(items), range: open.range.union(previous.range))
  }

  /// A list item: an expression, or a range `low..high`.
  mutating func parseListItem() -> Expr {
    if let literal = Self.literal(token.kind), peek().kind == .punctuation(.dotDot) {
      let low = Expr(.literal(literal), range: token.range)
      advance()
      return parseRange(low: low)
    }
    return parseExpression()
  }

  /// `low..high`; the current token is `..`.
  mutating func parseRange(low: Expr) -> Expr {
    advance()
    // A literal high end is taken as is, so that `1..2..3..…` cannot recurse once per `..`.
    let high: Expr
    if let literal = Self.literal(token.kind) {
      high = Expr(.literal(literal), range: token.range)
      advance()
    } else {
      high = parsePrefix()
    }
    return Expr(.range(low, high), range: low.range.union(high.range))
  }

  mutating func expectClosingParen(context: String, open: Token) {
    if eat(.punctuation(.rightParen)) || aborted { return }
    report(
      .expectedRightParen(context: context),
      .at(token.range.lowerBound),
      notes: [Note("to match this '('", at: open.range)]
    )
  }
}
