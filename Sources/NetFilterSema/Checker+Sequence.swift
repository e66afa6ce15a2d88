import NetFilterDiagnostics
import NetFilterSyntax

extension Checker {
  /// The longest `maxspan` accepted: 4 hours.
  static let maxSequenceSpan: UInt64 = 4 * 3_600_000_000_000
  /// The most steps a sequence may have.
  static let maxSequenceSteps = 5

  /// Checks a sequence: its span, its join keys, its aliases and every step.
  mutating func checkSequence(_ sequence: SequenceSyntax) -> CheckedSequence {
    if let span = sequence.maxSpan, span.nanoseconds > Self.maxSequenceSpan {
      report(.maxSpanTooLong(span.text), sequence.maxSpanRange ?? sequence.range)
    }
    if sequence.steps.count == 1 {
      report(.tooFewSequenceSteps, sequence.steps[0].range)
    } else if sequence.steps.count > Self.maxSequenceSteps {
      report(.tooManySequenceSteps(sequence.steps.count), sequence.steps[Self.maxSequenceSteps].range)
    }
    let stepsWithJoins = sequence.steps.filter { !$0.by.isEmpty }
    if !sequence.by.isEmpty, let first = stepsWithJoins.first {
      report(.mixedSequenceJoins, first.range)
    } else if !stepsWithJoins.isEmpty, let missing = sequence.steps.first(where: { $0.by.isEmpty }) {
      report(.sequenceJoinsIncomplete, missing.range)
    }
    let by = joinFields(sequence.by)
    var steps: [CheckedStep] = []
    for step in sequence.steps {
      let condition = condition(step.expression)
      if let alias = step.alias {
        if aliases.contains(alias) { report(.duplicateAlias(alias), step.range) }
        aliases.insert(alias)
      }
      steps.append(CheckedStep(condition: condition, by: joinFields(step.by), alias: step.alias))
    }
    return CheckedSequence(maxSpan: sequence.maxSpan?.nanoseconds, by: by, steps: steps)
  }

  private mutating func joinFields(_ exprs: [Expr]) -> [FieldBinding] {
    exprs.compactMap { expr in
      guard case .field(let reference) = expr.kind else { return nil }
      return resolveField(reference, range: expr.range)
    }
  }
}
