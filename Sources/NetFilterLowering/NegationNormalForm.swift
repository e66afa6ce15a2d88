import NetFilterDiagnostics
import NetFilterSema

/// A literal of the formula the kernel plan is built from.
enum KernelLiteral: Hashable {
  /// The kernel's value of the field satisfies the constraint.
  case field(KernelKey, FieldConstraint)
  /// The field satisfies the constraint, on events of kind `owner` (the negation of a test on a Tracee
  /// argument, which other events lack): kept only in clauses that also require the event `owner`.
  case conditional(owner: String, KernelKey, FieldConstraint)
  /// The event is of kind `name` (`net_packet_dns`, `Connect`).
  case event(String)
}

/// A formula over kernel literals, negation already pushed into them.
indirect enum Formula: Hashable {
  /// No constraint: true, or a test the kernel cannot make (over-approximated in both polarities).
  case top
  /// False.
  case bottom
  case literal(KernelLiteral)
  case and([Formula])
  case or([Formula])
}

/// Pushes negation to the leaves of a checked expression and replaces each leaf by what the kernel
/// can test of it. Every step keeps `expression ⇒ formula`: a leaf the kernel cannot test becomes
/// ``Formula/top`` whatever its polarity, with a remark saying why.
struct NegationNormalForm {
  /// The filter being lowered, for remarks.
  let filter: Int
  /// What stayed in user space, and why.
  private(set) var remarks: [KernelRemark] = []

  init(filter: Int) { self.filter = filter }

  /// The formula of `expr` (of `not expr` when `positive` is false), and whether the formula holds
  /// exactly when the expression does.
  mutating func lower(_ expr: CheckedExpr, positive: Bool) -> (formula: Formula, exact: Bool) {
    switch expr {
    case .constant(let value): return (value == positive ? .top : .bottom, true)
    case .and(let operands): return junction(operands, conjunction: positive, positive: positive)
    case .or(let operands): return junction(operands, conjunction: !positive, positive: positive)
    case .not(let operand): return lower(operand, positive: !positive)
    case .comparison(let comparison): return lower(comparison, positive: positive != comparison.negated)
    case .event(let name): return event(name, positive: positive)
    case .truth(let operand):
      remark(nil, SourcePrinter.print(operand), "a boolean field or function is not visible to the kernel")
      return (.top, false)
    }
  }

  /// `and`/`or` of the operands' formulas (De Morgan: a negated `and` is an `or` of negations).
  private mutating func junction(_ operands: [CheckedExpr], conjunction: Bool, positive: Bool)
    -> (formula: Formula, exact: Bool)
  {
    let parts = operands.map { lower($0, positive: positive) }
    let formulas = parts.map(\.formula)
    return (conjunction ? .and(formulas) : .or(formulas), parts.allSatisfy(\.exact))
  }

  private mutating func lower(_ comparison: Comparison, positive: Bool) -> (formula: Formula, exact: Bool) {
    let text = SourcePrinter.print(.comparison(comparison))
    switch LeafLowering.lower(comparison) {
    case .notLowered(let reason):
      remark(comparison.range, text, reason)
      return (.top, false)
    case .lowered(let leaf):
      if !leaf.exact { remark(comparison.range, text, approximation(leaf)) }
      if positive { return (.literal(.field(leaf.key, leaf.positive)), leaf.exact) }
      switch leaf.presence {
      case .always: return (.literal(.field(leaf.key, leaf.negative)), leaf.exact)
      case .onEvent(let owner): return (.literal(.conditional(owner: owner, leaf.key, leaf.negative)), false)
      case .sometimes:
        remark(comparison.range, text, "negated, and the event may lack the argument while the kernel sees a value")
        return (.top, false)
      }
    }
  }

  private func approximation(_ leaf: LoweredLeaf) -> String {
    switch (leaf.key, leaf.presence) {
    case (.eventKind, _): "the kernel tells packets from socket events, not one packet kind from another"
    case (_, .always): "approximated in the kernel"
    default: "the kernel tests the value; the event kind is checked in user space"
    }
  }

  private mutating func event(_ name: String, positive: Bool) -> (formula: Formula, exact: Bool) {
    let exact = EventKinds.socket[name] != nil
    if positive {
      if !exact { remark(nil, name, "the kernel tells packets from socket events, not one packet kind from another") }
      return (.literal(.event(name)), exact)
    }
    guard let constraint = EventKinds.notEvent(name) else {
      remark(nil, "not " + name, "the kernel cannot tell that a packet is not of this kind")
      return (.top, false)
    }
    return (.literal(.field(.eventKind, constraint)), true)
  }

  private mutating func remark(_ range: SourceRange?, _ source: String, _ reason: String) {
    remarks.append(KernelRemark(filter: filter, range: range, source: source, reason: reason))
  }
}
