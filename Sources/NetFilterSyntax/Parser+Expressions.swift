import NetFilterDiagnostics

extension Parser {
  /// An infix operator at the current token.
  enum Infix {
    case logical(LogicalOperator)
    case comparison(ComparisonOperator, negated: Bool)
    /// `not` before an operator: `a not in (…)`.
    case negatedComparison(ComparisonOperator, negated: Bool)
    /// An operand where an operator should be (`a = 1 aand b = 2`): reported, then parsed as `and`.
    case stray
    /// A character the lexer rejected where an operator should be (`a ~ 'x'`): skipped quietly.
    case invalid

    var precedence: Int {
      switch self {
      case .logical(let op): op.precedence
      case .comparison(let op, _), .negatedComparison(let op, _): op.info.precedence
      case .stray: Precedence.and
      case .invalid: Precedence.comparison
      }
    }

    /// Whether the operator nests its left side one level deeper (`a = 1 = 2`); such chains count
    /// toward the nesting limit. `and` and `or` chains are flat.
    var nestsLeft: Bool {
      switch self {
      case .comparison, .negatedComparison, .invalid: true
      case .logical, .stray: false
      }
    }

    /// Whether an operand stands where an operator belongs.
    var isStray: Bool { if case .stray = self { true } else { false } }
  }

  /// Parses operators binding tighter than `minimum` (0 parses a whole expression).
  mutating func parseExpression(above minimum: Int = 0) -> Expr {
    guard enterNesting() else { return Expr(.missing, range: token.range) }
    defer { leaveNesting() }
    return parseInfixes(above: minimum, lhs: parsePrefix())
  }

  /// Applies the infix operators binding tighter than `minimum` to `lhs`.
  mutating func parseInfixes(above minimum: Int, lhs: Expr) -> Expr {
    var lhs = lhs
    var levels = 0
    defer { depth -= levels }
    while !aborted, let infix = currentInfix(), infix.precedence > minimum {
      if infix.nestsLeft {
        guard enterNesting() else { break }
        levels += 1
      }
      lhs = parseInfix(infix, lhs: lhs)
    }
    return lhs
  }

  func currentInfix() -> Infix? {
    if inSequenceStep, at(.punctuation(.pipePipe)) { return nil }
    if let op = LogicalOperator.from(token.kind) { return .logical(op) }
    if let (op, negated) = ComparisonOperator.from(token.kind) { return .comparison(op, negated: negated) }
    if at(.keyword(.not)) {
      if let (op, negated) = ComparisonOperator.from(peek().kind) { return .negatedComparison(op, negated: negated) }
      return .negatedComparison(.equal, negated: false)
    }
    switch token.kind {
    case .identifier, .string, .integer, .decimal, .duration, .ip, .cidr, .boundVariable, .keyword(.true),
      .keyword(.false), .punctuation(.leftParen), .punctuation(.bang):
      return .stray
    case .invalid:
      return .invalid
    default:
      return nil
    }
  }

  mutating func parseInfix(_ infix: Infix, lhs: Expr) -> Expr {
    switch infix {
    case .logical(let op):
      advance()
      let rhs = parseExpression(above: op.precedence)
      return Self.combine(op, lhs, rhs)
    case .comparison(let op, let negated):
      return parseComparison(op, negated: negated, lhs: lhs)
    case .negatedComparison(let op, let negated):
      let notToken = token
      advance()
      guard ComparisonOperator.from(token.kind) != nil else {
        report(.expectedOperatorAfterNot, SourceRange(notToken.range.upperBound, token.range.upperBound))
        let rhs = parseExpression(above: op.info.precedence)
        return Expr(.comparison(op, negated: true, lhs, rhs), range: lhs.range.union(rhs.range))
      }
      return parseComparison(op, negated: !negated, lhs: lhs)
    case .stray:
      // A misspelled operator (`aand`) is skipped; anything else starts the next operand.
      if reportStrayOperand(after: lhs) { advance() }
      let rhs = parseExpression(above: Precedence.and)
      return Self.combine(.and, lhs, rhs)
    case .invalid:
      // The lexer reported the character; skip it, and the operand after it, quietly.
      advance()
      guard currentInfix()?.isStray == true else { return lhs }
      let rhs = parseExpression(above: Precedence.comparison)
      return Expr(.missing, range: lhs.range.union(rhs.range))
    }
  }

  /// `a op b` (or, for a Tracee field, `a=v1,v2`); the current token is `op`.
  mutating func parseComparison(_ op: ComparisonOperator, negated: Bool, lhs: Expr) -> Expr {
    let symbolic = if case .punctuation = token.kind { true } else { false }
    if symbolic, !negated || op == .equal, case .field(let field) = lhs.kind, Self.isTraceePath(field.name) {
      advance(mode: .traceeValue)
      if let tracee = parseTraceeValues(field: field, fieldRange: lhs.range, op: op, negated: negated) {
        return tracee
      }
    } else {
      advance()
    }
    let rhs = parseExpression(above: op.info.precedence)
    return Expr(.comparison(op, negated: negated, lhs, rhs), range: lhs.range.union(rhs.range))
  }

