/// A compact S-expression of a tree, for tests and `check --ast`: `(and (= net.dport 80) …)`.
///
/// Ranges are left out, so two trees print alike exactly when they have the same structure.
public enum DebugTree {
  /// The S-expression of an expression.
  public static func print(_ expr: Expr) -> String {
    switch expr.kind {
    case .field(let field): Printer.fieldText(field)
    case .boundVariable: Printer.print(expr)
    case .literal(let literal): Printer.print(literal)
    case .list(let items): "(list" + items.map { " " + print($0) }.joined() + ")"
    case .range(let low, let high): "(range \(print(low)) \(print(high)))"
    case .call(let name, let arguments): "(\(name)()" + arguments.map { " " + print($0) }.joined() + ")"
    case .not(let operand): "(not \(print(operand)))"
    case .logical(let op, let operands): "(\(op.rawValue)" + operands.map { " " + print($0) }.joined() + ")"
    case .comparison(let op, let negated, let lhs, let rhs):
      "(\(op.spelling(negated: negated)) \(print(lhs)) \(print(rhs)))"
    case .tracee(let tracee):
      "(tracee \(tracee.op.spelling(negated: tracee.negated)) \(Printer.fieldText(tracee.field))"
        + tracee.values.map { " " + print($0) }.joined() + ")"
    case .missing: "<missing>"
    }
  }

  /// The S-expression of a filter.
  public static func print(_ filter: FilterSyntax) -> String {
    switch filter {
    case .expression(let expr): return print(expr)
    case .sequence(let sequence):
      var out = "(sequence"
      if let maxSpan = sequence.maxSpan { out += " (maxspan \(maxSpan.text))" }
      if !sequence.by.isEmpty { out += " (by" + sequence.by.map { " " + print($0) }.joined() + ")" }
      for step in sequence.steps {
        out += " (step \(print(step.expression))"
        if !step.by.isEmpty { out += " (by" + step.by.map { " " + print($0) }.joined() + ")" }
        if let alias = step.alias { out += " (as \(alias))" }
        out += ")"
      }
      return out + ")"
    }
  }
}
