import NetFilterDiagnostics

extension Parser {
  /// `sequence [maxspan D] [by f, …] step+`; the current token is `sequence`.
  mutating func parseSequence() -> SequenceSyntax {
    let start = token.range
    advance()
    var maxSpan: Duration?
    var maxSpanRange: SourceRange?
    if eat(.keyword(.maxspan)) {
      if case .duration(let duration) = token.kind {
        maxSpan = duration
        maxSpanRange = token.range
        advance()
      } else {
        report(.expectedDuration(after: "maxspan"), token.range)
        // Skip a bad value (`maxspan 5`), but not what follows a missing one.
        if !at(.punctuation(.pipe)), !at(.punctuation(.pipePipe)), !at(.keyword(.by)), !at(.endOfInput) { advance() }
      }
    }
    let by = eat(.keyword(.by)) ? parseJoinFields() : []
    var steps: [SequenceStep] = []
    var pipeAlreadyOpen = false
    repeat {
      guard let step = parseStep(pipeAlreadyOpen: &pipeAlreadyOpen) else { break }
      steps.append(step)
    } while !aborted && (pipeAlreadyOpen || at(.punctuation(.pipe)))
    if steps.isEmpty, !aborted { report(.expectedPipe(context: "to start a sequence step"), token.range) }
    skipTrailingTokens()
    return SequenceSyntax(
      maxSpan: maxSpan,
      maxSpanRange: maxSpanRange,
      by: by,
      steps: steps,
      range: start.union(previous.range)
    )
  }

  /// `|expr| [by f, … | as alias]`. A `||` token closes this step and opens the next one.
  mutating func parseStep(pipeAlreadyOpen: inout Bool) -> SequenceStep? {
    let start = token.range
    if pipeAlreadyOpen {
      pipeAlreadyOpen = false
    } else if !eat(.punctuation(.pipe)) {
      return nil
    }
    inSequenceStep = true
    let expression = parseExpression()
    inSequenceStep = false
    if at(.punctuation(.pipePipe)) {
      pipeAlreadyOpen = true
      advance()
      return SequenceStep(expression: expression, by: [], alias: nil, range: start.union(previous.range))
    }
    if !eat(.punctuation(.pipe)) {
      report(.expectedPipe(context: "to end the sequence step"), .at(token.range.lowerBound))
      return SequenceStep(expression: expression, by: [], alias: nil, range: start.union(expression.range))
    }
    let end = previous.range
    var by: [Expr] = []
    var alias: String?
    if eat(.keyword(.by)) {
      by = parseJoinFields()
    } else if eat(.keyword(.as)) {
      if case .identifier(let name) = token.kind {
        alias = name
        advance()
      } else {
        report(.expectedIdentifierAfterAs, token.range)
        if !at(.punctuation(.pipe)), !at(.punctuation(.pipePipe)), !at(.endOfInput) { advance() }
      }
    }
    return SequenceStep(expression: expression, by: by, alias: alias, range: start.union(end))
  }

  /// `field {, field}` after `by`.
  mutating func parseJoinFields() -> [Expr] {
    var fields: [Expr] = []
    repeat {
      guard case .identifier(let name) = token.kind else {
        report(.expectedFieldAfterBy, token.range)
        break
      }
      let start = token
      advance()
      fields.append(parseField(name: name, start: start))
    } while eat(.punctuation(.comma))
    return fields
  }
}
