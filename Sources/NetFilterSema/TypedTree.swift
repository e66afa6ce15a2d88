/// An S-expression of a checked tree with every operand's type, for tests and `check --ast`:
/// `(= net.dport~uint16 80~uint16)`.
public enum TypedTree {
  /// The typed S-expression of a checked filter.
  public static func print(_ filter: CheckedFilter) -> String {
    switch filter {
    case .expression(let expr): return print(expr)
    case .sequence(let sequence):
      var out = "(sequence"
      if let span = sequence.maxSpan { out += " (maxspan \(span)ns)" }
      if !sequence.by.isEmpty { out += " (by" + sequence.by.map { " \($0)~\($0.type)" }.joined() + ")" }
      for step in sequence.steps {
        out += " (step " + print(step.condition)
        if !step.by.isEmpty { out += " (by" + step.by.map { " \($0)~\($0.type)" }.joined() + ")" }
        if let alias = step.alias { out += " (as \(alias))" }
        out += ")"
      }
      return out + ")"
    }
  }

  /// The typed S-expression of a checked expression.
  public static func print(_ expr: CheckedExpr) -> String {
    switch expr {
    case .constant(let value): "\(value)~bool"
    case .and(let operands): "(and" + operands.map { " " + print($0) }.joined() + ")"
    case .or(let operands): "(or" + operands.map { " " + print($0) }.joined() + ")"
    case .not(let operand): "(not \(print(operand)))"
    case .event(let name): "(event \(name))"
    case .truth(let operand): "(truth \(print(operand)))"
    case .comparison(let comparison):
      "(\(comparison.op.spelling(negated: comparison.negated)) \(print(comparison.lhs)) \(print(comparison.rhs)))"
    }
  }

  /// The typed S-expression of an operand.
  public static func print(_ operand: Operand) -> String {
    switch operand {
    case .field(let field): "\(field)~\(field.type)"
    case .boundField(let alias, let field): "$\(alias).\(field)~\(field.type)"
    case .value(let value): "\(value)~\(value.valueType)"
    case .list(let items): "(list" + items.map { " \($0)" }.joined() + ")"
    case .call(let name, let arguments):
      "(\(name.rawValue)()" + arguments.map { " " + print($0) }.joined() + ")~\(operand.type)"
    }
  }
}