  /// Whether `name` has the shape of a Tracee argument path: `EVENT.data.ARG…` or `EVENT.args.ARG…`.
  public static func isTraceePath(_ name: String) -> Bool {
    let utf8 = name.utf8
    guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")) else { return false }
    let rest = utf8[utf8.index(after: dot)...]
    return (rest.starts(with: "data.".utf8) || rest.starts(with: "args.".utf8)) && rest.count > 5
  }

  /// Values of a Tracee comparison; `nil` if the next token is an ordinary operand instead.
  mutating func parseTraceeValues(field: FieldReference, fieldRange: SourceRange, op: ComparisonOperator, negated: Bool)
    -> Expr?
  {
    var values: [Expr] = []
    while true {
      switch token.kind {
      case .bareWord(let word): values.append(Expr(.literal(.bareWord(word)), range: token.range))
      case .string(let string): values.append(Expr(.literal(.string(string)), range: token.range))
      default:
        if values.isEmpty { return nil }
        report(.expectedTraceeValue, token.range)
        return traceeExpr(field, fieldRange, op, negated, values)
      }
      advance()
      guard at(.punctuation(.comma)), !token.hasLeadingSpace else { break }
      if values.count == limits.maxListItems {
        report(.listTooLong(limit: limits.maxListItems), token.range)
        aborted = true
        break
      }
      advance(mode: .traceeValue)
    }
    // Even a single quoted value stays a Tracee comparison: the form is scoped to its event
    // ("events named EVENT whose argument ARG compares so", as the README says), so `!=` must
    // not select events of other kinds.
    return traceeExpr(field, fieldRange, op, negated, values)
  }

  private func traceeExpr(
    _ field: FieldReference,
    _ fieldRange: SourceRange,
    _ op: ComparisonOperator,
    _ negated: Bool,
    _ values: [Expr]
  ) -> Expr {
    let comparison = TraceeComparison(field: field, fieldRange: fieldRange, op: op, negated: negated, values: values)
    return Expr(.tracee(comparison), range: fieldRange.union(values.last?.range ?? fieldRange))
  }

  /// `a op b` joined into an n-ary node, flattening operands that already use `op`.
  static func combine(_ op: LogicalOperator, _ lhs: Expr, _ rhs: Expr) -> Expr {
    var operands: [Expr] = []
    for side in [lhs, rhs] {
      if case .logical(op, let inner) = side.kind { operands += inner } else { operands.append(side) }
    }
    return Expr(.logical(op, operands), range: lhs.range.union(rhs.range))
  }

  /// Reports an operand where an operator belongs; `true` if it looks like a misspelled operator.
  mutating func reportStrayOperand(after lhs: Expr) -> Bool {
    let text = source.slice(token.range)
    var notes: [Note] = []
    var fixIts: [FixIt] = []
    let words =
      ["and", "or", "not", "in"] + Keyword.allCases.map(\.rawValue).filter { ComparisonOperator(rawValue: $0) != nil }
    var misspelled = false
    if case .identifier = token.kind, let suggestion = closestWord(to: text.lowercased(), in: words) {
      misspelled = true
      notes.append(Note("did you mean '\(suggestion)'?"))
      fixIts.append(FixIt("replace '\(text)' with '\(suggestion)'", replacing: token.range, with: suggestion))
    }
    if at(.punctuation(.leftParen)), token.hasLeadingSpace, case .field(let field) = lhs.kind, field.argument == nil {
      notes.append(Note("to call '\(field.name)', remove the space before '('"))
      let space = SourceRange(lhs.range.upperBound, token.range.lowerBound)
      fixIts.append(FixIt("remove the space", replacing: space, with: ""))
    }
    report(.expectedOperator(found: text), token.range, notes: notes, fixIts: fixIts)
    return misspelled
  }
}

/// The word in `candidates` closest to `word` by edit distance, if it is close enough to be a typo.
public func closestWord(to word: String, in candidates: some Sequence<String>) -> String? {
  let candidates = Array(candidates)
  // A match that differs only in case wins over a closer spelling (`syn` is `SYN`, not `seq`).
  let lowered = word.lowercased()
  if let folded = candidates.first(where: { $0.lowercased() == lowered }) { return folded }
  let threshold = max(1, min(3, word.count / 3))
  var best: (String, Int)?
  for candidate in candidates {
    let distance = editDistance(word, candidate)
    if distance <= threshold, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
  }
  return best?.0
}

/// The Levenshtein distance between two strings, by Unicode scalars.
public func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = previous
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
