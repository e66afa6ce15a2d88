import NetFilterEval
import NetFilterSema

/// What the runtime needs of one sequence rule besides its step conditions: the join fields of
/// each step, the span, and which fields each step's event must keep for later steps (`$alias`
/// references), for the finding's `key` and for its output template.
struct SequencePlan {
  /// The longest time from the first step's event to the last's (4 hours when not given).
  let maxSpan: UInt64
  /// Each step's join fields (the global `by` repeated, or the step's own).
  let by: [[FieldBinding]]
  /// Whether instances are made per first-step event (no `by`, but `$alias` references join).
  let usesAliasInstances: Bool
  /// The fields each step's event keeps, in order.
  let captures: [[FieldBinding]]

  /// The default span: Fibratus's longest.
  static let defaultSpan: UInt64 = 4 * 3_600_000_000_000

  init(_ sequence: CheckedSequence, output: OutputTemplate?) {
    maxSpan = sequence.maxSpan ?? Self.defaultSpan
    let steps = sequence.steps
    by = steps.map { sequence.by.isEmpty ? $0.by : sequence.by }
    let aliases = steps.map(\.alias)
    usesAliasInstances = by.allSatisfy(\.isEmpty) && steps.contains { !$0.condition.boundFields.isEmpty }
    var captures = Array(repeating: [FieldBinding](), count: steps.count)
    func keep(_ field: FieldBinding, at step: Int) {
      if !captures[step].contains(field) { captures[step].append(field) }
    }
    for field in by.first ?? [] { keep(field, at: 0) }
    for (step, condition) in steps.map(\.condition).enumerated() {
      for (alias, field) in condition.boundFields {
        guard let source = aliases[..<step].firstIndex(of: alias) else { continue }
        keep(field, at: source)
      }
    }
    for (event, field, _) in output?.fields ?? [] where event < steps.count { keep(field, at: event) }
    self.captures = captures
  }
}
