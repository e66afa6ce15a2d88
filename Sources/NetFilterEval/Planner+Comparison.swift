import NetFilterSema
import NetFilterSyntax

extension Planner {
  /// A comparison (without its negation, which ``plan(_:)-(CheckedExpr)`` adds).
  mutating func plan(_ comparison: Comparison) -> Predicate<E> {
    let op = comparison.op
    let test: ValueTest
    switch comparison.rhs {
    case .value(let value): test = Matchers.test(op, value)
    case .list(let items): test = Matchers.test(op, items)
    default:
      let lhs = reader(comparison.lhs)
      let rhs = reader(comparison.rhs)
      return { Matchers.dynamic(op, lhs($0), rhs($0)) }
    }
    let lhs = reader(comparison.lhs)
    return { test(lhs($0)) }
  }
}
