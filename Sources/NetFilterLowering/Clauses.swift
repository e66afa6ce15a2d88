import NetFilterSema

/// A conjunction of constraints on kernel fields: one bit of the kernel plan.
struct Clause: Hashable {
  /// What the clause demands of each field it constrains; other fields are unconstrained.
  var fields: [KernelKey: FieldConstraint]
  /// The filters the clause's bit answers for (several after a merge across filters).
  var filters: Set<Int>
}

/// A clause while the DNF is built: field constraints, the events it requires, and negated Tracee
/// tests waiting for their event.
struct ClauseDraft: Hashable {
  var fields: [KernelKey: FieldConstraint] = [:]
  var events: Set<String> = []
  var conditionals: [Conditional] = []

  /// A negated test on a Tracee argument: it holds only on events of kind `owner`.
  struct Conditional: Hashable {
    var owner: String
    var key: KernelKey
    var constraint: FieldConstraint
  }

  /// The draft with no constraint (true).
  static let empty = ClauseDraft()

  var isEmpty: Bool { fields.isEmpty && events.isEmpty && conditionals.isEmpty }

  /// The draft of one literal; `nil` if it is unsatisfiable.
  init?(_ literal: KernelLiteral) {
    switch literal {
    case .field(let key, let constraint):
      guard !constraint.isUnsatisfiable else { return nil }
      if !constraint.isTrivial { fields[key] = constraint }
    case .conditional(let owner, let key, let constraint):
      conditionals = [Conditional(owner: owner, key: key, constraint: constraint)]
    case .event(let name):
      events = [name]
      fields = EventKinds.event(name)
    }
  }

  private init() {}

  /// Both drafts at once; `nil` if that is unsatisfiable.
  func conjoined(with other: ClauseDraft) -> ClauseDraft? {
    var result = self
    for (key, constraint) in other.fields {
      let combined = result.fields[key].map { $0.intersection(constraint) } ?? constraint
      if combined.isUnsatisfiable { return nil }
      result.fields[key] = combined
    }
    result.events.formUnion(other.events)
    result.conditionals += other.conditionals.filter { !result.conditionals.contains($0) }
    return result
  }

  /// The finished clause: conditionals whose event the clause requires are kept, the others dropped
  /// (the event may be another kind, which lacks the field); `nil` if unsatisfiable.
  func resolved(filter: Int) -> Clause? {
    var fields = self.fields
    for conditional in conditionals where events.contains(conditional.owner) {
      let combined = fields[conditional.key].map { $0.intersection(conditional.constraint) } ?? conditional.constraint
      if combined.isUnsatisfiable { return nil }
      fields[conditional.key] = combined
    }
    return Clause(fields: fields.filter { !$0.value.isTrivial }, filters: [filter])
  }
}

/// Disjunctive normal form with a size cap. When a product of alternatives would exceed the cap, the
/// largest operand is replaced by "no constraint" (true), which only widens what the clauses accept.
struct DisjunctiveNormalForm {
  /// The most clauses one filter may have before merging.
  let cap: Int
  /// Whether any sub-expression was replaced to stay under the cap.
  private(set) var capped = false

  init(cap: Int) { self.cap = cap }

  /// The clauses of `formula` (no clause: false; one empty clause: true).
  mutating func clauses(_ formula: Formula) -> [ClauseDraft] {
    switch formula {
    case .top: return [.empty]
    case .bottom: return []
    case .literal(let literal): return ClauseDraft(literal).map { [$0] } ?? []
    case .or(let operands):
      var all: [ClauseDraft] = []
      var seen = Set<ClauseDraft>()
      for operand in operands {
        for clause in clauses(operand) where seen.insert(clause).inserted { all.append(clause) }
      }
      if all.contains(where: \.isEmpty) { return [.empty] }
      if all.count > cap {
        capped = true
        return [.empty]
      }
      return all
    case .and(let operands):
      let (product, replaced) = self.product(operands.map { clauses($0) })
      if !replaced.isEmpty { capped = true }
      return product
    }
  }

  /// The product of alternatives; operands replaced by true to stay under the cap are returned by index.
  func product(_ operands: [[ClauseDraft]]) -> (clauses: [ClauseDraft], replaced: Set<Int>) {
    if operands.contains(where: \.isEmpty) { return ([], []) }
    var operands = operands
    var replaced = Set<Int>()
    while estimatedSize(operands) > cap,
      let largest = operands.indices.max(by: { operands[$0].count < operands[$1].count })
    {
      operands[largest] = [.empty]
      replaced.insert(largest)
    }
    var result: [ClauseDraft] = [.empty]
    for operand in operands {
      var next: [ClauseDraft] = []
      var seen = Set<ClauseDraft>()
      for left in result {
        for right in operand {
          if let clause = left.conjoined(with: right), seen.insert(clause).inserted { next.append(clause) }
        }
      }
      result = next
      if result.isEmpty { break }
    }
    return (result, replaced)
  }

  private func estimatedSize(_ operands: [[ClauseDraft]]) -> Int {
    var size = 1
    for operand in operands {
      size = size.multipliedReportingOverflow(by: operand.count).overflow ? Int.max : size * operand.count
      if size > cap { return size }
    }
    return size
  }
}
