import NetFilterSema

/// Brings a plan down to ``KernelPlan/maxClauses`` bits by merging clauses into their hull: per field,
/// the union of what both accept, and no constraint where either has none. The hull accepts every
/// event either clause accepts, so merging never loses a match; it only widens what passes.
///
/// Pairs are chosen cheapest first: clauses of the same filter before clauses of different filters,
/// and clauses that differ in one field (whose hull is exactly their union) before others.
struct ClauseMerging {
  /// Above this many clauses, only neighbours in a sorted order are considered for merging.
  static let exhaustiveLimit = 512

  /// The clauses, merged down to `limit`.
  private(set) var clauses: [Clause]
  /// Filters whose kernel answer became wider than their lowered formula.
  private(set) var approximated = Set<Int>()

  init(_ clauses: [Clause], limit: Int, acrossFilters: Bool = false) {
    self.clauses = clauses
    if acrossFilters { mergeUnions() }
    while self.clauses.count > limit { mergeRound(excess: self.clauses.count - limit) }
  }

  /// Merges every group of clauses that constrain the same fields identically but one, whatever
  /// their filters: the hull of such a group accepts exactly the union of what they accept, so the
  /// plan passes the same events (1,000 `net.dport = X` rules become one clause over a port set).
  /// The bits then answer for several filters, whose kernel answers become wider than each alone.
  private mutating func mergeUnions() {
    var changed = true
    while changed {
      changed = false
      var groups: [UnionGroup: [Int]] = [:]
      var order: [UnionGroup] = []
      for (index, clause) in clauses.enumerated() {
        for key in clause.fields.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
          let signature = UnionGroup(key: key, others: clause.fields.filter { $0.key != key })
          if groups[signature] == nil { order.append(signature) }
          groups[signature, default: []].append(index)
        }
      }
      var absorbed = Set<Int>()
      var merged: [Int: Clause] = [:]
      for signature in order {
        let members = groups[signature]!.filter { !absorbed.contains($0) && merged[$0] == nil }
        guard members.count > 1 else { continue }
        let hull = members.dropFirst().reduce(clauses[members[0]]) { Self.hull($0, clauses[$1]) }
        if members.contains(where: { clauses[$0].filters != hull.filters }) { approximated.formUnion(hull.filters) }
        merged[members[0]] = hull
        absorbed.formUnion(members.dropFirst())
        changed = true
      }
      clauses = clauses.indices.compactMap { absorbed.contains($0) ? nil : merged[$0] ?? clauses[$0] }
    }
  }

  /// Merges up to `excess` disjoint pairs, cheapest first.
  private mutating func mergeRound(excess: Int) {
    var pairs: [(cost: Int, first: Int, second: Int)] = []
    if clauses.count <= Self.exhaustiveLimit {
      for i in clauses.indices {
        for j in clauses.indices where j > i { pairs.append((Self.cost(clauses[i], clauses[j]), i, j)) }
      }
    } else {
      let order = clauses.indices.sorted { Self.signature(clauses[$0]) < Self.signature(clauses[$1]) }
      for (i, j) in zip(order, order.dropFirst()) {
        pairs.append((Self.cost(clauses[i], clauses[j]), min(i, j), max(i, j)))
      }
    }
    pairs.sort { ($0.cost, $0.first, $0.second) < ($1.cost, $1.first, $1.second) }
    var merged: [Int: Clause] = [:]
    var absorbed = Set<Int>()
    for pair in pairs where merged.count < excess {
      guard merged[pair.first] == nil, merged[pair.second] == nil, !absorbed.contains(pair.first),
        !absorbed.contains(pair.second)
      else { continue }
      let (a, b) = (clauses[pair.first], clauses[pair.second])
      if !Self.isLossless(a, b) { approximated.formUnion(a.filters.union(b.filters)) }
      merged[pair.first] = Self.hull(a, b)
      absorbed.insert(pair.second)
    }
    clauses = clauses.indices.compactMap { absorbed.contains($0) ? nil : merged[$0] ?? clauses[$0] }
  }

  /// Clauses that may merge into their union: the field they differ in, and the same constraints on
  /// every other field.
  private struct UnionGroup: Hashable {
    var key: KernelKey
    var others: [KernelKey: FieldConstraint]
  }

  /// The smallest clause accepting everything `a` or `b` accepts.
  static func hull(_ a: Clause, _ b: Clause) -> Clause {
    var fields: [KernelKey: FieldConstraint] = [:]
    for (key, constraint) in a.fields {
      guard let other = b.fields[key] else { continue }
      let union = constraint.union(other)
      if !union.isTrivial { fields[key] = union }
    }
    return Clause(fields: fields, filters: a.filters.union(b.filters))
  }

  /// Whether the hull of `a` and `b` accepts exactly what `a` or `b` accepts, for each filter.
  static func isLossless(_ a: Clause, _ b: Clause) -> Bool {
    isLossless(a, b, differing: differences(a, b).differing)
  }

  private static func isLossless(_ a: Clause, _ b: Clause, differing: Int) -> Bool {
    differing == 0 || (differing == 1 && a.filters == b.filters)
  }

  /// How much merging `a` and `b` widens the plan: a different filter costs most, then each field
  /// whose constraint is lost or widened.
  static func cost(_ a: Clause, _ b: Clause) -> Int {
    let (differing, dropped) = differences(a, b)
    let widened = isLossless(a, b, differing: differing) ? 0 : differing * differing * 10 + dropped * 5
    return (a.filters == b.filters ? 0 : 1_000_000) + widened
  }

  private static func differences(_ a: Clause, _ b: Clause) -> (differing: Int, dropped: Int) {
    var differing = 0
    var dropped = 0
    for key in Set(a.fields.keys).union(b.fields.keys) where a.fields[key] != b.fields[key] {
      differing += 1
      if a.fields[key] == nil || b.fields[key] == nil { dropped += 1 }
    }
    return (differing, dropped)
  }

  /// A sort key that puts clauses of the same filters and fields next to each other.
  private static func signature(_ clause: Clause) -> String {
    clause.filters.sorted().map(String.init).joined(separator: ",") + "|"
      + clause.fields.keys.map(\.rawValue).sorted().joined(separator: ",")
  }
}
