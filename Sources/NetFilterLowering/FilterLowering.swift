import NetFilterSema

/// One filter lowered: its clauses, and which of its top-level conjuncts the clauses decide exactly.
struct FilterLowering {
  /// The filter's index.
  let filter: Int
  /// The top-level conjuncts (`a and b and c` → `a`, `b`, `c`).
  let conjuncts: [CheckedExpr]
  /// Per conjunct: whether the clauses hold exactly when it does.
  private(set) var exact: [Bool]
  /// The clauses (their bits are assigned later).
  let clauses: [Clause]
  /// What stayed in user space, and why.
  private(set) var remarks: [KernelRemark]

  init(_ expression: CheckedExpr, filter: Int, cap: Int) {
    self.filter = filter
    conjuncts = Self.conjuncts(of: expression)
    var normalForm = NegationNormalForm(filter: filter)
    let dnf = DisjunctiveNormalForm(cap: cap)
    var alternatives: [[ClauseDraft]] = []
    var exact: [Bool] = []
    var capped: [Int] = []
    for (index, conjunct) in conjuncts.enumerated() {
      let (formula, lowered) = normalForm.lower(conjunct, positive: true)
      var local = DisjunctiveNormalForm(cap: cap)
      alternatives.append(local.clauses(formula))
      exact.append(lowered && !local.capped)
      if local.capped { capped.append(index) }
    }
    let (drafts, replaced) = dnf.product(alternatives)
    remarks = normalForm.remarks
    self.exact = exact
    let tooLarge = "more than \(cap) clauses in disjunctive normal form: left to user space"
    for index in Set(capped).union(replaced).sorted() {
      self.exact[index] = false
      remarks.append(
        KernelRemark(filter: filter, range: nil, source: SourcePrinter.print(conjuncts[index]), reason: tooLarge)
      )
    }
    var seen = Set<Clause>()
    clauses = drafts.compactMap { $0.resolved(filter: filter) }.filter { seen.insert($0).inserted }
  }

  /// `a and (b and c)` → `a`, `b`, `c`.
  static func conjuncts(of expression: CheckedExpr) -> [CheckedExpr] {
    guard case .and(let operands) = expression else { return [expression] }
    return operands.flatMap { conjuncts(of: $0) }
  }

  /// Marks every conjunct as decided in user space, with a remark saying why.
  mutating func approximateAll(_ reason: String) {
    guard exact.contains(true) else { return }
    exact = exact.map { _ in false }
    remarks.append(
      KernelRemark(filter: filter, range: nil, source: SourcePrinter.print(.and(conjuncts)), reason: reason)
    )
  }

  /// The conjuncts the kernel does not decide exactly, as source text; empty when it decides them all.
  var residue: String {
    let left = conjuncts.indices.filter { !exact[$0] }.map { conjuncts[$0] }
    if left.isEmpty { return "" }
    return SourcePrinter.print(left.count == 1 ? left[0] : .and(left))
  }
}
