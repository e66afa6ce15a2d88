import NetFilterDiagnostics

/// The result of parsing: a tree (possibly with `missing` nodes where syntax was wrong) and every
/// diagnostic found. Parsing never throws and never traps on bad input.
public struct ParseResult: Sendable {
  /// The tree; `nil` only when the input was rejected before parsing (a limit).
  public var syntax: FilterSyntax?
  /// The diagnostics, in the order found.
  public var diagnostics: [Diagnostic]
  /// The parsed source.
  public var source: SourceText
}

/// A hand-written Pratt parser for the netfilter language.
///
/// The parser's state lives here; the grammar is spread over files named for what they parse
/// (`Parser+Expressions.swift`, `Parser+Sequence.swift`). Functions that consume tokens are
/// `mutating`; `at(_:)` tests the current token, `eat(_:)` consumes it if it matches.
public struct Parser {
  var lexer: Lexer
  /// The current (not yet consumed) token.
  var token: Token
  /// The last consumed token.
  var previous: Token
  var diagnostics: [Diagnostic] = []
  let limits: Limits
  let source: SourceText
  var depth = 0
  /// Set once a limit is crossed: every level unwinds without further diagnostics.
  var aborted = false
  /// Inside `|…|` of a sequence, `||` closes one step and opens the next instead of meaning `or`.
  var inSequenceStep = false
  /// The offset of the last reported error, so one mistake is reported once.
  private var lastErrorOffset = -1

  init(_ source: SourceText, limits: Limits) {
    self.source = source
    self.limits = limits
    lexer = Lexer(source, diagnosticLimit: limits.maxDiagnostics)
    token = lexer.next()
    previous = Token(.endOfInput, range: .at(0))
  }

  /// Parses a filter expression or a `sequence` rule.
  public static func parse(_ source: SourceText, limits: Limits = .default) -> ParseResult {
    let length = source.text.utf8.count
    if length > limits.maxInputLength {
      let diagnostic = SyntaxMessage.inputTooLong(length, limit: limits.maxInputLength)
        .diagnostic(at: SourceRange(limits.maxInputLength, length))
      return ParseResult(syntax: nil, diagnostics: [diagnostic], source: source)
    }
    var parser = Parser(source, limits: limits)
    let syntax = parser.parseFilter()
    let diagnostics = (parser.lexer.diagnostics + parser.diagnostics).capped(at: limits.maxDiagnostics)
    return ParseResult(syntax: syntax, diagnostics: diagnostics, source: source)
  }

  /// Parses `source` as an expression only (no `sequence`), as the REPL and macros need.
  public static func parseExpression(_ source: SourceText, limits: Limits = .default) -> ParseResult {
    var result = parse(source, limits: limits)
    if case .sequence(let sequence) = result.syntax {
      result.diagnostics.append(
        SyntaxMessage.expectedExpression(after: nil).diagnostic(
          at: SourceRange(sequence.range.lowerBound, sequence.range.lowerBound + 8)
        )
      )
    }
    return result
  }

  mutating func parseFilter() -> FilterSyntax {
    if at(.keyword(.sequence)) { return .sequence(parseSequence()) }
    var expression = parseExpression()
    // After an unmatched ')', what follows may still continue the expression: `a = 1) or b = 2`.
    while !aborted, at(.punctuation(.rightParen)) {
      report(.unmatchedRightParen, token.range)
      advance()
      expression = parseInfixes(above: 0, lhs: expression)
    }
    skipTrailingTokens()
    return .expression(expression)
  }

  /// Reports what follows a complete expression (once: the rest is noise) and skips it.
  mutating func skipTrailingTokens() {
    var reported = false
    while !aborted, !at(.endOfInput) {
      if case .invalid = token.kind {
        reported = true
      } else if !reported {
        reported = true
        if at(.punctuation(.rightParen)) {
          report(.unmatchedRightParen, token.range)
        } else {
          report(.expectedOperator(found: source.slice(token.range)), token.range)
        }
      }
      advance()
    }
  }

  // MARK: Token handling

  /// Whether the current token is `kind`.
  func at(_ kind: Token.Kind) -> Bool { token.kind == kind }

  /// Consumes the current token and reads the next in `mode`.
  mutating func advance(mode: Lexer.Mode = .normal) {
    previous = token
    if !at(.endOfInput) { token = lexer.next(mode: mode) }
  }

  /// Consumes the current token if it is `kind`.
  mutating func eat(_ kind: Token.Kind) -> Bool {
    guard at(kind) else { return false }
    advance()
    return true
  }

  /// The token after the current one, without consuming anything.
  func peek() -> Token {
    var copy = lexer
    return copy.next()
  }

  // MARK: Diagnostics

  /// Reports `message` at `range`; at the end of input the ID becomes `unexpectedEndOfInput`.
  mutating func report(_ message: SyntaxMessage, _ range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) {
    guard !aborted, range.lowerBound != lastErrorOffset else { return }
    lastErrorOffset = range.lowerBound
    var diagnostic = message.diagnostic(at: range, notes: notes, fixIts: fixIts)
    if at(.endOfInput), range.lowerBound >= token.range.lowerBound, message.id.domain == "syntax" {
      diagnostic.id = .unexpectedEndOfInput
    }
    diagnostics.append(diagnostic, limit: limits.maxDiagnostics)
  }

  /// Enters one level of nesting; `false` (after reporting once) when the limit is crossed.
  mutating func enterNesting() -> Bool {
    if aborted { return false }
    depth += 1
    if depth > limits.maxNestingDepth {
      report(.nestingTooDeep(limit: limits.maxNestingDepth), token.range)
      aborted = true
      return false
    }
    return true
  }

  mutating func leaveNesting() { depth -= 1 }

  /// The source text of the previous token, for "after 'X'" messages.
  var previousText: String? {
    previous.range.length == 0 ? nil : source.slice(previous.range)
  }
}
